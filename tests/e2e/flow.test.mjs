// Token expiry through the whole real stack (demo page, widget, host endpoint, mock
// Vlens), and spoofed messages from an attacker origin against the demo page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, settle } from './harness.mjs';
import { startRustServer, startAttacker, Demo } from './rust-server.mjs';

const TTL_SECS = 2;
let server;     // default token lifetime
let shortLived; // MOCK_TOKEN_TTL_SECS = TTL_SECS
let attacker;
let browser;
const extraBrowsers = new Set();
before(async () => {
  server = await startRustServer();
  shortLived = await startRustServer({ env: { MOCK_TOKEN_TTL_SECS: String(TTL_SECS) } });
  attacker = await startAttacker();
  browser = await launchBrowser();
});
after(async () => {
  for (const b of extraBrowsers) await b.close();
  await browser?.close();
  await attacker?.stop();
  await server?.stop();
  await shortLived?.stop();
  for (const s of [server, shortLived]) {
    if (s) assert.ok(s.child.exitCode !== null || s.child.signalCode !== null, 'vlens-server has exited');
  }
});

const isSessionPost = (req) => req.method() === 'POST' && new URL(req.url()).pathname === '/api/vlens/session';
const count = (text, re) => (text.match(re) || []).length;

/** The mock app's session id, current token and banner, read inside its frame. */
function appState(frame) {
  return frame.evaluate(() => ({
    sessionId: window.__vlensMock.state.sessionId,
    token: window.__vlensMock.state.token,
    banner: document.querySelector('[data-testid="banner"]')?.textContent ?? null,
  }));
}

test("token expiry mid-flow (the mock's expire-token link): vlens:token 'expired', the host endpoint is called again, the app stays on its step and completes", async () => {
  const d = await Demo.open(browser.context, server);
  await d.start();
  const frame = await d.app();
  await Demo.next(frame, 'registration', 'kyc');
  const before = await Demo.screen(frame);
  assert.deepEqual(before, { screen: 'kyc', step: 'kyc', banner: null });
  const first = await appState(frame);
  const src = await d.page.getAttribute('#widget iframe', 'src');
  assert.equal(d.sessionRequests.length, 1);

  const renewed = d.page.waitForRequest(isSessionPost, { timeout: 5000 });
  await frame.click('[data-testid="expire-token"]');
  const req = await renewed;
  assert.deepEqual(await d.waitLog('vlens:token', 2), { reason: 'expired' });
  assert.deepEqual(JSON.parse(req.postData()), JSON.parse(d.sessionRequests[0].body), 'the same request, sent again');
  assert.equal((await req.response()).status(), 200);

  // The app takes the new token and carries on where it was.
  await frame.waitForFunction((old) => window.__vlensMock.state.token !== old
    && document.querySelector('[data-testid="banner"]')?.textContent.includes('Session renewed')
    && !document.querySelector('[data-testid="next"]').disabled, first.token, { timeout: 5000, polling: 25 });
  const after = await Demo.screen(frame);
  assert.deepEqual([after.screen, after.step], [before.screen, before.step], 'the same step and screen after the renewal');
  const second = await appState(frame);
  assert.equal(second.sessionId, first.sessionId, 'the new token continues the same Vlens session');
  assert.equal(await d.page.getAttribute('#widget iframe', 'src'), src, 'the iframe was not reloaded');
  assert.equal(d.sessionRequests.length, 2, 'exactly one more call of the host endpoint');
  assert.equal(count(server.stderr(), /method=POST route=\/api\/vlens\/session\}: answered status=200 latency_ms=\d+ note=CreateAuthSession/g), 2, 'the server created a second session');

  await Demo.next(frame, 'kyc', 'sign');
  await Demo.next(frame, 'sign', 'done');
  const complete = await d.waitLog('vlens:complete');
  assert.equal(complete.data.sessionId, first.sessionId);
  await d.waitFor(() => document.getElementById('result').dataset.status === 'completed', null, '#result completed');
  const log = await d.log();
  assert.deepEqual(log.filter((e) => e.type === 'vlens:token').map((e) => e.detail.reason), ['initial', 'expired']);
  assert.equal(log.filter((e) => e.type === 'vlens:load').length, 1, 'loaded once');
  assert.deepEqual(log.filter((e) => e.type === 'vlens:step').map((e) => e.detail.step), ['registration', 'kyc', 'contract', 'done'],
    'no step repeated or lost');
  assert.ok(!log.some((e) => e.type === 'vlens:error'), JSON.stringify(log.filter((e) => e.type === 'vlens:error')));
  assert.equal(d.sessionRequests.length, 2);
  assert.deepEqual(d.pageErrors, []);
  await d.close();
});

