// The demo with the mock Vlens app speaking each of its three dialects (MOCK_APP_PROTOCOL,
// or the demo's "The Vlens app speaks" switch): v1, nothing at all (silent), and a format of
// its own (foreign) that the demo maps with the parseMessage it shows on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import vm from 'node:vm';
import { launchBrowser, settle } from './harness.mjs';
import { startRustServer, Demo } from './rust-server.mjs';

// One client (this browser) starts many sessions: the token endpoint's rate limit has its
// own tests (server/tests), so here it is out of the way.
const UNLIMITED = { RATE_LIMIT_PER_MINUTE: '6000', RATE_LIMIT_BURST: '1000' };

let server;
let browser;
before(async () => {
  server = await startRustServer({ env: UNLIMITED });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Clicks the mock app through the minimal signature flow to its done screen. */
async function walk(frame) {
  await Demo.next(frame, 'registration', 'kyc');
  await Demo.next(frame, 'kyc', 'sign');
  await Demo.next(frame, 'sign', 'done');
}

/** Opens the demo, sets the dialect switch to `protocol` and presses Start: `{ d, frame }`. */
async function startWith(protocol) {
  const d = await Demo.open(browser.context, server);
  await d.choose({ protocol });
  await d.start();
  return { d, frame: await d.app() };
}

/** The dialect switch and the note under it, as the page shows them. */
function dialectPanel(page) {
  return page.evaluate(() => {
    const section = document.getElementById('dialect-section');
    const code = document.getElementById('dialect-code');
    return {
      shown: section.checkVisibility(),
      checked: document.querySelector('input[name="protocol"]:checked')?.value ?? null,
      note: document.getElementById('dialect-note').innerText.replace(/\s+/g, ' ').trim(),
      code: code.checkVisibility() ? code.textContent : null,
    };
  });
}

/** Where the widget's iframe is: visible, on top at its centre, and no screen of the widget over it. */
function looks(page) {
  return page.evaluate(() => {
    const f = document.querySelector('#widget iframe');
    f.scrollIntoView({ block: 'start' }); // elementFromPoint sees only the viewport
    const r = f.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 200));
    return {
      visibility: getComputedStyle(f).visibility,
      onTop: top === f,
      screens: document.querySelectorAll('#widget .vlens-state').length,
      busy: document.querySelector('#widget .vlens').classList.contains('vlens-busy'),
    };
  });
}

/** The panel's state and result. */
function outcome(page) {
  return page.evaluate(() => ({
    state: document.getElementById('state').textContent,
    status: document.getElementById('result').dataset.status,
    result: document.getElementById('result').textContent,
    alert: !document.getElementById('alert').hidden,
  }));
}

test('the switch: shown with the mock, on the dialect the server reports, three labelled choices', async () => {
  const d = await Demo.open(browser.context, server);
  const config = await d.page.evaluate(() => fetch('/api/vlens/config').then((r) => r.json()));
  assert.deepEqual(config, { baseUrl: server.mock, mock: true, mockProtocol: 'v1' });
  assert.deepEqual(await d.page.evaluate(() => {
    const f = document.querySelector('#dialect-section fieldset.switch');
    return {
      legend: f.querySelector('legend').textContent,
      options: [...f.querySelectorAll('input[type="radio"]')].map((i) => [i.value, i.labels[0].textContent.replace(/\s+/g, ' ').trim(), i.checked]),
    };
  }), {
    legend: 'The Vlens app speaks',
    options: [['v1', 'v1', true], ['silent', 'nothing (silent)', false], ['foreign', 'another format (foreign)', false]],
  });
  const panel = await dialectPanel(d.page);
  assert.equal(panel.shown, true);
  assert.match(panel.note, /v1/);
  assert.equal(panel.code, null, 'no parseMessage for v1');
  await d.close();
});

