// Every event a host sees, with its detail, in a real Chromium; iframe attributes; strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, vlens } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

test('the full event sequence of a session, with details, callbacks, DOM events and bubbling', async () => {
  const p = await h.open();
  const k = key('events');
  // readyOn 'message': the app is hidden until it posts `ready`, so every step shows.
  const sync = await p.mount('s', h.token('ok', k), { baseUrl: h.base('manual'), readyOn: 'message' });
  // Nothing fires before mountVlens returns; the session starts fetching its token.
  assert.equal(sync.events, 0, 'no event before mountVlens returns');
  assert.equal(sync.state, 'token');
  assert.ok(sync.iframe === null || sync.iframe === 'undefined', 'no iframe before the token arrived (null checked on its own below)');

  const tokenDetail = await p.waitEvent('s', 'vlens:token');
  assert.equal(tokenDetail.reason, 'initial');
  assert.ok(!('token' in tokenDetail), 'vlens:token never carries the token');
  await p.waitEvent('s', 'vlens:load');
  assert.equal(await p.state('s'), 'loading');

  const frame = await p.frame('s');
  const appToken = await frame.evaluate(() => window.token);
  assert.match(appToken, /^tok-\d+$/);
  assert.ok(!JSON.stringify(await p.events('s')).includes(appToken), 'no event detail holds the token');

  await p.send('s', vlens('ready', {}));
  await p.waitEvent('s', 'vlens:ready');
  assert.equal(await p.state('s'), 'ready');

  await p.send('s', vlens('step', { step: 'id-capture' }));
  assert.deepEqual(await p.waitEvent('s', 'vlens:step'), { step: 'id-capture' });

  await p.send('s', vlens('resize', { height: 432 }));
  assert.deepEqual(await p.waitEvent('s', 'vlens:resize'), { height: 432 });
  assert.equal(await p.evaluate(() => T.s.s.session.iframe.style.height), '432px');

  await p.send('s', vlens('analytics', { screen: 'selfie', n: 3 }));
  assert.deepEqual(await p.waitEvent('s', 'vlens:message'), { type: 'analytics', data: { screen: 'selfie', n: 3 } });

  await p.send('s', vlens('error', { code: 'DOC_UNREADABLE', message: 'The photo is blurry', recoverable: true }));
  const appErr = await p.waitEvent('s', 'vlens:error');
  assert.equal(appErr.code, 'APP_ERROR');
  assert.equal(appErr.appCode, 'DOC_UNREADABLE');
  assert.equal(appErr.message, 'The photo is blurry');
  assert.equal(appErr.recoverable, true);
  assert.equal(appErr.source, 'app');
  assert.equal(await p.state('s'), 'ready', 'an app error does not change the state');

  const data = { applicationId: 'A-17', contracts: [414], signed: true };
  await p.send('s', vlens('completed', data));
  assert.deepEqual(await p.waitEvent('s', 'vlens:complete'), { data });
  assert.deepEqual(await p.result('s'), { status: 'completed', data });
  assert.equal(await p.state('s'), 'completed');

  await p.evaluate(() => T.s.s.session.destroy());
  await p.waitEvent('s', 'vlens:destroy');
  assert.equal(await p.state('s'), 'destroyed');
  assert.equal(await p.evaluate(() => T.s.s.session.iframe == null), true);
  assert.equal(await p.evaluate(() => document.querySelectorAll('iframe').length), 0);

  // vlens:state follows the event that caused the change; destroy's comes just before vlens:destroy.
  const expected = [
    'vlens:state', 'vlens:token', 'vlens:state', 'vlens:load', 'vlens:ready', 'vlens:state', 'vlens:step',
    'vlens:resize', 'vlens:message', 'vlens:error', 'vlens:complete', 'vlens:state', 'vlens:state', 'vlens:destroy',
  ];
  assert.deepEqual(await p.types('s', true), expected, 'onEvent saw every event once, in order');
  assert.deepEqual(await p.states('s'), ['token', 'loading', 'ready', 'completed', 'destroyed']);

  // The same events as CustomEvents on the container, bubbling and composed, same details.
  const dom = await p.dom('s');
  assert.deepEqual(dom.map((e) => e.type), expected, 'DOM events on the container');
  const onEvent = await p.events('s');
  for (const [i, e] of dom.entries()) {
    assert.equal(e.custom, true, `${e.type} is a CustomEvent`);
    assert.equal(e.bubbles, true, `${e.type} bubbles`);
    assert.equal(e.composed, true, `${e.type} is composed`);
    assert.equal(e.target, 's', `${e.type} is dispatched on the container`);
    assert.deepEqual(e.detail, onEvent[i].detail, `${e.type}: DOM detail equals onEvent detail`);
  }
  const body = await p.evaluate(() => T.body.filter((e) => e.target === 's').map((e) => e.type));
  assert.deepEqual(body, expected, 'a listener on document.body sees every event');

  // Matching callbacks received the details.
  const cb = await p.evaluate(() => T.s.s.cb);
  assert.deepEqual(cb.onStep, [{ step: 'id-capture' }]);
  assert.deepEqual(cb.onResize, [{ height: 432 }]);
  assert.deepEqual(cb.onComplete, [{ data }]);
  assert.equal(cb.onReady.length, 1);
  assert.equal(cb.onError.length, 1);
  assert.equal(cb.onError[0].appCode, 'DOC_UNREADABLE');
  assert.deepEqual(cb.onStateChange.map((d) => d.state), ['token', 'loading', 'ready', 'completed', 'destroyed']);

  // Callbacks run before the DOM event is dispatched.
  const seq = await p.evaluate(() => T.seq.filter((x) => x.split(':')[1] === 's'));
  for (const type of expected) {
    const cbAt = seq.indexOf(`cb:s:${type}`);
    const domAt = seq.indexOf(`dom:s:${type}`);
    assert.ok(cbAt >= 0 && domAt >= 0 && cbAt < domAt, `callback before DOM event for ${type}: ${seq}`);
  }
  assert.deepEqual(p.pageErrors, []);
  assert.deepEqual(p.consoleErrors, []);
  await p.close();
});

