// destroy(), remount, signal, selector mounting, synchronous VlensError, and 500 mount/destroy cycles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, settle } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

test('destroy while the token request is pending: the request is aborted and no iframe ever appears', async () => {
  const p = await h.open();
  const k = key('pending-url');
  await p.mount('d', h.token('hang', k), { baseUrl: h.base('auto') });
  await p.waitEvent('d', 'vlens:token');
  for (let i = 0; i < 200 && (await h.calls(k)).length === 0; i++) await settle(20);
  assert.equal((await h.calls(k)).length, 1, 'the request reached the server');
  await p.evaluate(() => T.s.d.session.destroy());
  await p.waitEvent('d', 'vlens:destroy');
  assert.deepEqual(await p.result('d'), { status: 'destroyed' });
  assert.equal(await p.state('d'), 'destroyed');
  for (let i = 0; i < 100 && !(await h.calls(k))[0].aborted; i++) await settle(20);
  assert.equal((await h.calls(k))[0].aborted, true, 'the server saw the request aborted');
  await settle(300);
  assert.deepEqual(await p.types('d'), ['vlens:token', 'vlens:destroy']);
  assert.equal(await p.evaluate(() => document.querySelectorAll('iframe').length), 0);
  assert.equal(await p.evaluate(() => T.s.d.session.iframe == null), true);
  await p.close();
});

test('destroy while a function provider is pending: ctx.signal is aborted and a late token is ignored', async () => {
  const p = await h.open();
  await p.evaluate((baseUrl) => {
    T.inserted = 0;
    new MutationObserver((recs) => { for (const r of recs) for (const n of r.addedNodes) if (n.nodeName === 'IFRAME') T.inserted++; })
      .observe(document.body, { childList: true, subtree: true });
    T.mount('d', (ctx) => { T.ctx = ctx; return new Promise((resolve) => { T.resolveLate = resolve; }); }, { baseUrl });
  }, h.base('auto'));
  await p.waitFor(() => !!T.ctx, null, { what: 'the provider call' });
  assert.equal(await p.evaluate(() => T.ctx.signal.aborted), false);
  await p.evaluate(() => T.s.d.session.destroy());
  await p.waitEvent('d', 'vlens:destroy');
  assert.equal(await p.evaluate(() => T.ctx.signal.aborted), true, 'ctx.signal aborted by destroy()');
  assert.deepEqual(await p.result('d'), { status: 'destroyed' });
  await p.evaluate(() => T.resolveLate('late-token'));
  await settle(300);
  assert.equal(await p.evaluate(() => T.inserted), 0, 'no iframe was ever inserted');
  assert.deepEqual(await p.types('d', true), ['vlens:state', 'vlens:token', 'vlens:state', 'vlens:destroy'], 'vlens:destroy is the last event');
  assert.deepEqual((await p.dom('d')).map((e) => e.type), ['vlens:state', 'vlens:token', 'vlens:state', 'vlens:destroy']);
  assert.deepEqual(await p.states('d'), ['token', 'destroyed']);
  await p.close();
});

test('destroy while the iframe is loading: no load and no LOAD_TIMEOUT afterwards', async () => {
  const p = await h.open();
  await p.mount('d', h.token('ok', key('destroy-loading')), { baseUrl: h.base('hang'), loadTimeoutMs: 300 });
  await p.waitFor(() => !!T.s.d.session.iframe, null, { what: 'the iframe' });
  await p.evaluate(() => T.s.d.session.destroy());
  await settle(600);
  assert.deepEqual(await p.types('d'), ['vlens:token', 'vlens:destroy']);
  assert.equal(await p.evaluate(() => document.querySelectorAll('iframe').length), 0);
  await p.close();
});

test('destroy during the retry backoff: no further attempt', async () => {
  const p = await h.open();
  const k = key('destroy-backoff');
  await p.mount('d', h.token('status/503', k), { baseUrl: h.base('auto'), retries: 2 });
  for (let i = 0; i < 200 && (await h.calls(k)).length === 0; i++) await settle(10);
  await p.evaluate(() => T.s.d.session.destroy());
  const n = (await h.calls(k)).length;
  await settle(900); // longer than the two backoffs (≤ 250 + 500 ms)
  assert.equal((await h.calls(k)).length, n, 'no request after destroy');
  const types = await p.types('d');
  assert.equal(types.at(-1), 'vlens:destroy');
  assert.ok(!types.includes('vlens:error'), `no error after destroy: ${types}`);
  await p.close();
});

