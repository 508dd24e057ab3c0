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
