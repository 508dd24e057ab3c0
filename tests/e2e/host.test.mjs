// The page is the host's: what the widget accepts from it and leaves of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setup, key, launchBrowser } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

test('messages need a visible character and a bounded length; title counts UTF-16 units, as JavaScript does', async () => {
  const p = await h.open();
  const outcomes = await p.evaluate(() => [
    { messages: { retry: '\u200b' } },
    { messages: { close: '\u202e\u2066 \ufeff' } },
    { messages: { loading: 'x'.repeat(1024 * 1024) } },
    { messages: { loading: 'x'.repeat(301) } },
    { messages: { retry: '\u200bRetry' } },
    { title: '😀'.repeat(100) },
    { title: '😀'.repeat(101) },
    { title: '\u200b\u200b' },
  ].map((options, i) => {
    try {
      window.mountVlens(T.container(`m${i}`), '/token/ok', options).destroy();
      return 'mounted';
    } catch (e) {
      return e.code;
    }
  }));
  assert.deepEqual(outcomes, [
    'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'mounted',
    'mounted', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT',
  ]);
  await p.close();
});

test('an app at http://[::1] gets the camera like one at localhost: no CAMERA_BLOCKED, and getUserMedia works in it', async () => {
  const app = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><p>app on [::1]</p>');
  });
  await new Promise((r) => app.listen(0, '::1', r));
  const browser = await launchBrowser({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${h.host}/host-script.html`);
    await page.waitForFunction(() => window.__ready === true);
    const base = `http://[::1]:${app.address().port}`;
    await page.evaluate(([url, baseUrl]) => T.mount('v6', url, { baseUrl }), [h.token('ok', key('v6')), base]);
    await page.waitForFunction(() => T.s.v6.events.some((e) => e.type === 'vlens:ready'));
    assert.equal(await page.evaluate(() => T.s.v6.events.some((e) => e.type === 'vlens:error')), false);
    const frame = page.frames().find((f) => f.url().startsWith(`${base}/session`));
    const camera = await frame.evaluate(async () => {
      try {
        const s = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
        s.getTracks().forEach((t) => t.stop());
        return 'granted';
      } catch (e) {
        return e.name;
      }
    });
    assert.equal(camera, 'granted');
  } finally {
    await browser.close();
    await new Promise((r) => app.close(r));
  }
});

// ---------------------------------------------------------------- the dialog under the host's hands

const modalPage = () => h.modalPage();

/** What the host sees of the page once a dialog has gone. */
function pageAfter(p) {
  return p.evaluate(() => ({
    dialogs: document.querySelectorAll('dialog').length,
    iframes: document.querySelectorAll('iframe').length,
    inline: document.documentElement.getAttribute('style'),
    overflow: getComputedStyle(document.documentElement).overflow,
  }));
}