test('destroy twice fires one vlens:destroy; refresh() after destroy does nothing', async () => {
  const p = await h.open();
  const k = key('twice');
  await p.mount('d', h.token('ok', k), { baseUrl: h.base('auto') });
  await p.waitEvent('d', 'vlens:ready');
  await p.evaluate(() => { T.s.d.session.destroy(); T.s.d.session.destroy(); });
  await p.waitEvent('d', 'vlens:destroy');
  await p.evaluate(() => { T.s.d.session.destroy(); T.s.d.session.refresh(); });
  await settle(300);
  const types = await p.types('d');
  assert.equal(types.filter((t) => t === 'vlens:destroy').length, 1);
  assert.equal(types.at(-1), 'vlens:destroy');
  assert.equal((await p.dom('d')).filter((e) => e.type === 'vlens:destroy').length, 1);
  assert.equal((await h.calls(k)).length, 1, 'refresh() after destroy asks for no token');
  assert.equal(await p.evaluate(() => document.querySelectorAll('iframe').length), 0);
  assert.deepEqual(await p.result('d'), { status: 'destroyed' });
  await p.close();
});

test('remounting into the same element destroys the old session first', async () => {
  const p = await h.open();
  await p.mount('a', h.token('ok', key('remount-a')), { baseUrl: h.base('auto') }, { into: 'box' });
  await p.waitEvent('a', 'vlens:ready');
  await p.evaluate(() => { T.oldIframe = T.s.a.session.iframe; });
  await p.mount('b', h.token('ok', key('remount-b')), { baseUrl: h.base('auto') }, { into: 'box' });
  assert.equal(await p.state('a'), 'destroyed', 'the old session is destroyed synchronously');
  await p.waitEvent('a', 'vlens:destroy');
  assert.deepEqual(await p.result('a'), { status: 'destroyed' });
  await p.waitEvent('b', 'vlens:ready');
  const r = await p.evaluate(() => ({
    inBox: document.querySelectorAll('#box iframe').length,
    all: document.querySelectorAll('iframe').length,
    isB: document.querySelector('#box iframe') === T.s.b.session.iframe,
    oldConnected: T.oldIframe.isConnected,
    aIframe: T.s.a.session.iframe == null,
  }));
  assert.deepEqual(r, { inBox: 1, all: 1, isB: true, oldConnected: false, aIframe: true });
  const aTypes = await p.types('a');
  assert.equal(aTypes.at(-1), 'vlens:destroy');
  assert.equal(aTypes.filter((t) => t === 'vlens:destroy').length, 1);
  await p.close();
});

test('two synchronous mounts on one element (React StrictMode) leave one iframe, ever', async () => {
  const p = await h.open();
  await p.evaluate((baseUrl) => {
    const el = T.container('strict');
    T.inserted = 0;
    new MutationObserver((recs) => { for (const r of recs) for (const n of r.addedNodes) if (n.nodeName === 'IFRAME') T.inserted++; })
      .observe(el, { childList: true, subtree: true });
    T.mount('first', () => 'strict-1', { baseUrl }, { into: 'strict' });
    T.mount('second', () => 'strict-2', { baseUrl }, { into: 'strict' });
  }, h.base('auto'));
  await p.waitEvent('second', 'vlens:ready');
  await p.waitEvent('first', 'vlens:destroy');
  await settle(200);
  assert.equal(await p.evaluate(() => T.inserted), 1, 'only one iframe was ever inserted');
  assert.equal(await p.evaluate(() => document.querySelectorAll('#strict iframe').length), 1);
  await p.frame('second', { token: 'strict-2' });
  assert.equal((await p.types('first')).at(-1), 'vlens:destroy');
  await p.close();
});

test('aborting the signal option destroys the session', async () => {
  const p = await h.open();
  await p.evaluate(([url, baseUrl]) => {
    T.ac = new AbortController();
    T.mount('s', url, { baseUrl, signal: T.ac.signal });
  }, [h.token('ok', key('signal')), h.base('auto')]);
  await p.waitEvent('s', 'vlens:ready');
  await p.evaluate(() => T.ac.abort());
  await p.waitEvent('s', 'vlens:destroy');
  assert.equal(await p.state('s'), 'destroyed');
  assert.deepEqual(await p.result('s'), { status: 'destroyed' });
  assert.equal(await p.evaluate(() => document.querySelectorAll('iframe').length), 0);
  assert.equal((await p.types('s')).at(-1), 'vlens:destroy');
  await p.close();
});

