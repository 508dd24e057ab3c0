// What the user sees around the iframe: the loading and error screens (English and Arabic),
// `ui: false`, and the modal mode with its focus trap, Escape, scroll lock and results.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, key, vlens, settle } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const EN_LOADING = 'Preparing secure verification…';
const AR_LOADING = 'جارٍ تجهيز التحقق الآمن…';

/** What the user sees in container `cid`: our screen, its texts, the iframe's visibility. */
function screen(p, cid) {
  return p.evaluate((cid) => {
    const c = document.getElementById(cid);
    const box = c.querySelector('.vlens');
    const layer = c.querySelector('.vlens-state');
    const frame = c.querySelector('iframe');
    const button = layer && layer.querySelector('button');
    return {
      role: layer && layer.getAttribute('role'),
      text: layer && layer.querySelector('.vlens-message').textContent,
      button: button && button.textContent,
      frameVisible: !!frame && getComputedStyle(frame).visibility === 'visible',
      focused: document.activeElement && document.activeElement.className,
      dir: box && box.getAttribute('dir'),
      lang: box && box.getAttribute('lang'),
      height: box && Math.round(box.getBoundingClientRect().height),
      coversFrame: !!(layer && frame) && Math.round(layer.getBoundingClientRect().height) === Math.round(frame.getBoundingClientRect().height),
    };
  }, cid);
}

test('loading screen: role=status with its text while the token is fetched and the app loads, sized like the iframe; revealed on ready', async () => {
  const p = await h.open();
  // readyOn 'message': the app stays hidden until it says ready (with 'load', until it loads).
  await p.mount('l', h.token('delay', key('load'), { ms: 400 }), { baseUrl: h.base('manual'), height: 520, readyOn: 'message' });
  const first = await screen(p, 'l');
  assert.equal(first.role, 'status');
  assert.equal(first.text, EN_LOADING);
  assert.equal(first.height, 520, 'the box holds the iframe\'s place before there is an iframe');
  assert.equal(first.focused === 'vlens-message', false, 'loading does not take focus');
  await p.frame('l');
  const loading = await screen(p, 'l');
  assert.equal(loading.text, EN_LOADING, 'still loading while the app has not said ready');
  assert.equal(loading.frameVisible, false, 'the iframe loads hidden underneath');
  assert.equal(loading.coversFrame, true, 'the loading screen covers the iframe exactly');
  assert.equal(loading.height, 520);
  await p.send('l', vlens('ready'));
  await p.waitEvent('l', 'vlens:ready');
  const ready = await screen(p, 'l');
  assert.deepEqual([ready.role, ready.text, ready.frameVisible], [null, null, true], 'on ready only the app is left');
  assert.equal(ready.height, 520, 'the page did not jump');
  await p.close();
});

test('the loading animation stops under prefers-reduced-motion', async () => {
  const p = await h.open();
  const anim = async () => p.evaluate(() => getComputedStyle(document.querySelector('.vlens-spinner')).animationName);
  await p.mount('m', h.token('hang', key('motion')), { baseUrl: h.base('manual') });
  assert.equal(await anim(), 'vlens-spin');
  await p.page.emulateMedia({ reducedMotion: 'reduce' });
  assert.equal(await anim(), 'none');
  await p.close();
});