test('vlens:cancel resolves result with the cancelled status and data', async () => {
  const p = await h.open();
  await p.mount('c', h.token('ok', key('cancel')), { baseUrl: h.base('auto') });
  await p.waitEvent('c', 'vlens:ready');
  await p.send('c', vlens('cancelled', { reason: 'user-closed' }));
  assert.deepEqual(await p.waitEvent('c', 'vlens:cancel'), { data: { reason: 'user-closed' } });
  assert.deepEqual(await p.result('c'), { status: 'cancelled', data: { reason: 'user-closed' } });
  assert.equal(await p.state('c'), 'cancelled');
  assert.deepEqual(await p.evaluate(() => T.s.c.cb.onCancel), [{ data: { reason: 'user-closed' } }]);
  await p.close();
});

test('after completion only resize is still followed', async () => {
  const p = await h.open();
  await p.mount('e', h.token('ok', key('ended')), { baseUrl: h.base('auto') });
  await p.waitEvent('e', 'vlens:ready');
  await p.send('e', vlens('completed', { ok: 1 }));
  await p.waitEvent('e', 'vlens:complete');
  await p.send('e', vlens('step', { step: 'after-end' }));
  await p.send('e', vlens('cancelled', {}));
  await p.send('e', vlens('completed', { ok: 2 }));
  await p.send('e', vlens('resize', { height: 250 }));
  await p.waitEvent('e', 'vlens:resize');
  const types = await p.types('e');
  const after = types.slice(types.indexOf('vlens:complete') + 1);
  assert.deepEqual(after, ['vlens:resize'], 'nothing but resize after the end');
  assert.deepEqual(await p.result('e'), { status: 'completed', data: { ok: 1 } });
  assert.equal(await p.evaluate(() => T.s.e.session.iframe.style.height), '250px');
  await p.close();
});

test('an app error without recoverable is not recoverable', async () => {
  const p = await h.open();
  await p.mount('a', h.token('ok', key('apperr')), { baseUrl: h.base('auto') });
  await p.waitEvent('a', 'vlens:ready');
  await p.send('a', vlens('error', { code: 'LIVENESS_FAILED', message: 'Too many attempts' }));
  const d = await p.waitEvent('a', 'vlens:error');
  assert.equal(d.code, 'APP_ERROR');
  assert.equal(d.appCode, 'LIVENESS_FAILED');
  assert.equal(d.message, 'Too many attempts');
  assert.equal(d.recoverable, false);
  assert.equal(d.source, 'app');
  assert.equal(await p.state('a'), 'ready');
  assert.equal(await p.settled('a'), false, 'an error does not settle result');
  await p.close();
});