test('v1: the demo flow through to vlens:complete and the done state in the panel; nothing raw', async () => {
  const { d, frame } = await startWith('v1');
  assert.equal(new URL(frame.url()).pathname, '/session', 'the server default: plain /session');
  assert.equal(await frame.evaluate(() => window.__vlensMock.dialect), 'v1');
  await walk(frame);
  const complete = await d.waitLog('vlens:complete');
  assert.deepEqual(Object.keys(complete.data).sort(), ['contractTypeIds', 'phoneNumber', 'sessionId']);
  await d.waitFor(() => document.getElementById('result').dataset.status === 'completed', null, '#result completed');
  assert.deepEqual(JSON.parse((await outcome(d.page)).result), { status: 'completed', data: complete.data });
  assert.equal((await outcome(d.page)).state, 'completed');
  const log = await d.log();
  assert.deepEqual(log.filter((e) => e.type === 'vlens:step').map((e) => e.detail.step), ['registration', 'kyc', 'contract', 'done']);
  assert.ok(!log.some((e) => e.type === 'vlens:message' || e.type === 'vlens:error'), JSON.stringify(log));
  assert.deepEqual(d.pageErrors, []);
  assert.deepEqual(d.consoleErrors, []);
  await d.close();
});

test('silent: the app is shown at load and walks to its done screen; no step, no vlens:complete, no error, nothing covers it, and the page says what to do', async () => {
  const { d, frame } = await startWith('silent');
  const panel = await dialectPanel(d.page);
  assert.equal(panel.code, null);
  // What the host sees, and what to do about it.
  for (const needle of [/no step, no height, no vlens:complete/, /confirm the outcome on your server/i, /debug: true/, /vlens:message/]) {
    assert.match(panel.note, needle);
  }
  assert.equal(new URL(frame.url()).pathname, '/silent/session');
  assert.equal(new URL(frame.url()).origin, server.mock);
  assert.equal(await frame.evaluate(() => window.__vlensMock.dialect), 'silent');
  await d.waitLog('vlens:ready');
  await Demo.waitScreen(frame, 'registration');
  assert.deepEqual(await looks(d.page), { visibility: 'visible', onTop: true, screens: 0, busy: false });
  await walk(frame);
  assert.equal(await frame.textContent('[data-screen="done"] h1'), 'All done');
  await settle(500); // time for anything the app might have said to arrive
  assert.deepEqual(await frame.evaluate(() => window.__vlensMock.sent), [], 'the app posted nothing');

  const types = await d.types();
  assert.deepEqual(types.filter((t) => t !== 'vlens:state'), ['vlens:token', 'vlens:load', 'vlens:ready'],
    'the page heard the token, the load and the ready of readyOn load, then nothing');
  assert.deepEqual(await looks(d.page), { visibility: 'visible', onTop: true, screens: 0, busy: false });
  const o = await outcome(d.page);
  assert.deepEqual([o.state, o.status, o.alert], ['ready', 'pending', false], 'still ready, no result, no error');
  assert.match(o.result, /posts nothing/);
  assert.deepEqual(d.pageErrors, []);
  assert.deepEqual(d.consoleErrors, []);
  await d.close();
});

/**
 * Runs the parseMessage the page shows (its whole code block, as text) in Node, on the
 * messages the app posted: what each one maps to.
 */
function runShownCode(code, messages) {
  const context = { element: null, tokenProvider: null, mountVlens: (element, provider, options) => { context.options = options; } };
  vm.runInNewContext(code, context);
  return messages.map((m) => context.options.parseMessage(m));
}

