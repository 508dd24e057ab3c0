// Startup (issue 16): the module compiles asynchronously, once per page; mountVlens returns a
// usable handle before it is ready; a page that cannot run WebAssembly (a CSP without
// 'wasm-unsafe-eval') gets a WASM_BLOCKED session, never a throw, from every entry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, settle } from './harness.mjs';
import { buildFixtures } from './frameworks.mjs';

let h;
before(async () => { await buildFixtures(); h = await setup(); });
after(async () => { await h?.close(); });

const BLOCKED_EN = 'This page’s security settings keep the verification from starting here. Please contact the site’s support.';
const BLOCKED_AR = 'إعدادات الأمان في هذه الصفحة تمنع بدء التحقق هنا. يُرجى التواصل مع دعم الموقع.';

/** What the user sees in `root` (a selector): the screen's text, its button, dir, and iframes. */
const screen = (p, root) => p.evaluate((root) => {
  const r = document.querySelector(root);
  const box = r && (r.matches('.vlens') ? r : r.querySelector('.vlens'));
  const msg = box && box.querySelector('.vlens-error .vlens-message');
  return {
    text: msg && msg.textContent,
    retry: !!(box && box.querySelector('.vlens-retry')),
    dir: box && (box.closest('[dir]') || box).getAttribute('dir'),
    iframes: document.querySelectorAll('iframe').length,
    focused: !!msg && document.activeElement === msg,
  };
}, root);