test('error screens: a message per code, focus on it, "Try again" only when refresh() may help', async () => {
  const p = await h.open();
  await p.mount('t', h.token('status/500', key('e500')), { baseUrl: h.base('auto'), retries: 0 });
  await p.mount('v', h.token('value', key('einv'), { v: '' }), { baseUrl: h.base('auto') });
  await p.mount('h', h.token('ok', key('ehang')), { baseUrl: h.base('hang'), loadTimeoutMs: 300 });
  for (const id of ['t', 'v', 'h']) await p.waitEvent(id, 'vlens:error');
  const [t, v, hang] = [await screen(p, 't'), await screen(p, 'v'), await screen(p, 'h')];
  assert.equal(t.text, 'We couldn’t start the verification. Check your connection and try again.');
  assert.equal(t.button, 'Try again');
  assert.equal(v.text, t.text, 'TOKEN_INVALID: the same words for the user');
  assert.equal(v.button, null, 'TOKEN_INVALID is not recoverable: no button');
  assert.equal(hang.text, 'The verification didn’t load. Check your connection and try again.');
  assert.equal(hang.button, 'Try again');
  assert.equal(hang.frameVisible, false, 'the half-loaded iframe stays hidden');
  assert.equal(hang.focused, 'vlens-message', 'focus moved to the latest message');
  const cam = await h.open('/host-camera-blocked.html');
  await cam.mount('c', h.token('ok', key('ecam')), { baseUrl: h.base('auto') });
  await cam.waitEvent('c', 'vlens:error');
  const c = await screen(cam, 'c');
  assert.match(c.text, /doesn’t allow camera access/);
  assert.equal(c.button, null);
  assert.equal(await cam.state('c'), 'error');
  assert.equal(await cam.evaluate(() => document.querySelectorAll('#c iframe').length), 0, 'the flow stops before the user walks through it for nothing');
  await cam.close();
  await p.close();
});

test('"Try again" recovers after a failing-then-working provider', async () => {
  const p = await h.open();
  const k = key('retry');
  // readyOn 'message' and an app that says ready only when told: the loading screen stays
  // up for as long as the check needs.
  await p.mount('r', h.token('flaky', k), { baseUrl: h.base('manual'), retries: 0, readyOn: 'message' });
  await p.waitEvent('r', 'vlens:error');
  await p.page.click('#r .vlens-retry');
  assert.equal(await p.evaluate(() => document.activeElement.textContent), 'Preparing secure verification…', 'focus moves on to the loading screen, not to <body>');
  await p.waitEvent('r', 'vlens:load');
  await p.send('r', vlens('ready'));
  await p.waitEvent('r', 'vlens:ready');
  assert.equal(await p.evaluate(() => document.activeElement.tagName), 'IFRAME', 'and then to the app');
  const s = await screen(p, 'r');
  assert.deepEqual([s.role, s.frameVisible], [null, true]);
  assert.deepEqual(await p.states('r'), ['token', 'error', 'token', 'loading', 'ready']);
  assert.equal((await h.calls(k)).length, 2);
  await p.close();
});

test('ui: false renders nothing of ours, also on errors', async () => {
  const p = await h.open();
  await p.mount('u', h.token('ok', key('uioff')), { baseUrl: h.base('auto'), ui: false });
  await p.mount('e', h.token('status/500', key('uioff-e')), { baseUrl: h.base('auto'), ui: false, retries: 0 });
  await p.waitEvent('u', 'vlens:ready');
  await p.waitEvent('e', 'vlens:error');
  const dom = await p.evaluate(() => ({
    u: [...document.getElementById('u').children].map((c) => c.tagName),
    e: document.getElementById('e').children.length,
    ours: document.querySelectorAll('[class^="vlens-"]:not(.vlens-container), .vlens').length,
    sheets: document.adoptedStyleSheets.length,
    width: document.querySelector('#u iframe').style.width,
  }));
  assert.deepEqual(dom, { u: ['IFRAME'], e: 0, ours: 0, sheets: 0, width: '100%' });
  await p.close();
});

test('Arabic: right to left with Arabic text, from locale or from <html lang>; messages replace any text', async () => {
  const p = await h.open();
  await p.mount('a', h.token('hang', key('ar')), { baseUrl: h.base('manual'), locale: 'ar' });
  const a = await screen(p, 'a');
  assert.deepEqual([a.text, a.dir, a.lang], [AR_LOADING, 'rtl', 'ar']);
  const page = await h.open('/host-ar.html');
  await page.mount('d', h.token('status/500', key('ar-page')), { baseUrl: h.base('auto'), retries: 0, messages: { retry: 'أعد المحاولة' } });
  await page.waitEvent('d', 'vlens:error');
  const d = await screen(page, 'd');
  assert.deepEqual([d.text, d.button, d.dir], ['تعذّر بدء التحقق. تحقّق من اتصالك وحاول مرة أخرى.', 'أعد المحاولة', 'rtl']);
  await page.mount('e', h.token('hang', key('ar-en')), { baseUrl: h.base('manual'), locale: 'en', messages: { loading: 'One moment…' } });
  const e = await screen(page, 'e');
  assert.deepEqual([e.text, e.dir, e.lang], ['One moment…', 'ltr', 'en']);
  const err = await page.evaluate(async () => { await preload(); try { mountVlens(T.container('x'), '/t', { messages: { retyr: 'x' } }); } catch (e) { return e.message; } });
  assert.match(err, /messages\.retyr/);
  await page.close();
  await p.close();
});