test(`token expiry by lifetime (MOCK_TOKEN_TTL_SECS=${TTL_SECS}): renewed through the host endpoint without losing the step`, async () => {
  const d = await Demo.open(browser.context, shortLived);
  await d.start();
  const frame = await d.app();
  await Demo.waitScreen(frame, 'registration');
  await frame.fill('[data-testid="full-name"]', 'Sara Ahmed');
  const first = await appState(frame);
  assert.deepEqual(await Demo.screen(frame), { screen: 'registration', step: 'registration', banner: null });

  // Nobody clicks: the token runs out and the app asks the page for a new one.
  assert.deepEqual(await d.waitLog('vlens:token', 2, TTL_SECS * 1000 + 5000), { reason: 'expired' });
  await frame.waitForFunction((old) => window.__vlensMock.state.token !== old
    && !document.querySelector('[data-testid="next"]').disabled, first.token, { timeout: 5000, polling: 25 });
  assert.deepEqual(await Demo.screen(frame), { screen: 'registration', step: 'registration', banner: 'Session renewedYou can carry on.' });
  assert.equal(await frame.inputValue('[data-testid="full-name"]'), 'Sara Ahmed', 'what the user typed is still there');
  assert.ok(d.sessionRequests.length >= 2);

  await Demo.next(frame, 'registration', 'kyc');
  await Demo.next(frame, 'kyc', 'sign');
  await Demo.next(frame, 'sign', 'done');
  const complete = await d.waitLog('vlens:complete');
  assert.equal(complete.data.sessionId, first.sessionId);
  const log = await d.log();
  const reasons = log.filter((e) => e.type === 'vlens:token').map((e) => e.detail.reason);
  assert.equal(reasons[0], 'initial');
  assert.ok(reasons.slice(1).every((r) => r === 'expired'), String(reasons));
  assert.equal(d.sessionRequests.length, reasons.length, 'one host call per vlens:token');
  assert.ok(!log.some((e) => e.type === 'vlens:error'), JSON.stringify(log.filter((e) => e.type === 'vlens:error')));
  assert.equal(log.filter((e) => e.type === 'vlens:load').length, 1, 'loaded once');
  await d.close();
});

// ---------------------------------------------------------------- spoofing

/** Opens the demo with the widget mounted and the mock app ready on its first screen. */
async function mounted({ context = browser.context, ...options } = {}) {
  const d = await Demo.open(context, server, options);
  await d.start();
  const frame = await d.app();
  await Demo.waitScreen(frame, 'registration');
  await d.waitLog('vlens:step');
  return { d, frame };
}

/**
 * After spoofed messages tagged `tag` reached the demo window: a genuine step follows,
 * and the log gains exactly that step's rows, nothing from the attacker.
 */
