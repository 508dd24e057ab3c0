// <vlens-verification> in Chromium: defined by dist/vlens.js (script tag), then again by
// dist/element.js (an ES import), against the fixture servers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, vlens, settle } from './harness.mjs';
import { buildFixtures, iframeCount, sendFromApp } from './frameworks.mjs';

let h;
before(async () => { await buildFixtures(); h = await setup(); });
after(async () => { await h?.close(); });

const open = () => h.open('/fixtures/gen/element.html');
/** Creates `<vlens-verification>` with `attrs`, records its events (from document), inserts it. */
const create = (p, attrs, { insert = true } = {}) => p.evaluate(([attrs, insert]) => {
  const el = document.createElement('vlens-verification');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  window.el = el;
  window.seen = window.seen || [];
  if (!window.__listening) {
    window.__listening = true;
    for (const t of ['vlens:token', 'vlens:ready', 'vlens:step', 'vlens:destroy', 'vlens:complete']) {
      document.addEventListener(t, (e) => window.seen.push([t, e.target === window.el, e.detail]));
    }
  }
  if (insert) document.body.append(el);
}, [attrs, insert]);
const count = (p, type) => p.evaluate((t) => window.seen.filter((e) => e[0] === t).length, type);
const waitCount = (p, type, n) => p.waitFor(([t, n]) => window.seen.filter((e) => e[0] === t).length >= n, [type, n], { what: `${n}× ${type}` });