test('a strict CSP (no unsafe-inline styles) sees zero violations, and the screens are still styled', async () => {
  const p = await h.open('/host-csp.html');
  await p.mount('c', h.token('hang', key('csp')), { baseUrl: h.base('manual') });
  await p.mount('e', h.token('status/500', key('csp-e')), { baseUrl: h.base('auto'), retries: 0 });
  await p.waitEvent('e', 'vlens:error');
  await p.mount('m', h.token('ok', key('csp-m')), { baseUrl: h.base('auto'), mode: 'modal' });
  await p.waitEvent('m', 'vlens:ready');
  const r = await p.evaluate(() => ({
    violations: T.violations,
    position: getComputedStyle(document.querySelector('#c .vlens-state')).position,
    backdrop: getComputedStyle(document.querySelector('dialog.vlens-modal')).borderTopWidth,
  }));
  assert.deepEqual(r, { violations: [], position: 'absolute', backdrop: '0px' });
  await p.close();
});

test('host resets (Tailwind v3 preflight, Bootstrap reboot) do not undo the screens; a host rule one class stronger and the custom properties restyle them', async () => {
  const p = await h.open('/host-reset.html');
  await p.mount('r', h.token('status/500', key('reset')), { baseUrl: h.base('auto'), retries: 0 });
  await p.evaluate(() => { const wrap = document.createElement('div'); wrap.className = 'brand'; document.body.appendChild(wrap); wrap.appendChild(T.container('b')); });
  await p.mount('b', h.token('status/500', key('reset-b')), { baseUrl: h.base('auto'), retries: 0 });
  await p.waitEvent('r', 'vlens:error');
  await p.waitEvent('b', 'vlens:error');
  const look = (cid) => p.evaluate((cid) => {
    const b = getComputedStyle(document.querySelector(`#${cid} .vlens-retry`));
    const m = getComputedStyle(document.querySelector(`#${cid} .vlens-message`));
    return { background: b.backgroundColor, color: b.color, padding: b.padding, radius: b.borderRadius, margin: m.marginBottom };
  }, cid);
  assert.deepEqual(await look('r'), { background: 'rgb(29, 78, 216)', color: 'rgb(255, 255, 255)', padding: '10px 24px', radius: '8px', margin: '0px' });
  assert.deepEqual(await look('b'), { background: 'rgb(13, 110, 110)', color: 'rgb(255, 255, 255)', padding: '10px 24px', radius: '999px', margin: '0px' });
  await p.close();
});

// ---------------------------------------------------------------- modal

const modalPage = (pathname) => h.modalPage(pathname, 0);

function modal(p) {
  return p.evaluate(() => {
    const d = document.querySelector('dialog.vlens-modal');
    if (!d) return null;
    const r = d.getBoundingClientRect();
    return {
      open: d.open,
      modal: d.matches(':modal'),
      ariaModal: d.getAttribute('aria-modal'),
      label: d.getAttribute('aria-label'),
      close: d.querySelector('.vlens-close').getAttribute('aria-label'),
      focusInside: d.contains(document.activeElement),
      focused: document.activeElement.className || document.activeElement.tagName,
      overflow: getComputedStyle(document.documentElement).overflow,
      rect: [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)],
      dir: d.getAttribute('dir'),
    };
  });
}