test('foreign: the demo maps the app\'s own format with the parseMessage it shows, through to vlens:complete; unmapped events arrive raw and readable', async () => {
  const { d, frame } = await startWith('foreign');
  const panel = await dialectPanel(d.page);
  assert.ok(panel.code, 'the code is shown');
  assert.ok(panel.code.split('\n').length <= 20, panel.code);
  assert.match(panel.code, /parseMessage: \(message\) =>/);
  assert.equal(new URL(frame.url()).pathname, '/foreign/session');
  assert.equal(await frame.evaluate(() => window.__vlensMock.dialect), 'foreign');
  await Demo.waitScreen(frame, 'registration');
  assert.deepEqual(await looks(d.page), { visibility: 'visible', onTop: true, screens: 0, busy: false });
  await walk(frame);
  const complete = await d.waitLog('vlens:complete');
  await d.waitFor(() => document.getElementById('result').dataset.status === 'completed', null, '#result completed');
  const o = await outcome(d.page);
  assert.equal(o.state, 'completed');
  assert.deepEqual(JSON.parse(o.result), { status: 'completed', data: complete.data });
  assert.equal(complete.data.phoneNumber, '+201234567890');
  assert.deepEqual(complete.data.contractTypeIds, [414]);
  assert.match(complete.data.sessionId, /^[0-9a-f-]{36}$/);

  // The app spoke its own format: objects and JSON strings, never a v1 envelope.
  const sent = await frame.evaluate(() => window.__vlensMock.sent);
  const shapes = sent.map((m) => (typeof m === 'string' ? JSON.parse(m) : m));
  assert.ok(sent.some((m) => typeof m === 'string') && sent.some((m) => typeof m === 'object'), JSON.stringify(sent));
  assert.ok(shapes.every((m) => typeof m.event === 'string' && !('source' in m) && !('version' in m)), JSON.stringify(sent));
  assert.ok(shapes.some((m) => m.event === 'verification.completed'));

  // The code on the page maps exactly what the widget turned into typed events.
  const mapped = runShownCode(panel.code, sent);
  const log = await d.log();
  const typedSteps = mapped.filter((m) => m && m.type === 'step').map((m) => m.data.step);
  assert.deepEqual(typedSteps, ['registration', 'kyc', 'contract', 'done']);
  assert.deepEqual(log.filter((e) => e.type === 'vlens:step').map((e) => e.detail.step), typedSteps);
  assert.ok(log.some((e) => e.type === 'vlens:resize'), 'the heights (JSON strings) were mapped too');
  assert.deepEqual(mapped.find((m) => m && m.type === 'completed').data, complete.data);

  // What the code leaves alone surfaces raw, exactly as posted, and the log shows it readably.
  const raw = log.filter((e) => e.type === 'vlens:message');
  assert.deepEqual(raw.map((e) => e.detail), sent.filter((m, i) => mapped[i] === null).map((data) => ({ type: null, data })));
  assert.ok(raw.length >= 4, `the screens the app reported: ${JSON.stringify(raw)}`);
  const row = await d.page.evaluate(() => {
    const li = document.querySelector('#log li[data-type="vlens:message"]');
    return { text: li.querySelector('.log__detail').textContent, raw: li.dataset.raw };
  });
  assert.equal(row.raw, 'object');
  assert.match(row.text, /^raw object \{"event":"ui\.screen","payload":\{"screen":"[a-z]+"\}\}$/);
  assert.ok(!log.some((e) => e.type === 'vlens:error'), JSON.stringify(log));
  assert.deepEqual(d.pageErrors, []);
  assert.deepEqual(d.consoleErrors, [], 'parseMessage never threw');
  await d.close();
});

test("foreign token expiry: the app's own session.expired, mapped to token-expired, brings a new token through the widget's v1 token message; the app carries on to completion", async () => {
  const { d, frame } = await startWith('foreign');
  await Demo.next(frame, 'registration', 'kyc');
  const first = await frame.evaluate(() => ({ token: window.__vlensMock.state.token, sessionId: window.__vlensMock.state.sessionId }));
  await frame.dispatchEvent('[data-testid="expire-token"]', 'click'); // not a pointer click: the app's resize can move the iframe under it
  assert.deepEqual(await d.waitLog('vlens:token', 2), { reason: 'expired' });
  await frame.waitForFunction((old) => window.__vlensMock.state.token !== old
    && document.querySelector('[data-testid="banner"]')?.textContent.includes('Session renewed')
    && !document.querySelector('[data-testid="next"]').disabled, first.token, { timeout: 10000, polling: 25 });
  assert.ok((await frame.evaluate(() => window.__vlensMock.sent)).includes('{"event":"session.expired"}'), 'posted as JSON text');
  await Demo.next(frame, 'kyc', 'sign');
  await Demo.next(frame, 'sign', 'done');
  const complete = await d.waitLog('vlens:complete');
  assert.equal(complete.data.sessionId, first.sessionId, 'the same Vlens session, renewed');
  assert.equal(d.sessionRequests.length, 2);
  assert.ok(!(await d.types()).includes('vlens:error'));
  assert.deepEqual(d.consoleErrors, []);
  await d.close();
});

