// vlens-widget/react in Chromium (rules (1)-(4) and (6) of the React entry; (5),
// renderToString, is in package.test.mjs): <VlensVerification> and useVlens() against the
// fixture servers, from a development build (StrictMode double effects) and a
// production build of React.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, vlens, settle } from './harness.mjs';
import { buildFixtures, iframeCount, sendFromApp } from './frameworks.mjs';

let h;
before(async () => { await buildFixtures(); h = await setup(); });
after(async () => { await h?.close(); });

async function open(build = 'react-dev') {
  const p = await h.open(`/fixtures/gen/${build}.html`);
  return p;
}
const render = (p, spec) => p.evaluate((s) => window.R.render(s), spec);
const R = (p, expr) => p.evaluate(new Function(`return (${expr});`));
const waitIframe = (p, n = 1) => p.waitFor((n) => document.querySelectorAll('#vlens iframe').length === n, n, { what: `${n} iframe(s)` });
const waitReady = (p, n = 1) => p.waitFor((n) => window.R.log.filter((e) => e[0] === 'ready').length >= n, n, { what: `${n}× ready` });

test('(1) StrictMode: one iframe; at most two provider calls, the first aborted; hook state never shows the destroyed session', async () => {
  for (const hook of [false, true]) {
    const p = await open('react-dev');
    const k = key('strict');
    await render(p, { strict: true, hook, provider: 'function', url: h.token('ok', k), baseUrl: h.base('auto'), tag: 1 });
    await waitReady(p);
    await settle();
    assert.equal(await iframeCount(p), 1, 'exactly one iframe');
    const calls = await R(p, 'window.R.calls');
    assert.ok(calls.length >= 1 && calls.length <= 2, `at most two provider calls: ${JSON.stringify(calls)}`);
    if (calls.length === 2) assert.equal(calls[0].aborted, true, "the first call's signal is aborted");
    assert.equal(calls.at(-1).aborted, false);
    if (hook) {
      const views = await R(p, 'window.R.views');
      assert.equal(views.at(-1).state, 'ready');
      assert.ok(!views.some((v) => v.state === 'destroyed' || v.result), `no destroyed state or result reached the hook: ${JSON.stringify(views)}`);
    } else {
      assert.equal(await R(p, 'window.R.session && window.R.session.state'), 'ready', 'ref holds the live session');
    }
    assert.deepEqual(p.pageErrors, []);
    await p.close();
  }
});

test('(1) production: exactly one provider call and one iframe', async () => {
  const p = await open('react-prod');
  const k = key('prod');
  await render(p, { provider: 'string', url: h.token('ok', k), baseUrl: h.base('auto'), tag: 1 });
  await waitReady(p);
  await settle();
  assert.equal((await h.calls(k)).length, 1);
  assert.equal(await iframeCount(p), 1);
  await p.close();
});

test('(2) re-rendering with new callbacks, provider and style identities never remounts; the latest callbacks run', async () => {
  for (const [providerKind, hook] of [['function', false], ['object', false], ['function', true], ['object', true]]) {
    const p = await open('react-dev');
    const k = key('rerender');
    const spec = { strict: true, hook, provider: providerKind, url: h.token('ok', k), baseUrl: h.base('auto'), tag: 0 };
    await render(p, spec);
    await waitReady(p);
    await p.evaluate(() => { document.querySelector('#vlens iframe').__mark = 'first'; });
    const callsBefore = (await h.calls(k)).length;
    for (let tag = 1; tag <= 12; tag++) {
      await render(p, { ...spec, tag });
      await settle(15);
    }
    await sendFromApp(p, '#vlens iframe', vlens('step', { step: 'selfie' }));
    await p.waitFor(() => window.R.log.some((e) => e[0] === 'step'), null, { what: 'onStep' });
    const what = `${providerKind} provider, ${hook ? 'useVlens' : '<VlensVerification>'}`;
    assert.equal(await p.evaluate(() => document.querySelector('#vlens iframe').__mark), 'first', `${what}: the same iframe node`);
    assert.equal(await iframeCount(p), 1);
    assert.equal((await h.calls(k)).length, callsBefore, `${what}: no new provider call`);
    assert.deepEqual(await R(p, "window.R.log.filter((e) => e[0] === 'step')"), [['step', 'selfie', 12]], `${what}: the latest onStep ran`);
    if (hook) assert.equal(await R(p, 'window.R.view.step'), 'selfie');
    await p.close();
  }
});