test('resize is clamped to minHeight/maxHeight and reports the applied height', async () => {
  const p = await h.open();
  await p.mount('r', h.token('ok', key('resize')), { baseUrl: h.base('auto'), minHeight: 300, maxHeight: 800 });
  await p.waitEvent('r', 'vlens:ready');
  const height = () => p.evaluate(() => T.s.r.session.iframe.style.height);
  assert.equal(await height(), '700px', 'default height 700');
  await p.send('r', vlens('resize', { height: 100 }));
  assert.deepEqual(await p.waitEvent('r', 'vlens:resize', 1), { height: 300 });
  assert.equal(await height(), '300px');
  await p.send('r', vlens('resize', { height: 5000 }));
  assert.deepEqual(await p.waitEvent('r', 'vlens:resize', 2), { height: 800 });
  assert.equal(await height(), '800px');
  await p.send('r', vlens('resize', { height: 555 }));
  assert.deepEqual(await p.waitEvent('r', 'vlens:resize', 3), { height: 555 });
  assert.equal(await height(), '555px');
  await p.close();
});

test('autoResize false reports the app height and leaves the iframe alone', async () => {
  const p = await h.open();
  await p.mount('n', h.token('ok', key('noresize')), { baseUrl: h.base('auto'), autoResize: false, height: 650, maxHeight: 800 });
  await p.waitEvent('n', 'vlens:ready');
  await p.send('n', vlens('resize', { height: 1234 }));
  assert.deepEqual(await p.waitEvent('n', 'vlens:resize'), { height: 1234 });
  assert.equal(await p.evaluate(() => T.s.n.session.iframe.style.height), '650px');
  await p.close();
});

