// vlens-widget/testing's simulate() in Chromium (dist/testing.js next to the build under
// test): a whole session driven with an app that never loads, on each kind of target, and
// its errors. jsdom and happy-dom: tests/e2e/testing.test.mjs, from the packed tarball.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

/** Runs `simulate(target, type, data)` in the page; `target` is 'session', 'container' or 'element'. Returns the error message, if any. */
function simulate(p, id, target, type, data) {
  return p.evaluate(async ([id, target, type, data]) => {
    const { simulate } = await import('/dist/testing.js');
    const t = target === 'session' ? T.s[id].session : target === 'container' ? document.getElementById(T.s[id].cid) : document.getElementById(id);
    try {
      simulate(t, type, data);
      return null;
    } catch (e) {
      return `${e.constructor.name}: ${e.message}`;
    }
  }, [id, target, type, data]);
}

const events = async (p, id) => (await p.events(id)).filter((e) => !['vlens:state', 'vlens:load'].includes(e.type)).map((e) => [e.type, e.detail]);

for (const target of ['session', 'container']) {
  test(`a whole session with an app that never loads, the ${target} as target: every type, synchronously, then the result`, async () => {
    const p = await h.open('/host-esm.html');
    const k = key('sim');
    const id = `sim-${target}`;
    await p.mount(id, h.token('ok', k), { baseUrl: h.base('hang'), loadTimeoutMs: 60000 });
    await p.waitFor((id) => !!T.s[id].session.iframe, id, { what: 'the iframe' });
    assert.equal(await simulate(p, id, target, 'ready'), null);
    assert.equal(await p.state(id), 'ready', 'handled before simulate() returned');
    assert.equal(await simulate(p, id, target, 'step', { step: 'kyc' }), null);
    assert.equal(await simulate(p, id, target, 'resize', { height: 432 }), null);
    assert.equal(await simulate(p, id, target, 'error', { code: 'OCR_FAILED', message: 'blurry', recoverable: true }), null);
    assert.equal(await simulate(p, id, target, 'token-expired'), null);
    await p.waitFor((k) => fetch(`/calls?key=${k}`).then((r) => r.json()).then((c) => c.length === 2), k, { what: 'the second token request' });
    assert.equal(await simulate(p, id, target, 'completed', { sessionId: 'abc' }), null);
    assert.deepEqual(await p.result(id), { status: 'completed', data: { sessionId: 'abc' } });
    assert.deepEqual((await events(p, id)).filter(([t]) => t !== 'vlens:token'), [
      ['vlens:ready', {}],
      ['vlens:step', { step: 'kyc' }],
      ['vlens:resize', { height: 432 }],
      ['vlens:error', { code: 'APP_ERROR', message: 'blurry', recoverable: true, source: 'app', appCode: 'OCR_FAILED' }],
      ['vlens:complete', { data: { sessionId: 'abc' } }],
    ]);
    assert.deepEqual((await p.events(id)).filter((e) => e.type === 'vlens:token').map((e) => e.detail.reason), ['initial', 'expired']);
    assert.equal(await p.evaluate((id) => T.s[id].session.iframe.style.height, id), '432px');
    assert.deepEqual(p.pageErrors, []);
    await p.close();
  });
}

test('<vlens-verification> as target; cancelled settles its session', async () => {
  const p = await h.open('/host-script.html');
  const k = key('sim-el');
  await p.evaluate(([url, base]) => {
    const el = document.createElement('vlens-verification');
    el.id = 'kyc';
    el.setAttribute('token-url', url);
    el.setAttribute('base-url', base);
    el.addEventListener('vlens:cancel', (e) => { window.cancelled = e.detail; });
    document.body.appendChild(el);
  }, [h.token('ok', k), h.base('hang')]);
  await p.waitFor(() => !!document.getElementById('kyc').session.iframe, null, { what: 'the element\'s iframe' });
  assert.equal(await simulate(p, 'kyc', 'element', 'cancelled', { step: 'kyc' }), null);
  assert.deepEqual(await p.evaluate(() => window.cancelled), { data: { step: 'kyc' } });
  assert.equal(await p.evaluate(() => document.getElementById('kyc').session.state), 'cancelled');
  await p.close();
});

test('errors say what to do: no iframe yet, a token error, an ended session, an unknown type, a step without its name', async () => {
  const p = await h.open('/host-esm.html');
  await p.mount('held', h.token('hang', key('held')), { baseUrl: h.base('hang') });
  const err = (...a) => simulate(p, ...a);
  assert.match(await err('held', 'session', 'ready'), /^Error: vlens-widget\/testing: simulate\(\): the session has no iframe yet \(state 'token'\): await the iframe first.*waitFor/);
  assert.match(await err('held', 'container', 'ready'), /no widget iframe in this element yet.*await the iframe first/);
  assert.match(await p.evaluate(async () => {
    const { simulate } = await import('/dist/testing.js');
    try { simulate(document.createElement('vlens-verification'), 'ready'); } catch (e) { return e.message; }
    return 'no error';
  }), /has no session: it mounts once it is in the document with a token provider/);
  await p.mount('done', h.token('ok', key('done')), { baseUrl: h.base('hang') });
  await p.waitFor(() => !!T.s.done.session.iframe, null, { what: 'the iframe' });
  assert.match(await err('done', 'session', 'complete'), /unknown type "complete": the app says one of ready, step, resize, completed, cancelled, error, token-expired/);
  assert.match(await err('done', 'session', 'step'), /'step' needs its name: simulate\(target, 'step', \{ step: 'kyc' \}\)/);
  assert.match(await err('done', 'session', 'resize', { height: -1 }), /'resize' needs a height/);
  assert.deepEqual((await events(p, 'done')).filter(([t]) => t !== 'vlens:token'), [], 'nothing was dispatched for the refused calls');
  await p.evaluate(() => T.mount('failed', () => Promise.reject(new Error('down')), { baseUrl: location.origin, retries: 0 }));
  await p.waitFor(() => T.s.failed.session.state === 'error', null, { what: 'the token error' });
  assert.match(await err('failed', 'session', 'ready'), /stopped on an error before it had an iframe \(state 'error'; its vlens:error says why, in a test often an unstubbed token endpoint\)/);
  await p.evaluate(() => T.s.done.session.destroy());
  assert.match(await err('done', 'session', 'ready'), /the session has ended \(state 'destroyed'\) and has no iframe: mount a new one/);
  await p.close();
});
