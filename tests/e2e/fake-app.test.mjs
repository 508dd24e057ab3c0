// vlens-widget/fake-app (dist/fake-app.js of the build under test) behind the widget in
// Chromium: its answers and headers, every button through to the widget's events, the token
// renewal, what it accepts, and the README's table of its selectors. From the packed tarball
// and its `vlens-fake-app` command: tests/e2e/testing.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setup, key, settle } from './harness.mjs';
import { distDir } from './server.mjs';
import { repo } from './pack.mjs';

let h;
let fake;
before(async () => {
  h = await setup();
  const { startFakeVlens } = await import(pathToFileURL(path.join(distDir, 'fake-app.js')).href);
  fake = await startFakeVlens({ port: 0 });
});
after(async () => {
  await fake?.close();
  await h?.close();
});

/** The fake app in session `id`'s iframe, once it has said `ready`. */
async function app(p, id) {
  await p.waitEvent(id, 'vlens:ready');
  const frame = await (await p.page.evaluateHandle((id) => T.s[id].session.iframe, id)).asElement().contentFrame();
  await frame.waitForFunction(() => document.querySelector('[data-testid="state"]').textContent === 'ready');
  return frame;
}

const text = (frame, id) => frame.textContent(`[data-testid="${id}"]`);

test('answers: the session page is frameable HTML; /, a missing token, other paths and methods', async () => {
  assert.match(fake.url, /^http:\/\/localhost:\d+$/);
  const page = await fetch(`${fake.url}/session?token=t-1`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('x-frame-options'), null, 'no X-Frame-Options');
  assert.equal(page.headers.get('content-security-policy'), null, 'no frame-ancestors');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer', 'the token in its URL is not sent on');
  assert.match(await page.text(), /data-testid="complete"/);
  assert.equal((await fetch(`${fake.url}/`)).status, 200);
  const missing = await fetch(`${fake.url}/session`);
  assert.equal(missing.status, 400);
  assert.match(await missing.text(), /No token/);
  assert.equal((await fetch(`${fake.url}/nope`)).status, 404);
  assert.equal((await fetch(`${fake.url}/session?token=t`, { method: 'POST' })).status, 405);
});

test('every button, through the widget: ready, steps, an app error, token expiry and renewal, completion', async () => {
  const p = await h.open('/host-esm.html');
  const k = key('fake');
  await p.mount('f', h.token('ok', k), { baseUrl: fake.url, readyOn: 'message' });
  const frame = await app(p, 'f');
  assert.equal(await frame.evaluate(() => window.__vlensFake.hostOrigin), h.host, 'posts to the embedding origin');
  const token = await text(frame, 'token');
  assert.match(token, /^tok-\d+$/);

  for (const step of ['registration', 'kyc', 'contract']) {
    await frame.click(`[data-testid="step-${step}"]`);
    assert.deepEqual(await p.waitEvent('f', 'vlens:step', ['registration', 'kyc', 'contract'].indexOf(step) + 1), { step });
    assert.equal(await text(frame, 'step'), step);
  }
  await frame.click('[data-testid="fail"]');
  assert.deepEqual(await p.waitEvent('f', 'vlens:error'), {
    code: 'APP_ERROR', message: 'The fake Vlens app failed on purpose.', recoverable: true, source: 'app', appCode: 'FAKE_ERROR',
  });

  // Token messages from anyone but the parent, or not in the envelope, are ignored.
  await frame.evaluate(() => window.postMessage({ source: 'vlens-host', version: 1, type: 'token', data: { token: 'from-itself' } }, '*'));
  await p.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ source: 'other', version: 1, type: 'token', data: { token: 'bad-envelope' } }, '*'));
  await settle();
  assert.equal(await text(frame, 'token'), token, 'spoofed tokens ignored');

  await frame.click('[data-testid="expire-token"]');
  await p.waitFor((id) => T.s[id].events.some((e) => e.type === 'vlens:token' && e.detail.reason === 'expired'), 'f', { what: 'the expired token request' });
  await frame.waitForFunction((old) => document.querySelector('[data-testid="token"]').textContent !== old, token);
  assert.equal(await text(frame, 'state'), 'ready', 'ready again once the new token arrived');
  assert.equal((await h.calls(k)).length, 2);
  assert.equal(await text(frame, 'token'), `tok-${Number(token.slice(4)) + 1}`, "the widget's new token");

  await frame.click('[data-testid="complete"]');
  assert.deepEqual(await p.result('f'), { status: 'completed', data: { steps: ['registration', 'kyc', 'contract'] } });
  assert.equal(await text(frame, 'state'), 'completed');
  assert.ok(await frame.$eval('[data-testid="cancel"]', (b) => b.disabled), 'the buttons are off once the flow ended');
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('cancel: vlens:cancel with the last step; the app waits for the token while it is expired', async () => {
  const q = await h.open('/host-esm.html');
  // A provider that answers once, then never again: the app stays without a token.
  await q.evaluate((base) => {
    let n = 0;
    T.mount('c', () => (++n === 1 ? 'first-token' : new Promise(() => {})), { baseUrl: base });
  }, fake.url);
  const frame = await app(q, 'c');
  await frame.click('[data-testid="step-kyc"]');
  await frame.click('[data-testid="expire-token"]');
  await frame.waitForFunction(() => document.querySelector('[data-testid="state"]').textContent === 'waiting-for-token');
  assert.ok(await frame.$eval('[data-testid="complete"]', (b) => b.disabled), 'no buttons while the token is out');
  await q.evaluate(() => T.s.c.session.destroy());
  // A new session whose token arrives: cancel.
  await q.mount('d', h.token('ok', key('fake-d')), { baseUrl: fake.url });
  const d = await app(q, 'd');
  await d.click('[data-testid="step-registration"]');
  await d.click('[data-testid="cancel"]');
  assert.deepEqual(await q.result('d'), { status: 'cancelled', data: { step: 'registration' } });
  assert.deepEqual(q.pageErrors, []);
  await q.close();
});

test("the README's table of the fake app's selectors is exactly the page's data-testids", async () => {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const table = /<!-- fake-app: selectors -->\n((?:\|.*\n)+)/.exec(readme);
  assert.ok(table, 'README.md has the table after <!-- fake-app: selectors -->');
  const documented = [...table[1].matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]).slice(1); // the header names the column
  const html = await (await fetch(`${fake.url}/session?token=t`)).text();
  const served = [...html.matchAll(/data-testid="([a-z-]+)"/g)].map((m) => m[1]);
  assert.deepEqual(documented, served);
});
