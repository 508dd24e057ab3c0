// Clickjacking: the demo page must not load inside a frame of another origin. A page on
// another loopback origin frames the demo (refused by Chromium because of the server's
// `frame-ancestors 'self'` / `X-Frame-Options: SAMEORIGIN`) next to a page of its own
// origin (which loads, so the frame itself works).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launchBrowser } from './harness.mjs';
import { startRustServer } from './rust-server.mjs';

let server;
let browser;
let framer;
let framerOrigin;

before(async () => {
  server = await startRustServer();
  browser = await launchBrowser();
  framer = http.createServer((req, res) => {
    res.setHeader('connection', 'close');
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/frame.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(`<!doctype html><title>framer</title>
<iframe id="demo" src="${server.demo}" style="opacity:0.01" allow="camera *; microphone *"></iframe>
<iframe id="own" src="/own.html"></iframe>`);
    }
    if (pathname === '/own.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end('<!doctype html><title>own</title><p id="own">framed fine</p>');
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve, reject) => {
    framer.once('error', reject);
    framer.listen(0, '127.0.0.1', resolve);
  });
  framerOrigin = `http://127.0.0.1:${framer.address().port}`;
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (framer ? framer.close(() => resolve()) : resolve()));
  await server?.stop();
});

test('a page on another loopback origin cannot frame the demo', async () => {
  assert.notEqual(framerOrigin, server.host, 'two origins');
  const page = await browser.context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  const demoAnswered = page.waitForResponse((r) => r.url() === server.demo, { timeout: 10000 });
  await page.goto(`${framerOrigin}/frame.html`);
  const response = await demoAnswered;
  assert.equal(response.status(), 200, 'the server answered the framed request');

  // The frame of its own origin loads ...
  const own = await (await page.$('#own')).contentFrame();
  await own.waitForSelector('#own', { timeout: 10000 });
  // ... the demo's does not: Chromium shows its error page instead of the demo.
  const demoFrame = await (await page.$('#demo')).contentFrame();
  await page.waitForTimeout(500);
  const loaded = await demoFrame
    .evaluate(() => ({ url: location.href, widget: !!document.querySelector('#widget, form') }))
    .catch((err) => ({ error: String(err) }));
  assert.notEqual(loaded.url, server.demo, `the demo must not render in the frame: ${JSON.stringify(loaded)}`);
  assert.notEqual(loaded.widget, true, 'no demo markup in the frame');
  // Because of the server's headers.
  assert.match(response.headers()['content-security-policy'] ?? '', /frame-ancestors 'self'/);
  assert.equal(response.headers()['x-frame-options'], 'SAMEORIGIN');
  await page.close();
});