test('a throwing callback is reported with console.error and does not disturb the widget', async () => {
  const p = await h.open();
  await p.evaluate(([url, baseUrl]) => T.mount('t', url, {
    baseUrl,
    onStep() { throw new Error('host bug in onStep'); },
  }), [h.token('ok', key('throwcb')), h.base('auto')]);
  await p.waitEvent('t', 'vlens:ready');
  await p.send('t', vlens('step', { step: 'one' }));
  await p.waitEvent('t', 'vlens:step');
  await p.waitFor(() => T.dom.t.some((e) => e.type === 'vlens:step'), null, { what: 'DOM step event despite the throwing callback' });
  await p.send('t', vlens('step', { step: 'two' }));
  assert.deepEqual(await p.waitEvent('t', 'vlens:step', 2), { step: 'two' });
  assert.ok(p.consoleErrors.some((m) => m.includes('host bug in onStep')), `console.error reports it: ${JSON.stringify(p.consoleErrors)}`);
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('iframe src, allow, title, size and border', async () => {
  const p = await h.open();
  const token = `a&b#c%d"e<f>g'h i+j/k?l=m;n`;
  await p.mount('i', h.token('value', key('attrs'), { v: token }), {
    baseUrl: `${h.app}/tenant/x/`, // trailing slash is removed
    allow: 'fullscreen; clipboard-write; camera',
    title: 'Verify your identity',
    height: '80vh',
    width: 480,
  });
  await p.waitEvent('i', 'vlens:load');
  const attrs = await p.evaluate(() => {
    const f = T.s.i.session.iframe;
    const cs = getComputedStyle(f);
    return {
      src: f.getAttribute('src'), href: f.src, allow: f.getAttribute('allow'), title: f.title, parent: f.parentElement.parentElement.id,
      height: f.style.height, width: f.getBoundingClientRect().width, display: cs.display,
      border: [cs.borderTopStyle, cs.borderTopWidth],
      count: document.querySelectorAll('#i iframe').length,
    };
  });
  const expectedSrc = `${h.app}/tenant/x/session?token=${encodeURIComponent(token)}`;
  assert.equal(attrs.src, expectedSrc);
  assert.equal(attrs.href, new URL(expectedSrc).href);
  const features = attrs.allow.split(';').map((s) => s.trim().split(/\s+/)[0]).filter(Boolean);
  for (const f of ['camera', 'microphone', 'fullscreen', 'clipboard-write']) assert.ok(features.includes(f), `allow has ${f}: ${attrs.allow}`);
  assert.equal(features.filter((f) => f === 'camera').length, 1, `no duplicate camera: ${attrs.allow}`);
  assert.equal(attrs.title, 'Verify your identity');
  assert.equal(attrs.parent, 'i');
  assert.equal(attrs.count, 1);
  assert.equal(attrs.height, '80vh');
  assert.equal(attrs.width, 480, 'width: 480 gives the iframe 480 px, through the box around it');
  assert.equal(attrs.display, 'block');
  assert.ok(attrs.border[0] === 'none' || attrs.border[1] === '0px', `no border: ${attrs.border}`);

  // What the app itself reads from its URL is exactly the token.
  const frame = await p.frame('i');
  assert.equal(await frame.evaluate(() => new URLSearchParams(location.search).get('token')), token);
  assert.equal(await frame.evaluate(() => location.pathname), '/tenant/x/session');
  await p.close();
});

test('iframe defaults: title, width, height, allow as array', async () => {
  const p = await h.open();
  await p.mount('d', h.token('ok', key('defaults')), { baseUrl: h.base('auto'), allow: ['fullscreen', 'microphone'] });
  await p.waitEvent('d', 'vlens:load');
  const a = await p.evaluate(() => {
    const f = T.s.d.session.iframe;
    return { title: f.title, width: f.style.width, height: f.style.height, allow: f.getAttribute('allow') };
  });
  assert.equal(a.title, 'Vlens identity verification');
  assert.equal(a.width, '100%');
  assert.equal(a.height, '700px');
  const features = a.allow.split(';').map((s) => s.trim().split(/\s+/)[0]).filter(Boolean);
  assert.deepEqual(features.slice().sort(), ['camera', 'fullscreen', 'microphone'], `allow: ${a.allow}`);
  await p.close();
});

test('a host page with a strict Content-Security-Policy mounts with no violation', async () => {
  const p = await h.open('/host-csp.html');
  const k = key('csp');
  await p.mount('csp', `/token/ok?key=${k}`, { baseUrl: h.base('auto'), height: 500, minHeight: 200 });
  await p.waitEvent('csp', 'vlens:ready');
  await p.send('csp', vlens('resize', { height: 640 }));
  await p.waitEvent('csp', 'vlens:resize');
  const r = await p.evaluate(() => ({
    height: T.s.csp.session.iframe.style.height,
    display: getComputedStyle(T.s.csp.session.iframe).display,
    violations: T.violations,
  }));
  assert.equal(r.height, '640px', 'styles applied through the CSSOM');
  assert.equal(r.display, 'block');
  assert.deepEqual(r.violations, [], 'no securitypolicyviolation');
  assert.equal((await h.calls(k)).length, 1, 'the token came from the same-origin endpoint');
  assert.ok(!(await p.types('csp')).includes('vlens:error'));
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test("a page whose CSP forbids WebAssembly gets a WASM_BLOCKED error that names 'wasm-unsafe-eval', not a throw", async () => {
  const p = await h.open('/host-csp-no-wasm.html');
  const r = await p.evaluate((baseUrl) => {
    try {
      mountVlens(T.container('nowasm'), () => 'tok', { baseUrl });
      return { threw: false };
    } catch (e) {
      return { threw: true, vlens: e instanceof VlensError, code: e.code, message: e.message };
    }
  }, h.base('auto'));
  assert.deepEqual(r, { threw: false });
  const e = (await p.waitFor(() => T.dom.nowasm.find((e) => e.type === 'vlens:error'), null, { what: 'vlens:error' }).then(() => p.dom('nowasm'))).find((e) => e.type === 'vlens:error').detail;
  assert.equal(e.code, 'WASM_BLOCKED');
  assert.match(e.message, /'wasm-unsafe-eval' to script-src/);
  assert.equal(await p.evaluate(() => document.querySelectorAll('iframe').length), 0);
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('session.iframe is null (not undefined) before the token, the element while mounted, null after destroy', async () => {
  const p = await h.open();
  const r = await p.evaluate(async ([url, baseUrl]) => {
    const s = mountVlens(T.container('n'), url, { baseUrl });
    const out = { before: s.iframe === null ? 'null' : String(s.iframe) };
    while (!s.iframe) await T.sleep(5);
    out.mounted = s.iframe instanceof HTMLIFrameElement && s.iframe.parentElement.parentElement === document.getElementById('n');
    s.destroy();
    out.after = s.iframe === null ? 'null' : String(s.iframe);
    return out;
  }, [h.token('ok', key('null')), h.base('auto')]);
  assert.deepEqual(r, { before: 'null', mounted: true, after: 'null' });
  await p.close();
});