async function assertOnlyGenuine(d, frame, tag, rowsBefore) {
  await d.waitFor((o) => window.__win.some((w) => w.tag === o.tag && w.origin === o.origin), { tag: `${tag}-end`, origin: attacker.origin },
    `the attacker's messages (${tag}) at the demo window`);
  const arrived = await d.page.evaluate((o) => window.__win.filter((w) => w.tag === o.tag && w.origin === o.origin).length,
    { tag, origin: attacker.origin });
  assert.equal(arrived, 16, 'every spoofed message (8 types, as objects and as JSON strings) reached the demo window');

  const stepsBefore = (await d.log()).filter((e) => e.type === 'vlens:step').length;
  await Demo.next(frame, 'registration', 'kyc');
  await d.waitLog('vlens:step', stepsBefore + 1);
  await settle(200); // absence: nothing else may follow the genuine step
  const added = (await d.log()).slice(rowsBefore);
  assert.deepEqual(added.filter((e) => e.type !== 'vlens:resize').map((e) => [e.type, e.detail]),
    [['vlens:step', { step: 'kyc' }]], `only the genuine step was added: ${JSON.stringify(added)}`);
  for (const e of added) {
    assert.notEqual(e.detail && e.detail.height, 123, 'no spoofed resize');
    assert.ok(!JSON.stringify(e.detail).includes(tag), `nothing from the attacker: ${JSON.stringify(e)}`);
  }
  const resizes = (await d.log()).filter((e) => e.type === 'vlens:resize');
  assert.ok(resizes.every((e) => e.detail.height >= 420), 'every resize is the genuine, clamped one');
  assert.equal(await d.page.getAttribute('#result', 'data-status'), 'pending');
  assert.equal(await d.page.textContent('#state'), 'ready');
  assert.equal(await d.page.isHidden('#alert'), true, 'no error shown');
  assert.equal(d.sessionRequests.length, 1, 'no token request from a spoofed token-expired');
  assert.deepEqual(d.pageErrors, []);
}

test('spoofing: a popup on an attacker origin posts well-formed Vlens messages to the demo page; the log shows none of them', async () => {
  const { d, frame } = await mounted();
  const rowsBefore = (await d.log()).length;
  const [popup] = await Promise.all([
    browser.context.waitForEvent('page'),
    d.page.evaluate((url) => { window.open(url, 'attacker'); }, attacker.url),
  ]);
  await popup.waitForFunction(() => typeof window.sendAll === 'function' && !!window.opener, null, { timeout: 5000 });
  await popup.evaluate(() => window.sendAll('popup'));
  await assertOnlyGenuine(d, frame, 'popup', rowsBefore);
  await popup.close();
  await d.close();
});

test('spoofing: an iframe on an attacker origin inside the demo page posts well-formed Vlens messages; the log shows none of them', async () => {
  // The demo's own CSP refuses to frame the attacker at all ...
  const strict = await Demo.open(browser.context, server);
  await strict.page.evaluate((url) => {
    const f = document.createElement('iframe');
    f.src = url;
    document.body.append(f);
  }, attacker.url);
  await strict.waitFor(() => window.__violations.length > 0, null, 'the CSP refusing the attacker frame');
  assert.deepEqual((await strict.page.evaluate(() => window.__violations)).map((v) => [v.directive, v.blocked]),
    [['frame-src', attacker.origin]]);
  await strict.close();

  // ... so, to reach the widget's own checks, this page's CSP also lists the attacker
  // in frame-src (as a host page that frames a third party would); nothing else changes.
  // A document fulfilled by page.route has no network address, which Chromium's local
  // network access checks then treat as public and would stop from framing loopback
  // origins: this test's own browser turns those checks off.
  const relaxed = await launchBrowser({ args: ['--disable-features=LocalNetworkAccessChecks'] });
  extraBrowsers.add(relaxed);
  const prepare = (page) => page.route(server.demo, async (route) => {
    const response = await route.fetch();
    const headers = response.headers();
    headers['content-security-policy'] = headers['content-security-policy'].replace('frame-src ', `frame-src ${attacker.origin} `);
    await route.fulfill({ response, headers });
  });
  const { d, frame } = await mounted({ prepare, context: relaxed.context });
  const rowsBefore = (await d.log()).length;
  const handle = await d.page.evaluateHandle((url) => {
    const f = document.createElement('iframe');
    f.src = url;
    f.title = 'third party';
    document.querySelector('.area-log').append(f);
    return f;
  }, attacker.url);
  const evil = await handle.asElement().contentFrame();
  await evil.waitForFunction(() => typeof window.sendAll === 'function', null, { timeout: 5000 });
  assert.equal(new URL(evil.url()).origin, attacker.origin);
  await evil.evaluate(() => window.sendAll('iframe'));
  await assertOnlyGenuine(d, frame, 'iframe', rowsBefore);
  assert.deepEqual(await d.page.evaluate(() => window.__violations), []);
  await d.close();
  await relaxed.close();
  extraBrowsers.delete(relaxed);
});