test('an already-aborted signal destroys at once: vlens:destroy is the only event, after mountVlens returns', async () => {
  const p = await h.open();
  const sync = await p.evaluate((baseUrl) => {
    T.calls = 0;
    return T.mount('s', () => { T.calls++; return 'never'; }, { baseUrl, signal: AbortSignal.abort() });
  }, h.base('auto'));
  assert.equal(sync.events, 0, 'no event before mountVlens returns, as documented');
  await p.waitEvent('s', 'vlens:destroy');
  await settle(200);
  assert.deepEqual(await p.types('s'), ['vlens:destroy']);
  assert.deepEqual(await p.states('s'), ['destroyed']);
  assert.equal(await p.evaluate(() => T.calls), 0, 'the provider is not called');
  assert.deepEqual(await p.result('s'), { status: 'destroyed' });
  assert.equal(await p.evaluate(() => document.querySelectorAll('iframe').length), 0);
  await p.close();
});

test('mounting with a CSS selector string', async () => {
  const p = await h.open();
  await p.mount('sel', h.token('ok', key('selector')), { baseUrl: h.base('auto') }, { selector: true });
  await p.waitEvent('sel', 'vlens:ready');
  assert.equal(await p.evaluate(() => document.querySelectorAll('#sel > .vlens > iframe').length), 1);
  assert.deepEqual((await p.dom('sel')).map((e) => e.type).slice(0, 2), ['vlens:state', 'vlens:token'], 'events on the selected element');
  await p.close();
});

test('programmer errors throw VlensError synchronously once the module is ready', async () => {
  const p = await h.open();
  const results = await p.evaluate(async () => {
    await preload();
    const el = T.container('bad');
    T.badCalls = 0;
    const fn = () => { T.badCalls++; return 'tok'; };
    const cases = {
      'missing element': () => mountVlens(undefined, fn),
      'null element': () => mountVlens(null, fn),
      'plain object element': () => mountVlens({ id: 'x' }, fn),
      'selector matching nothing': () => mountVlens('#does-not-exist', fn),
      'invalid selector': () => mountVlens('##!', fn),
      'missing provider': () => mountVlens(el, undefined),
      'number provider': () => mountVlens(el, 42),
      'object provider without url': () => mountVlens(el, { method: 'POST' }),
      'http baseUrl': () => mountVlens(el, fn, { baseUrl: 'http://example.com' }),
      'baseUrl with credentials': () => mountVlens(el, fn, { baseUrl: 'https://user:pw@app.vlenseg.com' }),
      'baseUrl with query': () => mountVlens(el, fn, { baseUrl: 'https://app.vlenseg.com/?x=1' }),
      'baseUrl with fragment': () => mountVlens(el, fn, { baseUrl: 'https://app.vlenseg.com/#f' }),
      'baseUrl not a URL': () => mountVlens(el, fn, { baseUrl: 'not a url' }),
      'apiKey option': () => mountVlens(el, fn, { apiKey: 'secret' }),
      'ApiKey option': () => mountVlens(el, fn, { ApiKey: 'secret' }),
      'Vlens API provider URL': () => mountVlens(el, 'https://api.vlenseg.com/api/IdentityUserSession/CreateAuthSession'),
      'Vlens API provider object': () => mountVlens(el, { url: 'https://api.vlenseg.com/api/IdentityUserSession/CreateInvitation' }),
      'invalid CSS height': () => mountVlens(el, fn, { height: 'banana' }),
    };
    const out = {};
    for (const [name, run] of Object.entries(cases)) {
      try {
        const s = run();
        out[name] = { threw: false };
        try { s && s.destroy(); } catch { /* ignore */ }
      } catch (e) {
        out[name] = {
          threw: true,
          isVlensError: e instanceof VlensError,
          isError: e instanceof Error,
          name: e && e.name,
          code: e && e.code,
          message: String(e && e.message),
        };
      }
    }
    return out;
  });
  for (const [name, r] of Object.entries(results)) {
    assert.equal(r.threw, true, `${name}: throws`);
    assert.equal(r.isVlensError, true, `${name}: instanceof VlensError (${r.name}: ${r.message})`);
    assert.equal(r.isError, true, `${name}: instanceof Error`);
    assert.equal(r.code, 'INVALID_ARGUMENT', `${name}: code`);
    assert.ok(r.message.length > 10 && r.message !== 'not implemented yet', `${name}: says what to fix: ${r.message}`);
  }
  for (const name of ['apiKey option', 'ApiKey option', 'Vlens API provider URL', 'Vlens API provider object']) {
    assert.match(results[name].message, /server/i, `${name}: explains that the ApiKey stays on the server: ${results[name].message}`);
  }
  await settle(200);
  assert.deepEqual(await p.dom('bad'), [], 'no event after a throw');
  assert.equal(await p.evaluate(() => T.badCalls), 0, 'the provider is never called');
  assert.equal(await p.evaluate(() => document.querySelectorAll('iframe').length), 0);
  await p.close();
});