test('silent token expiry: the app cannot ask for a new token, so it tells the user to start again; the page hears nothing', async () => {
  const { d, frame } = await startWith('silent');
  await Demo.waitScreen(frame, 'registration');
  const rows = (await d.log()).length;
  await frame.dispatchEvent('[data-testid="expire-token"]', 'click'); // not a pointer click: the app's resize can move the iframe under it
  await frame.waitForFunction(() => document.querySelector('[data-testid="banner"]')?.textContent.includes('Start again from the page you came from'),
    null, { timeout: 10000, polling: 25 });
  assert.equal(await frame.isDisabled('[data-testid="next"]'), true);
  await settle(300);
  assert.deepEqual((await d.log()).slice(rows), [], 'no event');
  assert.deepEqual(await frame.evaluate(() => window.__vlensMock.sent), []);
  assert.equal(d.sessionRequests.length, 1);
  await d.close();
});

test('MOCK_APP_PROTOCOL=foreign: /session speaks it, the config endpoint says so, the switch starts there and the demo completes through parseMessage; v1 stays one click away', async () => {
  const foreign = await startRustServer({ env: { ...UNLIMITED, MOCK_APP_PROTOCOL: 'foreign' } });
  try {
    const d = await Demo.open(browser.context, foreign);
    assert.deepEqual(await d.page.evaluate(() => fetch('/api/vlens/config').then((r) => r.json())),
      { baseUrl: foreign.mock, mock: true, mockProtocol: 'foreign' });
    const panel = await dialectPanel(d.page);
    assert.deepEqual([panel.shown, panel.checked, !!panel.code], [true, 'foreign', true]);
    await d.start();
    const frame = await d.app();
    assert.equal(new URL(frame.url()).pathname, '/session', 'the default dialect is plain /session');
    assert.equal(await frame.evaluate(() => window.__vlensMock.dialect), 'foreign');
    await walk(frame);
    await d.waitLog('vlens:complete');
    await d.waitFor(() => document.getElementById('result').dataset.status === 'completed', null, '#result completed');

    await d.choose({ protocol: 'v1' });
    await d.start();
    const v1 = await d.app();
    assert.equal(new URL(v1.url()).pathname, '/v1/session');
    assert.equal(await v1.evaluate(() => window.__vlensMock.dialect), 'v1');
    await Demo.next(v1, 'registration', 'kyc');
    await d.waitFor(() => [...document.querySelectorAll('#log li[data-type="vlens:step"][data-session="2"]')].length >= 2, null, 'v1 steps of session #2');
    assert.deepEqual(d.pageErrors, []);
    assert.deepEqual(d.consoleErrors, []);
    await d.close();
  } finally {
    await foreign.stop();
  }
});

test('against the real Vlens (VLENS_API_KEY set) the switch is not shown', async () => {
  const real = await startRustServer({ env: { VLENS_API_KEY: 'not-a-real-key', VLENS_APP_URL: 'https://app.example.test' }, real: true });
  try {
    const d = await Demo.open(browser.context, real);
    assert.equal(await d.page.getAttribute('#mode-badge', 'data-mode'), 'live');
    assert.equal((await dialectPanel(d.page)).shown, false);
    await d.close();
  } finally {
    await real.stop();
  }
});

test('axe-core finds no violations in the dialect switch and the note of each dialect', async () => {
  const d = await Demo.open(browser.context, server);
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await d.page.evaluate(fs.readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8'));
  for (const protocol of ['foreign', 'silent', 'v1']) {
    await d.choose({ protocol });
    const violations = await d.page.evaluate(async () => {
      // Colours are measured at rest, not halfway through the switch's transitions.
      await Promise.all(document.getElementById('dialect-section').getAnimations({ subtree: true }).map((a) => a.finished.catch(() => {})));
      const r = await window.axe.run({ include: [['#dialect-section']] }, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    assert.deepEqual(violations, [], protocol);
  }
  await d.close();
});