test('an ES import compiles nothing; mountVlens before the module is ready returns a usable handle at once, and the flow runs when it is', async () => {
  const p = await h.open('/host-esm-counted.html');
  assert.deepEqual(await p.evaluate(() => window.wasmCalls), { compile: 0, instantiate: 0 }, 'importing compiles nothing');
  const k = key('pending');
  const sync = await p.mount('a', h.token('ok', k), { baseUrl: h.base('auto') });
  assert.deepEqual(sync, { events: 0, state: 'token', iframe: null }, 'no event before mountVlens returns; state token, iframe null');
  await p.waitEvent('a', 'vlens:ready');
  assert.deepEqual(await p.states('a'), ['token', 'loading', 'ready']);
  assert.deepEqual((await p.types('a')).sort(), ['vlens:load', 'vlens:ready', 'vlens:token']);
  assert.equal((await h.calls(k)).length, 1);
  assert.deepEqual(await p.evaluate(() => window.wasmCalls), { compile: 1, instantiate: 1 });
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('destroy() before the module is ready: state destroyed at once; then vlens:state and vlens:destroy are the only events and the provider is never called', async () => {
  const p = await h.open('/host-esm.html');
  const k = key('early-destroy');
  const r = await p.evaluate(([url, baseUrl]) => {
    T.mount('d', url, { baseUrl });
    const s = T.s.d.session;
    s.destroy();
    const after = s.state;
    s.destroy();
    return { after, events: T.s.d.events.length };
  }, [h.token('ok', k), h.base('auto')]);
  assert.deepEqual(r, { after: 'destroyed', events: 0 });
  assert.deepEqual(await p.result('d'), { status: 'destroyed' });
  await settle(200);
  assert.deepEqual(await p.types('d', true), ['vlens:state', 'vlens:destroy']);
  assert.deepEqual(await p.states('d'), ['destroyed']);
  assert.equal((await h.calls(k)).length, 0, 'the provider is never called');
  assert.equal(await p.state('d'), 'destroyed');
  assert.equal(await p.evaluate(() => document.querySelectorAll('iframe, .vlens').length), 0);
  await p.close();
});

test('calls made before the module is ready take effect in order once it is, as they would on a ready module', async () => {
  const run = async (preloaded) => {
    const p = await h.open('/host-esm.html');
    const ka = key('order-a');
    const kb = key('order-b');
    await p.evaluate(async ([a, b, baseUrl, preloaded]) => {
      if (preloaded) await preload();
      T.mount('a', a, { baseUrl }, { into: 'box' });
      T.s.a.session.refresh();
      T.s.a.session.destroy();
      T.mount('b', b, { baseUrl }, { into: 'box' });
      T.s.b.session.refresh();
    }, [h.token('ok', ka), h.token('ok', kb), h.base('auto'), preloaded]);
    await p.waitEvent('b', 'vlens:ready');
    await settle(200);
    const out = {
      a: await p.types('a', true),
      b: await p.types('b', true),
      calls: [(await h.calls(ka)).length, (await h.calls(kb)).length],
      iframes: await p.evaluate(() => document.querySelectorAll('#box iframe').length),
      result: await p.result('a'),
    };
    await p.close();
    return out;
  };
  const early = await run(false);
  assert.deepEqual(early, await run(true), 'the same events whether the calls came before or after the module was ready');
  assert.deepEqual(early.a, ['vlens:state', 'vlens:destroy']);
  assert.deepEqual(early.calls, [0, 1]);
  assert.equal(early.iframes, 1);
});

test('two mountVlens calls before the module is ready share one compile and one instantiation', async () => {
  const p = await h.open('/host-esm-counted.html');
  await p.mount('one', h.token('ok', key('share-1')), { baseUrl: h.base('auto') });
  await p.mount('two', h.token('ok', key('share-2')), { baseUrl: h.base('auto') });
  await p.waitEvent('one', 'vlens:ready');
  await p.waitEvent('two', 'vlens:ready');
  assert.deepEqual(await p.evaluate(() => window.wasmCalls), { compile: 1, instantiate: 1 });
  await p.close();
});

test('the script tag and an ES module of the same build on one page compile once', async () => {
  const p = await h.open('/host-both.html');
  await p.waitFor(() => !!window.esm, null, { what: 'the ES module' });
  const r = await p.evaluate(async () => {
    await Promise.all([Vlens.preload(), esm.preload()]);
    return { calls: window.wasmCalls, same: Vlens.mountVlens === esm.mountVlens };
  });
  assert.deepEqual(r, { calls: { compile: 1, instantiate: 2 }, same: false });
  await p.close();
});

test('preload(), then mountVlens: one compile; mounting compiles nothing more and bad arguments throw synchronously', async () => {
  const p = await h.open('/host-esm-counted.html');
  const r = await p.evaluate(async (baseUrl) => {
    const first = preload();
    const same = first === preload();
    const value = await first;
    const before = { ...window.wasmCalls };
    let threw = null;
    try { mountVlens('#missing', () => 'tok', { baseUrl }); } catch (e) { threw = e instanceof VlensError && e.code; }
    T.mount('p', () => 'tok', { baseUrl });
    return { same, value: value === undefined, before, threw, state: T.s.p.session.state };
  }, h.base('auto'));
  assert.deepEqual(r, { same: true, value: true, before: { compile: 1, instantiate: 1 }, threw: 'INVALID_ARGUMENT', state: 'token' });
  await p.waitEvent('p', 'vlens:ready');
  assert.deepEqual(await p.evaluate(() => window.wasmCalls), { compile: 1, instantiate: 1 });
  await p.close();
});

test('a bad call made before the module is ready is reported (vlens:error, onError, console.error, state error, result), never thrown', async () => {
  const p = await h.open('/host-esm.html');
  const k = key('bad-early');
  const r = await p.evaluate(([url]) => {
    T.mount('bad', url, { baseUrl: 'http://example.com' });
    let threw = false;
    try { T.nosel = mountVlens('#nothing-here', () => 'tok'); } catch { threw = true; }
    return { threw, state: T.s.bad.session.state, events: T.s.bad.events.length };
  }, [h.token('ok', k)]);
  assert.deepEqual(r, { threw: false, state: 'token', events: 0 });
  const detail = await p.waitEvent('bad', 'vlens:error');
  assert.equal(detail.code, 'INVALID_ARGUMENT');
  assert.deepEqual([detail.recoverable, detail.source], [false, 'widget']);
  assert.match(detail.message, /^baseUrl is not valid\b/);
  assert.deepEqual(await p.dom('bad').then((d) => d.map((e) => e.type)), ['vlens:error', 'vlens:state'], 'on the element');
  assert.deepEqual(await p.evaluate(() => T.s.bad.cb.onError.map((d) => d.code)), ['INVALID_ARGUMENT']);
  assert.deepEqual(await p.states('bad'), ['error']);
  assert.equal(await p.state('bad'), 'error');
  assert.deepEqual(await p.result('bad'), { status: 'error', error: { code: 'INVALID_ARGUMENT', message: detail.message } });
  // No element to report on: the page's body.
  await p.waitFor(() => T.body.some((e) => e.type === 'vlens:error' && !e.target), null, { what: 'vlens:error on body' });
  const nosel = await p.evaluate(async () => [T.nosel.state, await T.nosel.result]);
  assert.deepEqual(nosel, ['error', { status: 'error', error: { code: 'INVALID_ARGUMENT', message: nosel[1].error.message } }]);
  assert.match(nosel[1].error.message, /^element is not valid\b/);
  assert.ok(p.consoleErrors.some((m) => m.includes(detail.message)), 'console.error');
  assert.equal((await h.calls(k)).length, 0, 'the provider is never called');
  await p.evaluate(() => T.s.bad.session.destroy());
  assert.deepEqual(await p.types('bad', true), ['vlens:error', 'vlens:state', 'vlens:state', 'vlens:destroy']);
  assert.equal(await p.state('bad'), 'destroyed');
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('argument errors: the production build names the argument and where to read more; the development build says what is wrong', async () => {
  const p = await h.open('/host-esm.html');
  const r = await p.evaluate(async () => {
    const messages = {};
    for (const [build, url] of [['prod', '/dist/index.js'], ['dev', '/dist/index.dev.js']]) {
      const m = await import(url);
      await m.preload();
      try { m.mountVlens(document.body, '/t', { baseUrl: 'http://example.com' }); } catch (e) { messages[build] = `${e.code}: ${e.message}`; }
    }
    return messages;
  });
  assert.equal(r.prod, 'INVALID_ARGUMENT: baseUrl is not valid. The development build of vlens-widget (the "development" export condition, or dist/vlens.dev.js) says why; the README\'s mountVlens reference lists every argument and option');
  assert.equal(r.dev, 'INVALID_ARGUMENT: baseUrl must be an https: URL such as https://app.vlenseg.com; http: is allowed only for localhost, 127.0.0.1 and [::1]');
  await p.close();
});

// ------------------------------------------------ a page that cannot compile WebAssembly

test('CSP without wasm-unsafe-eval, script tag: WASM_BLOCKED session with the error screen, no throw, result settled; destroy() takes it down', async () => {
  const p = await h.open('/nowasm/host-script.html');
  const k = key('blocked');
  const sync = await p.mount('w', h.token('ok', k), { baseUrl: h.base('auto'), height: 480 });
  assert.deepEqual(sync, { events: 0, state: 'token', iframe: null });
  const detail = await p.waitEvent('w', 'vlens:error');
  assert.deepEqual({ ...detail, message: undefined }, { code: 'WASM_BLOCKED', recoverable: false, source: 'widget', message: undefined });
  assert.match(detail.message, /^vlens-widget could not compile its WebAssembly \(.+\): if the page sends a Content-Security-Policy, add 'wasm-unsafe-eval' to script-src$/);
  assert.deepEqual(await p.states('w'), ['error']);
  assert.deepEqual(await p.evaluate(() => T.s.w.cb.onError.map((d) => d.code)), ['WASM_BLOCKED']);
  assert.deepEqual(await p.result('w'), { status: 'error', error: { code: 'WASM_BLOCKED', message: detail.message } });
  assert.deepEqual(await screen(p, '#w'), { text: BLOCKED_EN, retry: false, dir: 'ltr', iframes: 0, focused: true });
  assert.equal(await p.evaluate(() => document.querySelector('#w .vlens').getBoundingClientRect().height), 480, 'the box holds the height');
  assert.equal(await p.evaluate(async () => (await preload()) === undefined), true, 'preload() resolves');
  assert.equal(await p.evaluate(() => { T.s.w.session.refresh(); return T.s.w.session.state; }), 'error', 'refresh() cannot help');
  assert.equal((await h.calls(k)).length, 0);
  await p.evaluate(() => T.s.w.session.destroy());
  assert.deepEqual(await p.types('w', true), ['vlens:error', 'vlens:state', 'vlens:state', 'vlens:destroy']);
  assert.equal(await p.evaluate(() => document.querySelectorAll('#w *').length), 0, 'the screen is gone');
  assert.equal(await p.state('w'), 'destroyed');
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('CSP without wasm-unsafe-eval: the screen is in Arabic for locale ar or an Arabic page; ui: false draws nothing', async () => {
  const p = await h.open('/nowasm/host-script.html');
  await p.mount('ar', h.token('ok'), { locale: 'ar' });
  await p.mount('off', h.token('ok'), { ui: false });
  await p.waitEvent('ar', 'vlens:error');
  await p.waitEvent('off', 'vlens:error');
  assert.deepEqual(await screen(p, '#ar'), { text: BLOCKED_AR, retry: false, dir: 'rtl', iframes: 0, focused: true });
  assert.equal(await p.evaluate(() => document.getElementById('off').childElementCount), 0);
  await p.close();
  const q = await h.open('/nowasm/host-ar.html');
  await q.mount('page', h.token('ok'), {});
  await q.waitEvent('page', 'vlens:error');
  assert.equal((await screen(q, '#page')).text, BLOCKED_AR);
  await q.close();
});

test('CSP without wasm-unsafe-eval, modal: the dialog opens with the error screen, labelled as a working one; its close button closes it', async () => {
  const labels = async (page, locale) => page.evaluate(() => {
    const d = document.querySelector('dialog.vlens-modal');
    return d && { label: d.getAttribute('aria-label'), close: d.querySelector('.vlens-close').getAttribute('aria-label'), open: d.open, lang: d.getAttribute('lang') };
  }, locale);
  for (const locale of ['en', 'ar']) {
    const ok = await h.open('/host-script.html');
    await ok.mount('m', h.token('hang', key('modal-ok')), { baseUrl: h.base('auto'), mode: 'modal', locale }, { noElement: true });
    await ok.waitFor(() => !!document.querySelector('dialog.vlens-modal'), null, { what: 'a working modal' });
    const working = await labels(ok);
    await ok.close();

    const p = await h.open('/nowasm/host-script.html');
    await p.mount('m', h.token('ok'), { mode: 'modal', locale }, { noElement: true });
    await p.waitEvent('m', 'vlens:error');
    assert.deepEqual(await labels(p), working, `${locale}: the same labels as a working modal`);
    assert.equal((await screen(p, 'dialog.vlens-modal')).text, locale === 'ar' ? BLOCKED_AR : BLOCKED_EN);
    assert.deepEqual(await p.evaluate(() => T.body.filter((e) => e.type === 'vlens:error').length), 1, 'events on the body');
    await p.page.click('.vlens-close');
    await p.waitEvent('m', 'vlens:destroy');
    assert.equal(await p.evaluate(() => document.querySelectorAll('dialog').length), 0, 'closed');
    assert.equal((await p.result('m')).status, 'error', 'result stays the error');
    assert.deepEqual(p.pageErrors, []);
    await p.close();
  }
});

test('CSP without wasm-unsafe-eval, ES module: the same WASM_BLOCKED session', async () => {
  const p = await h.open('/nowasm/host-esm.html');
  await p.mount('e', h.token('ok'), { baseUrl: h.base('auto') });
  assert.equal((await p.waitEvent('e', 'vlens:error')).code, 'WASM_BLOCKED');
  assert.deepEqual(await screen(p, '#e'), { text: BLOCKED_EN, retry: false, dir: 'ltr', iframes: 0, focused: true });
  assert.equal((await p.result('e')).error.code, 'WASM_BLOCKED');
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('CSP without wasm-unsafe-eval, React and Vue components and the custom element: the host app renders, the error is reported, nothing thrown', async () => {
  const url = h.token('ok', key('frameworks'));
  const baseUrl = h.base('auto');

  const react = await h.open('/nowasm/fixtures/gen/react-prod.html');
  await react.evaluate((s) => window.R.render(s), { provider: 'string', url, baseUrl, tag: 1 });
  await react.waitFor(() => window.R.log.some((e) => e[0] === 'error' && e[1] === 'WASM_BLOCKED'), null, { what: 'onError WASM_BLOCKED (React)' });
  assert.equal(await react.evaluate(() => !!document.querySelector('#root > #vlens.vlens-box')), true, 'the React app still renders');
  assert.equal((await screen(react, '#vlens')).text, BLOCKED_EN);
  assert.deepEqual(react.pageErrors, []);
  await react.close();

  const vue = await h.open('/nowasm/fixtures/gen/vue.html');
  await vue.evaluate((s) => window.V.set(s), { show: true, url, baseUrl });
  await vue.waitFor(() => window.V.emits.some((e) => e[0] === 'error' && e[1].code === 'WASM_BLOCKED'), null, { what: 'error emit WASM_BLOCKED (Vue)' });
  assert.equal(await vue.evaluate(() => !!document.querySelector('#root #vlens')), true, 'the Vue app still renders');
  assert.equal((await screen(vue, '#vlens')).text, BLOCKED_EN);
  assert.deepEqual(vue.pageErrors, []);
  await vue.close();

  const el = await h.open('/nowasm/fixtures/gen/element.html');
  await el.evaluate(([url, baseUrl]) => {
    window.errors = [];
    const e = document.createElement('vlens-verification');
    e.addEventListener('vlens:error', (ev) => window.errors.push(ev.detail.code));
    e.setAttribute('base-url', baseUrl);
    e.setAttribute('token-url', url);
    document.body.append(e);
    e.tokenProvider = url + '&again=1';
    window.after = 'the host script went on';
  }, [url, baseUrl]);
  await el.waitFor(() => window.errors.length > 0, null, { what: 'vlens:error on the element' });
  assert.equal(await el.evaluate(() => window.after), 'the host script went on');
  await settle(100);
  assert.deepEqual(await el.evaluate(() => window.errors), ['WASM_BLOCKED']);
  assert.equal((await screen(el, 'vlens-verification')).text, BLOCKED_EN);
  assert.deepEqual(el.pageErrors, []);
  await el.close();
});