test('loopback http baseUrls are accepted', async () => {
  const p = await h.open();
  const r = await p.evaluate(() => {
    const out = {};
    for (const baseUrl of ['http://localhost:9', 'http://127.0.0.1:9/vlens', 'http://[::1]:9']) {
      try { const s = mountVlens(T.container('lo' + Object.keys(out).length), () => 'tok', { baseUrl }); out[baseUrl] = s.state; s.destroy(); } catch (e) { out[baseUrl] = `threw ${e.message}`; }
    }
    return out;
  });
  assert.deepEqual(r, { 'http://localhost:9': 'token', 'http://127.0.0.1:9/vlens': 'token', 'http://[::1]:9': 'token' });
  await p.close();
});

async function listenerTypes(cdp, expression) {
  const { result } = await cdp.send('Runtime.evaluate', { expression });
  const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId, depth: 0 });
  await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
  const counts = {};
  for (const l of listeners) counts[l.type] = (counts[l.type] || 0) + 1;
  return counts;
}

const CYCLES = 500; // issue 4: 500 mount/destroy cycles

test(`${CYCLES} mount/destroy cycles leave no iframe, no listener and no timer behind`, async () => {
  const p = await h.open();
  const cdp = await p.page.context().newCDPSession(p.page);
  await p.evaluate(() => T.container('cyc'));
  const snapshot = async () => ({
    window: await listenerTypes(cdp, 'window'),
    document: await listenerTypes(cdp, 'document'),
    container: await listenerTypes(cdp, 'document.getElementById("cyc")'),
  });
  const before = await snapshot();

  // Sanity: a live session is visible to the listener count.
  await p.evaluate(async (baseUrl) => {
    T.live = mountVlens(document.getElementById('cyc'), () => 'live', { baseUrl });
    while (!T.live.iframe) await T.sleep(5);
  }, h.base('auto'));
  const during = await snapshot();
  assert.ok((during.window.message || 0) > (before.window.message || 0), `a session listens for messages on window: ${JSON.stringify(during.window)}`);
  await p.evaluate(() => T.live.destroy());

  const r = await p.evaluate(async ({ baseUrl, n }) => {
    const el = document.getElementById('cyc');
    const since = T.timers.seq();
    let destroys = 0;
    let notDestroyed = 0;
    const onDestroy = () => { destroys++; };
    el.addEventListener('vlens:destroy', onDestroy);
    const appeared = (s) => new Promise((resolve, reject) => {
      if (s.iframe && s.iframe.isConnected) return resolve();
      const mo = new MutationObserver(() => { if (s.iframe && s.iframe.isConnected) { mo.disconnect(); resolve(); } });
      mo.observe(el, { childList: true, subtree: true });
      T.sleep(5000).then(() => { mo.disconnect(); reject(new Error(`no iframe for session ${s.state}`)); });
    });
    for (let i = 0; i < n; i++) {
      const s = mountVlens(el, () => `cycle-${i}`, { baseUrl });
      await appeared(s);
      s.destroy();
      if (s.state !== 'destroyed' || s.iframe != null) notDestroyed++;
    }
    await T.sleep(50); // let the last destroy's microtasks run
    el.removeEventListener('vlens:destroy', onDestroy);
    return {
      iframes: document.querySelectorAll('iframe').length,
      boxes: el.childElementCount,
      destroys,
      notDestroyed,
      live: T.timers.liveSince(since),
    };
  }, { baseUrl: h.base('auto'), n: CYCLES });
  assert.equal(r.iframes, 0, 'no iframe left');
  assert.equal(r.boxes, 0, 'nothing of ours left in the container');
  assert.equal(r.destroys, CYCLES, 'one vlens:destroy per session');
  assert.equal(r.notDestroyed, 0);
  assert.deepEqual(r.live, [], 'no pending timer left');
  const afterwards = await snapshot();
  assert.deepEqual(afterwards, before, 'listeners on window, document and the container are back to where they were');

  // And the widget still works.
  await p.mount('final', h.token('ok', key('after-cycles')), { baseUrl: h.base('auto') }, { into: 'cyc' });
  await p.waitEvent('final', 'vlens:ready');
  assert.deepEqual(p.pageErrors, []);
  await cdp.detach();
  await p.close();
});