for (const [how, end] of [
  ['dialog.close()', () => document.querySelector('dialog.vlens-modal').close()],
  ['dialog.requestClose()', () => document.querySelector('dialog.vlens-modal').requestClose()],
  ['dialog.remove()', () => document.querySelector('dialog.vlens-modal').remove()],
  ['document.body.replaceChildren()', () => document.body.replaceChildren()],
]) {
  test(`the host ending the dialog with ${how} cancels with reason closed, settles, destroys and unlocks the page`, async () => {
    const p = await modalPage();
    await p.mount('m', h.token('ok', key('host-end')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
    await p.waitEvent('m', 'vlens:ready');
    await p.page.evaluate(end);
    assert.deepEqual(await p.result('m'), { status: 'cancelled', data: { reason: 'closed' } });
    assert.deepEqual((await p.types('m')).slice(-2), ['vlens:cancel', 'vlens:destroy']);
    assert.equal(await p.state('m'), 'destroyed');
    assert.deepEqual(await pageAfter(p), { dialogs: 0, iframes: 0, inline: null, overflow: 'visible' });
    assert.deepEqual(p.pageErrors, []);
    await p.close();
  });
}

test('two dialogs destroyed oldest first: the page stays locked while one is open, then is unlocked, and focus goes back to the opener', async () => {
  const p = await modalPage();
  await p.mount('a', h.token('ok', key('two-a')), { baseUrl: h.base('auto'), mode: 'modal' });
  await p.mount('b', h.token('ok', key('two-b')), { baseUrl: h.base('auto'), mode: 'modal' });
  await p.waitEvent('b', 'vlens:ready');
  await p.evaluate(() => T.s.a.session.destroy());
  const during = await p.evaluate(() => ({ overflow: getComputedStyle(document.documentElement).overflow, inB: document.querySelectorAll('dialog.vlens-modal').length === 1 && document.querySelector('dialog.vlens-modal').contains(document.activeElement) }));
  assert.deepEqual(during, { overflow: 'hidden', inB: true }, 'the dialog still open keeps the lock and the focus');
  await p.evaluate(() => T.s.b.session.destroy());
  assert.deepEqual(await pageAfter(p), { dialogs: 0, iframes: 0, inline: null, overflow: 'visible' });
  assert.equal(await p.evaluate(() => document.activeElement.id), 'opener');
  await p.close();
});

test("the scroll lock gives back the host's overflow-x and overflow-y with their priority, and keeps what the host changed meanwhile", async () => {
  const p = await modalPage();
  await p.evaluate(() => {
    document.documentElement.style.setProperty('overflow-x', 'hidden', 'important');
    document.documentElement.style.setProperty('overflow-y', 'scroll');
  });
  await p.mount('m', h.token('ok', key('lock')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  await p.waitEvent('m', 'vlens:ready');
  assert.equal(await p.evaluate(() => getComputedStyle(document.documentElement).overflowY), 'hidden', 'locked');
  await p.page.keyboard.press('Escape');
  await p.result('m');
  const style = () => p.evaluate(() => {
    const s = document.documentElement.style;
    return [s.getPropertyValue('overflow-x'), s.getPropertyPriority('overflow-x'), s.getPropertyValue('overflow-y'), s.getPropertyPriority('overflow-y')];
  });
  assert.deepEqual(await style(), ['hidden', 'important', 'scroll', '']);

  // A value the host sets while the dialog is open is the host's: it stays.
  await p.mount('n', h.token('ok', key('lock-2')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  await p.waitEvent('n', 'vlens:ready');
  await p.evaluate(() => document.documentElement.style.setProperty('overflow-y', 'auto'));
  await p.page.keyboard.press('Escape');
  await p.result('n');
  assert.deepEqual(await style(), ['hidden', 'important', 'auto', '']);
  await p.close();
});

test('an inline error does not take focus from where the user is typing, nor scroll the page', async () => {
  const p = await h.open();
  await p.evaluate(() => {
    const input = document.createElement('input');
    input.id = 'name';
    document.body.prepend(input);
    const tall = document.createElement('div');
    tall.style.height = '3000px';
    input.after(tall);
    input.focus();
  });
  await p.mount('e', h.token('delay', key('typing'), { ms: 300 }), { baseUrl: h.base('nowhere'), tokenTimeoutMs: 100, retries: 0 });
  await p.page.keyboard.type('Sara', { delay: 60 });
  await p.waitEvent('e', 'vlens:error');
  await p.page.keyboard.type(' Ahmed');
  const after = await p.evaluate(() => ({ focus: document.activeElement.id, value: document.getElementById('name').value, y: scrollY, alert: document.querySelector('#e .vlens-error')?.getAttribute('role') }));
  assert.deepEqual(after, { focus: 'name', value: 'Sara Ahmed', y: 0, alert: 'alert' });
  await p.close();
});

test("Escape: a host's preventDefault keeps the dialog open; otherwise it closes and goes no further", async () => {
  const p = await modalPage();
  await p.evaluate(() => {
    window.hostSaw = 0;
    window.preventEscape = true;
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && window.preventEscape) e.preventDefault(); }, true);
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') window.hostSaw++; });
  });
  await p.mount('m', h.token('ok', key('esc-host')), { baseUrl: h.base('auto'), mode: 'modal' }, { noElement: true });
  await p.waitEvent('m', 'vlens:ready');
  await p.page.keyboard.press('Escape');
  await p.evaluate(() => new Promise((r) => setTimeout(r, 100)));
  assert.equal(await p.state('m'), 'ready', 'the host prevented it');
  assert.equal(await p.evaluate(() => document.querySelector('dialog.vlens-modal').open), true);
  await p.evaluate(() => { window.preventEscape = false; window.hostSaw = 0; });
  await p.page.keyboard.press('Escape');
  assert.deepEqual(await p.result('m'), { status: 'cancelled', data: { reason: 'closed' } });
  assert.equal(await p.evaluate(() => window.hostSaw), 0, "the host's own Escape handler did not also run");
  await p.close();
});

// ---------------------------------------------------------------- copies of the package on one page

/** The host page with three copies of the widget: the script tag, the ES module and a CommonJS bundle. */
async function threeCopies() {
  const { build } = await import('esbuild');
  const path = await import('node:path');
  const { distDir } = await import('./server.mjs');
  const cjs = await build({
    stdin: { contents: `window.VlensCjs = require(${JSON.stringify(path.join(distDir, 'index.cjs'))});`, resolveDir: distDir },
    bundle: true, format: 'iife', write: false, logLevel: 'error',
  });
  const p = await h.open();
  await p.page.addScriptTag({ content: cjs.outputFiles[0].text });
  await p.evaluate(async () => { window.VlensEsm = await import('/dist/index.js'); });
  // Each copy ready, so the three mounts below happen in one task, as they would on a page
  // that loaded them all earlier.
  await p.evaluate(() => Promise.all([window.Vlens, window.VlensEsm, window.VlensCjs].map((copy) => copy.preload())));
  const distinct = await p.evaluate(() => new Set([window.Vlens.mountVlens, window.VlensEsm.mountVlens, window.VlensCjs.mountVlens]).size);
  assert.equal(distinct, 3, 'three separate copies');
  return p;
}

test('three copies of the package on one page: one session per element and one stylesheet, whichever copy mounted it', async () => {
  const p = await threeCopies();
  const k = key('copies');
  await p.evaluate(([url, baseUrl]) => {
    const el = T.container('c');
    window.copies = [window.Vlens, window.VlensEsm, window.VlensCjs].map((copy) => copy.mountVlens(el, url, { baseUrl }));
  }, [h.token('ok', k), h.base('auto')]);
  await p.waitFor(() => window.copies[2].state === 'ready', null, { what: 'the last copy ready' });
  const seen = await p.evaluate(() => ({
    states: window.copies.map((s) => s.state),
    iframes: document.querySelectorAll('#c iframe').length,
    boxes: document.querySelectorAll('#c .vlens').length,
    sheets: document.adoptedStyleSheets.length,
  }));
  assert.deepEqual(seen, { states: ['destroyed', 'destroyed', 'ready'], iframes: 1, boxes: 1, sheets: 1 });
  assert.equal((await h.calls(k)).length, 1, 'one token request');
  await p.close();
});

test("three copies of the package on one page: one dialog at a time, one scroll lock, and the page unlocked at the end", async () => {
  const p = await threeCopies();
  await p.evaluate(([url, baseUrl]) => {
    window.modals = [window.Vlens, window.VlensEsm].map((copy) => copy.mountVlens(null, url, { baseUrl, mode: 'modal' }));
  }, [h.token('ok', key('copies-m')), h.base('auto')]);
  await p.waitFor(() => window.modals[1].state === 'ready', null, { what: 'the second dialog ready' });
  assert.deepEqual(await p.evaluate(() => ({ states: window.modals.map((s) => s.state), dialogs: document.querySelectorAll('dialog').length })),
    { states: ['destroyed', 'ready'], dialogs: 1 });
  await p.page.keyboard.press('Escape');
  await p.waitFor(() => window.modals[1].state === 'destroyed', null, { what: 'the dialog closed' });
  assert.deepEqual(await pageAfter(p), { dialogs: 0, iframes: 0, inline: null, overflow: 'visible' });
  await p.close();
});