test('(2) a function provider called after re-renders is the latest one', async () => {
  const p = await open('react-prod');
  const k = key('latest-fn');
  const spec = { provider: 'function', url: h.token('ok', k), baseUrl: h.base('auto'), tag: 0 };
  await render(p, spec);
  await waitReady(p);
  await render(p, { ...spec, tag: 7 });
  await p.evaluate(() => window.R.session.refresh());
  await waitReady(p, 2);
  assert.deepEqual((await R(p, 'window.R.calls')).map((c) => [c.reason, c.tag]), [['initial', 0], ['refresh', 7]]);
  await p.close();
});

test('(3) a change of baseUrl, of a string provider or of key destroys the session and mounts one new one', async () => {
  for (const hook of [false, true]) {
    const p = await open('react-dev');
    const k1 = key('s1');
    const k2 = key('s2');
    const spec = { strict: true, hook, provider: 'string', url: h.token('ok', k1), baseUrl: h.base('auto'), tag: 0, key: 'a' };
    await render(p, spec);
    await waitReady(p);
    const mark = () => p.evaluate(() => { document.querySelector('#vlens iframe').__mark = 'old'; });
    const changes = [
      ['baseUrl', { baseUrl: `${h.base('auto')}/other` }],
      ['string provider', { url: h.token('ok', k2) }],
      ['key', { key: 'b' }],
    ];
    let current = spec;
    let readies = 1;
    for (const [what, patch] of changes) {
      await mark();
      const before = (await h.calls(k1)).length + (await h.calls(k2)).length;
      current = { ...current, ...patch };
      await render(p, current);
      await waitReady(p, ++readies);
      await settle();
      assert.equal(await iframeCount(p), 1, `${what}: one iframe`);
      assert.equal(await p.evaluate(() => document.querySelector('#vlens iframe').__mark), undefined, `${what}: a new iframe`);
      const after = (await h.calls(k1)).length + (await h.calls(k2)).length;
      assert.equal(after - before, 1, `${what}: one new provider call`);
      if (hook) {
        const v = await R(p, 'window.R.view');
        assert.equal(v.state, 'ready', `${what}: the hook shows the new session`);
        assert.equal(v.result, null, `${what}: no result from the destroyed session`);
      }
    }
    if (hook) {
      const views = await R(p, 'window.R.views');
      assert.ok(!views.some((v) => v.state === 'destroyed' || (v.result && v.result.status === 'destroyed')), `(6) nothing from destroyed sessions: ${JSON.stringify(views.map((v) => v.state))}`);
    }
    await p.close();
  }
});

test('(4) unmount destroys: iframe and its message listener gone; ref null; (6) result never "destroyed"', async () => {
  for (const hook of [false, true]) {
    const p = await open('react-dev');
    const base = await p.evaluate(() => window.messageListeners());
    await render(p, { strict: true, hook, provider: 'string', url: h.token('ok', key('un')), baseUrl: h.base('auto'), tag: 0 });
    await waitReady(p);
    assert.equal(await p.evaluate(() => window.messageListeners()), base + 1, 'one message listener while mounted');
    if (!hook) assert.equal(await R(p, 'window.R.refs.at(-1)'), 'session');
    await p.evaluate(() => window.R.unmount());
    await p.waitFor(() => document.querySelectorAll('iframe').length === 0, null, { what: 'no iframe' });
    await settle();
    assert.equal(await p.evaluate(() => window.messageListeners()), base, 'no message listener left');
    const [mounted, destroyed] = await R(p, "[window.R.log.filter((e) => e[1] === 'vlens:token').length, window.R.log.filter((e) => e[1] === 'vlens:destroy').length]");
    assert.ok(mounted >= 1 && destroyed === mounted, `every session mounted is destroyed (${mounted} mounted, ${destroyed} destroyed)`);
    if (hook) assert.ok(!(await R(p, 'window.R.views')).some((v) => v.result), 'no result reached the hook');
    else assert.equal(await R(p, 'window.R.refs.at(-1)'), null, 'ref is null after unmount');
    await p.close();
  }
});

test('(6) the hook follows the live session: step, error, completed result', async () => {
  const p = await open('react-dev');
  await render(p, { strict: true, hook: true, provider: 'string', url: h.token('ok', key('res')), baseUrl: h.base('auto'), tag: 0 });
  await waitReady(p);
  await sendFromApp(p, '#vlens iframe', vlens('error', { code: 'X1', message: 'boom', recoverable: true }));
  await p.waitFor(() => window.R.view.error && window.R.view.error.code === 'APP_ERROR', null, { what: 'error in the hook' });
  await sendFromApp(p, '#vlens iframe', vlens('completed', { id: 42 }));
  await p.waitFor(() => window.R.view.result !== null, null, { what: 'result in the hook' });
  const v = await R(p, 'window.R.view');
  assert.deepEqual(v.result, { status: 'completed', data: { id: 42 } });
  assert.equal(v.state, 'completed');
  assert.equal(v.error.appCode, 'X1');
  await p.close();
});