test('modal: a labelled dialog over the page with no element, focus on its close button, scroll locked', async () => {
  const p = await modalPage();
  await p.page.setViewportSize({ width: 1280, height: 800 });
  await p.mount('m', h.token('ok', key('modal')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  const m = await modal(p);
  assert.equal(m.open && m.modal, true);
  assert.equal(m.ariaModal, 'true');
  assert.deepEqual([m.label, m.close], ['Identity verification', 'Close']);
  assert.equal(m.focused, 'vlens-close');
  assert.equal(m.overflow, 'hidden', 'page scroll is locked');
  assert.deepEqual(m.rect, [380, 16, 520, 768], 'centred on a desktop');
  assert.equal(await p.page.getByRole('dialog', { name: 'Identity verification' }).count(), 1);
  await p.waitEvent('m', 'vlens:ready');
  assert.equal(await p.evaluate(() => document.querySelector('dialog iframe').getBoundingClientRect().height > 600), true, 'the iframe fills the dialog');
  await p.page.setViewportSize({ width: 390, height: 844 });
  assert.deepEqual((await modal(p)).rect, [0, 0, 390, 844], 'full screen on a phone');
  await p.close();
});

test('modal: Tab and Shift+Tab cycle inside it, while loading, on error and with the app on show', async () => {
  for (const [kind, base] of [['hang', 'manual'], ['status/500', 'auto'], ['ok', 'auto']]) {
    const p = await modalPage();
    await p.mount('m', h.token(kind, key('trap')), { baseUrl: h.base(base), mode: 'modal', retries: 0 }, { noElement: true });
    if (kind === 'ok') await p.waitEvent('m', 'vlens:ready');
    if (kind === 'status/500') await p.waitEvent('m', 'vlens:error');
    const seen = new Set();
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await p.page.keyboard.press(key);
      // Focus crossing into or out of the app's (out-of-process) frame lands in a moment;
      // what is checked is where it lands.
      await p.page.waitForFunction(() => document.querySelector('dialog.vlens-modal').contains(document.activeElement), null, { timeout: 1000 }).catch(() => {});
      const m = await modal(p);
      assert.equal(m.focusInside, true, `${kind}: after ${key} focus is on ${m.focused}, outside the dialog`);
      seen.add(m.focused);
    }
    const want = { hang: ['vlens-close'], 'status/500': ['vlens-close', 'vlens-retry'], ok: ['vlens-close', 'IFRAME'] }[kind];
    assert.deepEqual([...seen].sort(), want.sort(), `${kind}: focus visits exactly what can be used`);
    await p.close();
  }
});

test('modal: Escape closes it, cancels with reason closed, restores focus and scrolling', async () => {
  const p = await modalPage();
  await p.mount('m', h.token('ok', key('esc')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  await p.waitEvent('m', 'vlens:ready');
  await p.page.keyboard.press('Escape');
  assert.deepEqual(await p.result('m'), { status: 'cancelled', data: { reason: 'closed' } });
  assert.equal(await modal(p), null, 'the dialog is gone');
  const after = await p.evaluate(() => ({ focus: document.activeElement.id, overflow: getComputedStyle(document.documentElement).overflow, inline: document.documentElement.getAttribute('style') }));
  assert.deepEqual(after, { focus: 'opener', overflow: 'visible', inline: null });
  const types = await p.types('m');
  assert.deepEqual(types.slice(-2), ['vlens:cancel', 'vlens:destroy']);
  assert.deepEqual((await p.events('m')).find((e) => e.type === 'vlens:cancel').detail, { data: { reason: 'closed' } });
  assert.deepEqual(await p.states('m'), ['token', 'loading', 'ready', 'cancelled', 'destroyed']);
  await p.close();
});

test('modal: Escape inside the app belongs to the app (a cross-origin frame keeps its keys); Shift+Tab reaches Close', async () => {
  const p = await modalPage();
  await p.mount('m', h.token('ok', key('esc-in')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  await p.waitEvent('m', 'vlens:ready');
  const frame = await p.frame('m');
  await frame.evaluate(() => { const b = document.createElement('button'); b.textContent = 'in app'; document.body.appendChild(b); b.focus(); });
  await p.page.keyboard.press('Escape');
  await settle(200);
  assert.equal(await p.settled('m'), false, 'the app may use Escape for itself: the flow goes on');
  await p.page.keyboard.press('Shift+Tab');
  assert.equal((await modal(p)).focused, 'vlens-close', 'one Shift+Tab from the app\'s first control reaches Close');
  await p.page.keyboard.press('Escape');
  assert.deepEqual(await p.result('m'), { status: 'cancelled', data: { reason: 'closed' } });
  await p.close();
});

test('modal: the close button cancels while the token is still being fetched', async () => {
  const p = await modalPage();
  const k = key('close-btn');
  await p.mount('m', h.token('hang', k), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  await p.page.getByRole('button', { name: 'Close' }).click();
  assert.deepEqual(await p.result('m'), { status: 'cancelled', data: { reason: 'closed' } });
  assert.equal(await modal(p), null);
  await h.calls(k).then((calls) => assert.equal(calls[0].aborted, true, 'the pending token request was aborted'));
  assert.equal(await p.evaluate(() => document.activeElement.id), 'opener');
  await p.close();
});

test('modal: completion closes it after onComplete returns; destroy() settles destroyed', async () => {
  const p = await modalPage();
  await p.evaluate(() => { window.seenInComplete = null; });
  await p.mount('m', h.token('ok', key('done')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  await p.evaluate(() => {
    const rec = T.s.m;
    const prev = rec.session;
    document.body.addEventListener('vlens:complete', () => { window.seenInComplete = !!document.querySelector('dialog.vlens-modal'); });
    return !!prev;
  });
  await p.waitEvent('m', 'vlens:ready');
  await p.send('m', vlens('completed', { applicantId: 'a1' }));
  assert.deepEqual(await p.result('m'), { status: 'completed', data: { applicantId: 'a1' } });
  assert.equal(await p.evaluate(() => window.seenInComplete), true, 'the dialog was still open while the host handled completion');
  assert.equal(await modal(p), null, 'then it closed');
  assert.deepEqual((await p.types('m')).slice(-2), ['vlens:complete', 'vlens:destroy']);

  await p.mount('d', h.token('ok', key('destroy')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  await p.waitEvent('d', 'vlens:ready');
  await p.evaluate(() => T.s.d.session.destroy());
  assert.deepEqual(await p.result('d'), { status: 'destroyed' });
  assert.equal(await modal(p), null);
  assert.equal(await p.evaluate(() => getComputedStyle(document.documentElement).overflow), 'visible');
  await p.close();
});

test('modal in Arabic: right to left, Arabic labels', async () => {
  const p = await modalPage('/host-ar.html');
  await p.mount('m', h.token('hang', key('ar-modal')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  const m = await modal(p);
  assert.deepEqual([m.dir, m.label, m.close], ['rtl', 'التحقق من الهوية', 'إغلاق']);
  await p.close();
});

// ---------------------------------------------------------------- accessibility

async function axe(p, include) {
  await p.page.addScriptTag({ url: `${h.host}/axe.js` });
  return p.evaluate(async (include) => {
    const r = await window.axe.run(include ? { include: [include] } : document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, include);
}

test('axe-core finds no violations on the loading, error and modal screens, in English and Arabic', async () => {
  for (const pathname of ['/host-script.html', '/host-ar.html']) {
    const p = await h.open(pathname);
    await p.mount('l', h.token('hang', key('axe-l')), { baseUrl: h.base('manual') });
    await p.mount('e', h.token('status/500', key('axe-e')), { baseUrl: h.base('auto'), retries: 0 });
    await p.waitEvent('e', 'vlens:error');
    assert.deepEqual(await axe(p, '#l'), [], `${pathname}: loading`);
    assert.deepEqual(await axe(p, '#e'), [], `${pathname}: error`);
    await p.mount('m', h.token('status/500', key('axe-m')), { baseUrl: h.base('auto'), mode: 'modal', retries: 0 }, { noElement: true });
    await p.waitEvent('m', 'vlens:error');
    assert.deepEqual(await axe(p, 'dialog'), [], `${pathname}: modal`);
    await p.close();
  }
});