test('defined once: dist/vlens.js, then dist/element.js, no error; Vlens global still there', async () => {
  const p = await open();
  const r = await p.evaluate(() => ({
    first: typeof window.__first, same: window.__first === window.__second, importError: window.__importError || null,
    global: typeof Vlens.mountVlens, defined: customElements.get('vlens-verification') === window.__first,
  }));
  assert.deepEqual(r, { first: 'function', same: true, importError: null, global: 'function', defined: true });
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('attributes become options; vlens:* events bubble from the element; session is read-only', async () => {
  const p = await open();
  const k = key('attrs');
  await create(p, { 'token-url': h.token('ok', k), 'base-url': h.base('auto'), height: '420', width: '300px', 'min-height': '100', 'max-height': '500', 'auto-resize': 'false', allow: 'fullscreen', title: 'KYC here' });
  await waitCount(p, 'vlens:ready', 1);
  const f = await p.evaluate(() => {
    const i = window.el.querySelector('iframe');
    return { height: i.style.height, width: `${i.getBoundingClientRect().width}px`, allow: i.getAttribute('allow'), title: i.title, src: i.src.split('?')[0], state: window.el.session.state };
  });
  assert.deepEqual(f, { height: '420px', width: '300px', allow: f.allow, title: 'KYC here', src: `${h.base('auto')}/session`, state: 'ready' });
  assert.match(f.allow, /fullscreen/);
  await sendFromApp(p, 'vlens-verification iframe', vlens('resize', { height: 900 }));
  await sendFromApp(p, 'vlens-verification iframe', vlens('step', { step: 's1' }));
  await waitCount(p, 'vlens:step', 1);
  assert.equal(await p.evaluate(() => window.el.querySelector('iframe').style.height), '420px', 'auto-resize="false": not resized');
  assert.ok(await p.evaluate(() => window.seen.every((e) => e[1])), 'every event came from the element');
  const ro = await p.evaluate(() => { const s = window.el.session; try { window.el.session = null; } catch { /* strict */ } return window.el.session === s; });
  assert.equal(ro, true);
  assert.equal((await h.calls(k)).length, 1);
  await p.close();
});

test('mounts when connected and a provider is set (tokenProvider set later); tokenProvider overrides token-url; options merge under attributes', async () => {
  const p = await open();
  const kAttr = key('attr');
  const kProp = key('prop');
  await create(p, { 'base-url': h.base('auto') });
  await settle();
  assert.equal(await p.evaluate(() => window.el.session), null, 'no provider: not mounted');
  await p.evaluate(([url, base]) => {
    window.el.options = { height: 333, baseUrl: 'http://ignored.invalid', onReady: () => { window.onReadyCalled = true; } };
    window.el.setAttribute('token-url', url);
  }, [h.token('ok', kAttr), h.base('auto')]);
  await waitCount(p, 'vlens:ready', 1);
  assert.equal(await p.evaluate(() => window.onReadyCalled), true, 'options callbacks are used');
  assert.equal(await p.evaluate(() => window.el.querySelector('iframe').style.height), '333px', 'options apply');
  // A function provider overrides token-url: remounts once.
  await p.evaluate((url) => {
    window.el.tokenProvider = ({ signal }) => fetch(url, { method: 'POST', signal }).then((r) => r.json()).then((j) => j.token);
  }, h.token('ok', kProp));
  await waitCount(p, 'vlens:ready', 2);
  await settle();
  assert.equal((await h.calls(kAttr)).length, 1);
  assert.equal((await h.calls(kProp)).length, 1);
  assert.equal(await iframeCount(p), 1);
  await p.close();
});

test('removal destroys (result destroyed), re-insertion mounts anew; token-url or base-url change remounts once', async () => {
  const p = await open();
  const base = await p.evaluate(() => window.messageListeners());
  const k = key('life');
  await create(p, { 'token-url': h.token('ok', k), 'base-url': h.base('auto') });
  await waitCount(p, 'vlens:ready', 1);
  await p.evaluate(() => { window.first = window.el.session; window.el.remove(); });
  assert.deepEqual(await p.evaluate(() => window.first.result), { status: 'destroyed' });
  assert.equal(await p.evaluate(() => window.el.session), null);
  assert.equal(await iframeCount(p), 0);
  assert.equal(await p.evaluate(() => window.messageListeners()), base);
  await p.evaluate(() => document.body.append(window.el));
  await waitCount(p, 'vlens:ready', 2);
  assert.equal((await h.calls(k)).length, 2, 're-insertion: a new session');
  const k2 = key('life2');
  await p.evaluate((u) => window.el.setAttribute('token-url', u), h.token('ok', k2));
  await waitCount(p, 'vlens:ready', 3);
  await p.evaluate((b) => window.el.setAttribute('base-url', b), `${h.base('auto')}/x`);
  await waitCount(p, 'vlens:ready', 4);
  await p.evaluate(() => window.el.setAttribute('height', '600'));
  await settle();
  assert.equal((await h.calls(k2)).length, 2, 'one call per change');
  // The removal's vlens:destroy fires on the detached element, so the document sees the two remounts'.
  assert.equal(await count(p, 'vlens:destroy'), 2);
  assert.equal(await iframeCount(p), 1);
  assert.equal(await p.evaluate(() => window.messageListeners()), base + 1);
  await p.close();
});

test('a bad attribute or property is a vlens:error INVALID_ARGUMENT on the element (and console.error), never a page error; fixing it mounts', async () => {
  const p = await open();
  await p.evaluate(() => {
    window.errors = [];
    document.addEventListener('vlens:error', (e) => window.errors.push([e.target.localName, e.detail.code, e.detail.source, e.detail.message]));
  });
  const k = key('bad');
  for (const [attrs, needle] of [
    [{ 'token-url': h.token('ok', k), 'base-url': h.base('auto'), height: 'tall' }, /^height /],
    [{ 'token-url': 'https://api.vlenseg.com/api/x', 'base-url': h.base('auto') }, /api\.vlenseg\.com/],
    [{ 'token-url': h.token('ok', k), 'base-url': 'http://example.com' }, /^baseUrl /],
    [{ 'token-url': h.token('ok', k), 'base-url': h.base('auto'), allow: '<script>' }, /^allow /],
    [{ 'token-url': h.token('ok', k), 'base-url': h.base('auto'), 'ready-on': 'later' }, /^readyOn /],
  ]) {
    await p.evaluate(() => { window.errors.length = 0; });
    await create(p, attrs);
    const got = await p.evaluate(() => window.errors);
    assert.equal(got.length, 1, `${JSON.stringify(attrs)}: one vlens:error`);
    assert.deepEqual(got[0].slice(0, 3), ['vlens-verification', 'INVALID_ARGUMENT', 'widget']);
    // The shipped build names the argument; the development build explains it (startup.test.mjs).
    assert.match(got[0][3], needle);
    await p.evaluate(() => window.el.remove());
  }
  // A bad property too, and the element mounts once it is fixed.
  await p.evaluate(() => { window.errors.length = 0; });
  await create(p, { 'base-url': h.base('auto') });
  await p.evaluate(() => { window.el.tokenProvider = 42; });
  assert.match((await p.evaluate(() => window.errors))[0][3], /tokenProvider/);
  await p.evaluate((u) => { window.el.options = 'height: 700'; window.el.tokenProvider = u; }, h.token('ok', k));
  assert.match((await p.evaluate(() => window.errors)).at(-1)[3], /^options /);
  await p.evaluate(() => { window.el.options = { height: 500 }; });
  await waitCount(p, 'vlens:ready', 1);
  // A bad value on the mounted element: reported; the session goes on.
  await p.evaluate(() => { window.errors.length = 0; window.el.setAttribute('locale', 'fr'); });
  assert.match((await p.evaluate(() => window.errors))[0][3], /^locale /);
  assert.equal(await p.evaluate(() => window.el.session.state), 'ready');
  assert.deepEqual(p.pageErrors, [], 'nothing thrown into the page');
  assert.ok(p.consoleErrors.length >= 9, 'each one on the console too');
  await p.close();
});

test('a moved element keeps its session: moveBefore() and appendChild() alike, the same iframe, one token request', async () => {
  const p = await open();
  const k = key('move');
  await p.evaluate(() => { for (const id of ['a', 'b']) document.body.append(Object.assign(document.createElement('div'), { id })); });
  await create(p, { 'token-url': h.token('ok', k), 'base-url': h.base('auto') });
  await waitCount(p, 'vlens:ready', 1);
  await p.evaluate(() => { window.first = window.el.session; window.el.querySelector('iframe').__mark = 'first'; });
  const moves = await p.evaluate(() => typeof Element.prototype.moveBefore === 'function'
    ? ['moveBefore', 'appendChild'] : ['appendChild']);
  for (const how of moves) {
    await p.evaluate((how) => {
      const to = document.getElementById(window.el.parentNode.id === 'a' ? 'b' : 'a');
      if (how === 'moveBefore') to.moveBefore(window.el, null);
      else to.appendChild(window.el);
    }, how);
    await settle();
    const r = await p.evaluate(() => [window.el.session === window.first, window.first.state, window.el.querySelector('iframe') && window.el.querySelector('iframe').__mark, document.querySelectorAll('iframe').length]);
    assert.deepEqual(r, [true, 'ready', 'first', 1], `${how}: the same session and iframe`);
  }
  assert.equal((await h.calls(k)).length, 1, 'one token request');
  assert.equal(await count(p, 'vlens:destroy'), 0);
  await sendFromApp(p, 'vlens-verification iframe', vlens('step', { step: 'after-move' }));
  await waitCount(p, 'vlens:step', 1);
  await p.close();
});

test('the locale, mode and ui attributes reach the session; open="false" closes it', async () => {
  const p = await open();
  await create(p, { 'token-url': h.token('ok', key('ar')), 'base-url': h.base('auto'), locale: 'ar', mode: 'modal', 'ready-on': 'message', debug: 'false' });
  await p.waitFor(() => document.querySelector('dialog.vlens-modal')?.open, null, { what: 'the Arabic dialog' });
  assert.deepEqual(await p.evaluate(() => [document.querySelector('dialog').lang, document.querySelector('dialog').dir]), ['ar', 'rtl']);
  await p.evaluate(() => window.el.setAttribute('open', 'false'));
  await p.waitFor(() => !document.querySelector('dialog'), null, { what: 'closed by open="false"' });
  await p.evaluate(() => window.el.remove());
  await create(p, { 'token-url': h.token('ok', key('bare')), 'base-url': h.base('auto'), ui: 'false' });
  await waitCount(p, 'vlens:ready', 1);
  assert.equal(await p.evaluate(() => window.el.querySelector(':scope > iframe') !== null && !window.el.querySelector('.vlens')), true, 'ui="false": the iframe straight in the element');
  await p.close();
});
