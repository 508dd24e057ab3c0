// The demo page (www/) with the project's own server (target/debug/vlens-server) and its
// mock Vlens: what a new user sees after `npm start`, clicked through in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launchBrowser } from './harness.mjs';
import { startRustServer, Demo, MODAL_FRAME, holdTokens, failTokens, resultsPath } from './rust-server.mjs';

let server;
let browser;
before(async () => {
  // One client (this browser) starts a session in nearly every test, faster than the
  // token endpoint's per-client limit (burst 10, 30 a minute) allows: that limit has its own
  // tests (server/tests), so here it is out of the way.
  server = await startRustServer({ env: { RATE_LIMIT_PER_MINUTE: '6000', RATE_LIMIT_BURST: '1000' } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.ok(server.child.exitCode !== null || server.child.signalCode !== null, 'vlens-server has exited');
});

const clamp = (h, min, max) => Math.min(Math.max(h, min), max);

/** Rows added to the log since `from` rows. */
async function since(d, from) {
  return (await d.log()).slice(from);
}

test('demo end to end: mock badge, iframe from the mock origin, every step to vlens:complete, screenshot', async () => {
  // Tall enough for the whole page: a fullPage screenshot re-lays out the cross-origin
  // iframe while it captures, which makes the mock app report transient heights.
  const d = await Demo.open(browser.context, server, { prepare: (page) => page.setViewportSize({ width: 1280, height: 1800 }) });
  assert.equal(d.response.status(), 200);
  assert.equal(await d.page.textContent('h1'), 'Open an account in a few minutes');
  assert.equal(await d.page.getAttribute('#mode-badge', 'data-mode'), 'mock');
  assert.equal(await d.page.textContent('#mode-badge'), 'Local mock of Vlens');
  assert.equal(await d.page.getAttribute('#mode-badge', 'title'), `Vlens app: ${server.mock}`);

  // Fill the form as a user would: the full (not minimal) signature flow, two contracts.
  await d.page.fill('#phone', '+20 100 123 4567');
  await d.page.fill('#contracts', '414, 415');
  await d.page.uncheck('#minimal');
  await d.start();

  const frame = await d.app();
  const frameOrigin = new URL(frame.url()).origin;
  assert.equal(frameOrigin, server.mock, 'the iframe comes from the mock origin');
  assert.notEqual(frameOrigin, new URL(d.page.url()).origin, 'a different origin from the page');
  assert.equal(new URL(frame.url()).pathname, '/session');
  assert.equal(d.sessionRequests.length, 1);
  assert.deepEqual(JSON.parse(d.sessionRequests[0].body), {
    phoneNumber: '+201001234567', allowedContractTypeIds: [414, 415], minimalSignatureFlow: false, digitalIdentityOnly: false,
  });

  await Demo.waitScreen(frame, 'registration');
  assert.equal(await frame.inputValue('[data-testid="phone"]'), '+201001234567', 'the app shows the phone number sent');
  await frame.fill('[data-testid="full-name"]', 'Sara Ahmed');
  await Demo.next(frame, 'registration', 'kyc');
  await Demo.next(frame, 'kyc', 'review');
  assert.deepEqual(await frame.$$eval('[data-screen="review"] [data-contract]', (els) => els.map((e) => e.dataset.contract)), ['414', '415']);
  await frame.check('[data-testid="agree"]');
  await Demo.next(frame, 'review', 'sign');
  await frame.fill('[data-testid="signature"]', 'Sara Ahmed');
  await Demo.next(frame, 'sign', 'done');

  const complete = await d.waitLog('vlens:complete');
  assert.deepEqual(Object.keys(complete.data).sort(), ['contractTypeIds', 'phoneNumber', 'sessionId']);
  assert.deepEqual(complete.data.contractTypeIds, [414, 415]);
  assert.equal(complete.data.phoneNumber, '+201001234567');
  assert.match(complete.data.sessionId, /^[0-9a-f-]{36}$/);
  await d.waitFor(() => document.getElementById('result').dataset.status === 'completed', null, '#result completed');
  assert.deepEqual(JSON.parse(await d.page.textContent('#result')), { status: 'completed', data: complete.data });
  assert.equal(await d.page.textContent('#state'), 'completed');
  assert.equal(await frame.textContent('[data-screen="done"] h1'), 'All done');
  assert.equal(await frame.textContent('[data-testid="step"]'), 'done');

  const log = await d.log();
  assert.deepEqual(log.filter((e) => e.type === 'vlens:step').map((e) => e.detail.step), ['registration', 'kyc', 'contract', 'done']);
  assert.deepEqual(log.filter((e) => e.type === 'vlens:token').map((e) => e.detail), [{ reason: 'initial' }]);
  for (const type of ['vlens:token', 'vlens:load', 'vlens:ready', 'vlens:step', 'vlens:resize', 'vlens:complete']) {
    assert.ok(log.some((e) => e.type === type), `the log shows ${type}`);
  }
  assert.ok(!log.some((e) => ['vlens:error', 'vlens:cancel'].includes(e.type)), `no error or cancel: ${JSON.stringify(log)}`);
  assert.ok(log.every((e) => e.session === '1'));
  assert.equal(await d.page.textContent('#log-count'), `${log.length} events`);
  assert.match(server.stderr(), /method=POST route=\/api\/vlens\/session\}: answered status=200 latency_ms=\d+ note=CreateAuthSession/);

  const file = resultsPath('demo-complete.png');
  fs.rmSync(file, { force: true });
  await d.page.screenshot({ path: file });
  const png = fs.readFileSync(file);
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  assert.ok(png.length > 20000, `a real screenshot (${png.length} bytes)`);
  assert.deepEqual(d.pageErrors, []);
  assert.deepEqual(d.consoleErrors, []);
  await d.close();
});

test('invitation with prefill through the demo form: the mock app shows the pre-filled fields', async () => {
  const d = await Demo.open(browser.context, server);
  await d.page.check('#prefill-enabled');
  await d.waitFor(() => !document.getElementById('prefill-body').hidden, null, 'the prefill fields');
  await d.page.fill('#prefill-contract', '414');
  await d.page.fill('#prefill-rows tr:nth-child(1) .kv__key', 'fullName');
  await d.page.fill('#prefill-rows tr:nth-child(1) .kv__value', 'Nour El-Sayed');
  await d.page.fill('#prefill-rows tr:nth-child(2) .kv__key', 'monthlyIncome');
  await d.page.fill('#prefill-rows tr:nth-child(2) .kv__value', '31000');
  await d.page.click('#prefill-add');
  await d.page.fill('#prefill-rows tr:nth-child(3) .kv__key', 'employer');
  await d.page.fill('#prefill-rows tr:nth-child(3) .kv__value', 'Nile & Co <Cairo> "HQ"');
  await d.start();

  const frame = await d.app();
  await Demo.waitScreen(frame, 'registration');
  const prefill = { 414: { fullName: 'Nour El-Sayed', monthlyIncome: '31000', employer: 'Nile & Co <Cairo> "HQ"' } };
  assert.deepEqual(JSON.parse(d.sessionRequests[0].body).prefill, prefill);
  assert.match(server.stderr(), /method=POST route=\/api\/vlens\/session\}: answered status=200 latency_ms=\d+ note=CreateInvitation/, 'the server created an invitation');

  const shown = await frame.$$eval('[data-testid="prefill"] [data-contract="414"] dd[data-field]',
    (dds) => Object.fromEntries(dds.map((dd) => [dd.dataset.field, dd.textContent])));
  assert.deepEqual(shown, prefill[414], 'every pre-filled field is shown, text intact');
  assert.equal(await frame.inputValue('[data-testid="full-name"]'), 'Nour El-Sayed', 'the name field is pre-filled');
  assert.equal(await frame.$$eval('[data-testid="prefill"] script, [data-testid="prefill"] cairo', (els) => els.length), 0, 'values are text, not markup');
  assert.ok(!(await d.types()).includes('vlens:error'));
  await d.close();
});

test('cancel in the mock app: vlens:cancel in the log and the result says cancelled', async () => {
  const d = await Demo.open(browser.context, server);
  await d.start();
  const frame = await d.app();
  await Demo.next(frame, 'registration', 'kyc');
  await frame.dispatchEvent('[data-testid="cancel"]', 'click'); // not a pointer click: the app's resize can move the iframe under it
  const cancel = await d.waitLog('vlens:cancel');
  assert.deepEqual(cancel, { data: { step: 'kyc' } });
  await d.waitFor(() => document.getElementById('result').dataset.status === 'cancelled', null, '#result cancelled');
  assert.deepEqual(JSON.parse(await d.page.textContent('#result')), { status: 'cancelled', data: { step: 'kyc' } });
  assert.equal(await d.page.textContent('#state'), 'cancelled');
  await Demo.waitScreen(frame, 'cancelled', { ready: false });
  assert.equal(await frame.textContent('[data-screen="cancelled"] h1'), 'Verification cancelled');
  const types = await d.types();
  assert.ok(!types.includes('vlens:complete') && !types.includes('vlens:error'), String(types));
  await d.close();
});

test("an error reported by the mock app (Simulate error): vlens:error with source 'app', and the flow carries on", async () => {
  const d = await Demo.open(browser.context, server);
  await d.start();
  const frame = await d.app();
  await Demo.waitScreen(frame, 'registration');
  await frame.dispatchEvent('[data-testid="simulate-error"]', 'click'); // not a pointer click: the app's resize can move the iframe under it
  const err = await d.waitLog('vlens:error');
  assert.equal(err.code, 'APP_ERROR');
  assert.equal(err.source, 'app');
  assert.equal(err.appCode, 'SIMULATED_ERROR');
  assert.equal(err.recoverable, true);
  assert.match(err.message, /simulated error/i);
  assert.equal(await d.page.isVisible('#alert'), true, 'the demo shows the error');
  assert.equal(await d.page.textContent('#alert-title'), 'Verification error: APP_ERROR');
  assert.equal(await d.page.textContent('#state'), 'ready', 'an app error does not end the session');
  assert.equal(await d.page.getAttribute('#result', 'data-status'), 'pending');

  // The user carries on: the next step still arrives.
  const rows = (await d.log()).length;
  await Demo.next(frame, 'registration', 'kyc');
  await d.waitLog('vlens:step', 2);
  const later = await since(d, rows);
  assert.ok(later.some((e) => e.type === 'vlens:step' && e.detail.step === 'kyc'));
  assert.equal((await d.log()).filter((e) => e.type === 'vlens:error').length, 1);
  await d.close();
});

/** Polls until the iframe's applied height matches the app's last reported height; returns both. */
async function settledHeights(page, frame, iframeSelector, min, max) {
  const deadline = Date.now() + 5000;
  let last;
  for (;;) {
    const app = await frame.evaluate(() => {
      const sent = window.__vlensMock.sent.filter((m) => m.type === 'resize');
      return {
        reported: sent.length ? sent[sent.length - 1].data.height : null,
        body: Math.ceil(document.body.getBoundingClientRect().height),
        screen: document.querySelector('[data-testid="screen"]').dataset.screen,
      };
    });
    const applied = await page.evaluate((sel) => {
      const f = document.querySelector(sel);
      return { style: f.style.height, box: f.getBoundingClientRect().height };
    }, iframeSelector);
    last = { ...app, applied };
    if (app.reported === app.body && applied.style === `${clamp(app.reported, min, max)}px`) {
      return { screen: app.screen, app: app.reported, applied: applied.box };
    }
    if (Date.now() > deadline) throw new Error(`iframe height did not follow the app: ${JSON.stringify(last)} (min ${min}, max ${max})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('resize with the real mock app: the iframe follows its content height, clamped to minHeight/maxHeight', async () => {
  const d = await Demo.open(browser.context, server);
  await d.start();
  const frame = await d.app();

  // The demo mounts with minHeight 420 and maxHeight 1100.
  const natural = [];
  for (const [from, to] of [[null, 'registration'], ['registration', 'kyc'], ['kyc', 'sign'], ['sign', 'done']]) {
    if (from) await Demo.next(frame, from, to);
    else await Demo.waitScreen(frame, to);
    const h = await settledHeights(d.page, frame, '#widget iframe', 420, 1100);
    assert.equal(h.screen, to);
    assert.equal(h.applied, clamp(h.app, 420, 1100), `${to}: iframe height ${h.applied} for content ${h.app}`);
    const resizes = (await d.log()).filter((e) => e.type === 'vlens:resize');
    assert.equal(resizes.at(-1).detail.height, h.applied, 'vlens:resize reports the height applied');
    natural.push(h);
  }
  const heights = [...new Set(natural.map((h) => h.app))].sort((a, b) => a - b);
  assert.ok(heights.length >= 3, `the app's screens have different heights: ${heights}`);

  // A page of our own on the same origin: limits between the screens' heights, so one
  // screen is below minHeight, one within and one above maxHeight.
  const min = Math.round((heights[0] + heights[1]) / 2);
  const max = Math.round((heights.at(-2) + heights.at(-1)) / 2);
  const width = await d.page.evaluate(() => document.querySelector('#widget iframe').getBoundingClientRect().width);
  await d.page.click('#destroy');
  await d.page.evaluate(({ baseUrl, min, max, width }) => {
    const el = document.createElement('div');
    el.id = 'own';
    el.style.width = `${width}px`;
    document.querySelector('.stage').append(el);
    window.__own = [];
    window.Vlens.mountVlens(el, {
      url: '/api/vlens/session',
      body: { phoneNumber: '+201234567890', allowedContractTypeIds: [414], minimalSignatureFlow: true, digitalIdentityOnly: false },
    }, { baseUrl, minHeight: min, maxHeight: max, onEvent: (type, detail) => window.__own.push({ type, detail }) });
  }, { baseUrl: server.mock, min, max, width });
  await d.waitFor(() => !!document.querySelector('#own iframe'), null, 'the own iframe');
  const own = await (await d.page.$('#own iframe')).contentFrame();
  await own.waitForFunction(() => !!window.__vlensMock, null, { timeout: 5000 });
  const seen = [];
  for (const [from, to] of [[null, 'registration'], ['registration', 'kyc'], ['kyc', 'sign'], ['sign', 'done']]) {
    if (from) await Demo.next(own, from, to);
    else await Demo.waitScreen(own, to);
    const h = await settledHeights(d.page, own, '#own iframe', min, max);
    assert.equal(h.applied, clamp(h.app, min, max), `${to}: iframe height ${h.applied} for content ${h.app} (min ${min}, max ${max})`);
    const resizes = await d.page.evaluate(() => window.__own.filter((e) => e.type === 'vlens:resize'));
    assert.equal(resizes.at(-1).detail.height, h.applied);
    seen.push(h);
  }
  assert.ok(seen.some((h) => h.app < min && h.applied === min), `a screen clamped up to minHeight: ${JSON.stringify(seen)}`);
  assert.ok(seen.some((h) => h.app > max && h.applied === max), `a screen clamped down to maxHeight: ${JSON.stringify(seen)}`);
  assert.ok(seen.some((h) => h.app > min && h.app < max && h.applied === h.app), `a screen followed exactly: ${JSON.stringify(seen)}`);
  assert.ok(await d.page.evaluate(() => window.__own.some((e) => e.type === 'vlens:complete')));
  assert.deepEqual(d.pageErrors, []);
  await d.close();
});

test('the demo is served with a strict CSP and Permissions-Policy, and the whole flow runs with zero violations and no CAMERA_BLOCKED', async () => {
  const d = await Demo.open(browser.context, server);
  const headers = d.response.headers();
  assert.equal(headers['content-security-policy'],
    `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src ${server.mock}; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'`);
  assert.equal(headers['permissions-policy'], `camera=(self "${server.mock}"), microphone=(self "${server.mock}")`);

  await d.start();
  const frame = await d.app();
  assert.deepEqual(await d.page.evaluate((mock) => {
    const f = document.querySelector('#widget iframe');
    return {
      allow: f.allow,
      frameCamera: f.featurePolicy.allowsFeature('camera'),
      frameMicrophone: f.featurePolicy.allowsFeature('microphone'),
      pageCameraForMock: document.featurePolicy.allowsFeature('camera', mock),
    };
  }, server.mock), { allow: 'camera; microphone', frameCamera: true, frameMicrophone: true, pageCameraForMock: true });
  await Demo.next(frame, 'registration', 'kyc');
  await Demo.next(frame, 'kyc', 'sign');
  await Demo.next(frame, 'sign', 'done');
  await d.waitLog('vlens:complete');
  await d.waitFor(() => document.getElementById('result').dataset.status === 'completed', null, '#result completed');

  const log = await d.log();
  assert.ok(!log.some((e) => e.type === 'vlens:error'), `no error, in particular no CAMERA_BLOCKED: ${JSON.stringify(log.filter((e) => e.type === 'vlens:error'))}`);
  assert.equal(await d.page.isHidden('#alert'), true);
  assert.deepEqual(await d.page.evaluate(() => window.__violations), [], 'no violation on the demo page');
  assert.deepEqual(await frame.evaluate(() => window.__violations), [], 'no violation in the mock app');

  // The recorder does see a violation when there is one: the page may not fetch from the mock.
  await d.page.evaluate((mock) => fetch(`${mock}/`).catch(() => {}), server.mock);
  await d.waitFor(() => window.__violations.length > 0, null, 'a deliberate violation');
  const violations = await d.page.evaluate(() => window.__violations);
  assert.deepEqual(violations.map((v) => [v.directive, v.blocked]), [['connect-src', `${server.mock}/`]]);
  assert.deepEqual(d.pageErrors, []);
  await d.close();
});

// ---------------------------------------------------------------- the switches: dialog and Arabic

const AR_LOADING = 'جارٍ تجهيز التحقق الآمن…';

/** What the widget shows in `root` (#widget or the dialog): its screen, texts and direction. */
function widgetScreen(page, root = '#widget') {
  return page.evaluate((root) => {
    const r = document.querySelector(root);
    const box = r && r.querySelector('.vlens');
    const layer = box && box.querySelector('.vlens-state');
    const frame = box && box.querySelector('iframe');
    return {
      screen: layer ? (layer.classList.contains('vlens-loading') ? 'loading' : 'error') : frame ? 'app' : null,
      role: layer && layer.getAttribute('role'),
      text: layer && layer.querySelector('.vlens-message').textContent,
      retry: layer && layer.querySelector('.vlens-retry') && layer.querySelector('.vlens-retry').textContent,
      frameVisible: !!frame && getComputedStyle(frame).visibility === 'visible',
      lang: box && (box.closest('[lang]') || box).getAttribute('lang'),
      dir: box && box.closest('[dir]') && box.closest('[dir]').getAttribute('dir'),
      placeholderHidden: document.getElementById('placeholder').hidden,
    };
  }, root);
}

/** The demo's dialog, or null when there is none. */
function dialog(page) {
  return page.evaluate(() => {
    const d = document.querySelector('dialog.vlens-modal');
    if (!d) return null;
    return {
      open: d.open,
      modal: d.matches(':modal'),
      label: d.getAttribute('aria-label'),
      close: d.querySelector('.vlens-close').getAttribute('aria-label'),
      dir: d.getAttribute('dir'),
      lang: d.getAttribute('lang'),
      focusInside: d.contains(document.activeElement),
      inWidget: document.getElementById('widget').children.length,
    };
  });
}

/** The panel where the inline flow would be, the page's scroll lock and focus. */
function panel(page) {
  return page.evaluate(() => ({
    hidden: document.getElementById('placeholder').hidden,
    key: document.getElementById('placeholder').dataset.state,
    title: document.getElementById('placeholder-title').textContent,
    text: document.getElementById('placeholder-text').textContent,
    state: document.getElementById('state').textContent,
    overflow: getComputedStyle(document.documentElement).overflow,
    focus: document.activeElement && document.activeElement.id,
    alert: !document.getElementById('alert').hidden,
    startDisabled: document.getElementById('start').disabled,
  }));
}

/** Clicks the mock app from registration to its last Next (the minimal signature flow). */
async function walk(frame) {
  await Demo.next(frame, 'registration', 'kyc');
  await Demo.next(frame, 'kyc', 'sign');
  await Demo.waitScreen(frame, 'sign');
  // The last Next completes the flow, and the dialog (with this frame) closes at once.
  await frame.dispatchEvent('[data-testid="next"]', 'click');
}

test('the switches are labelled radio groups in fieldsets, English and in the page by default', async () => {
  const d = await Demo.open(browser.context, server);
  assert.deepEqual(await d.page.evaluate(() => [...document.querySelectorAll('#session-form fieldset.switch')].map((f) => ({
    legend: f.querySelector('legend').textContent,
    options: [...f.querySelectorAll('input[type="radio"]')].map((i) => [i.name, i.value, i.labels[0].textContent, i.checked]),
  }))), [
    { legend: 'Open the flow', options: [['mode', 'inline', 'In the page', true], ['mode', 'modal', 'In a dialog', false]] },
    { legend: 'Language', options: [['locale', 'en', 'English', true], ['locale', 'ar', 'العربية', false]] },
    {
      legend: 'The Vlens app speaks',
      options: [['protocol', 'v1', 'v1', true], ['protocol', 'silent', 'nothing (silent)', false], ['protocol', 'foreign', 'another format (foreign)', false]],
    },
  ]);
  assert.equal(await d.page.getByRole('radio', { name: 'In a dialog' }).count(), 1);
  assert.equal(await d.page.getAttribute('label[for="locale-ar"]', 'lang'), 'ar');
  // Keyboard: arrows move within a group, as for any radio group.
  await d.page.focus('#mode-inline');
  await d.page.keyboard.press('ArrowRight');
  assert.equal(await d.page.isChecked('#mode-modal'), true);
  assert.match((await panel(d.page)).text, /opens in a dialog over this page/, 'the panel says where the flow will open');
  await d.page.keyboard.press('ArrowLeft');
  assert.equal(await d.page.isChecked('#mode-inline'), true);
  assert.match((await panel(d.page)).text, /opens here/);
  await d.close();
});

test('modal: "In a dialog" opens the flow over the page with no element; through to completion, then the dialog closes and the panel says so', async () => {
  const d = await Demo.open(browser.context, server);
  await d.choose({ mode: 'modal' });
  await d.start();
  await d.waitFor(() => document.querySelector('dialog.vlens-modal')?.open === true, null, 'the dialog');
  const m = await dialog(d.page);
  assert.deepEqual(m, { open: true, modal: true, label: 'Identity verification', close: 'Close', dir: 'ltr', lang: 'en', focusInside: true, inWidget: 0 });
  const during = await panel(d.page);
  assert.deepEqual([during.hidden, during.key, during.title, during.overflow], [false, 'open', 'Verification in progress', 'hidden']);

  const frame = await d.app(MODAL_FRAME);
  assert.equal(new URL(frame.url()).origin, server.mock, 'the app of the mock origin, in the dialog');
  await Demo.waitScreen(frame, 'registration');
  assert.equal((await widgetScreen(d.page, 'dialog.vlens-modal')).frameVisible, true);
  assert.equal((await panel(d.page)).state, 'ready');
  await walk(frame);

  const complete = await d.waitLog('vlens:complete');
  assert.equal(complete.data.phoneNumber, '+201234567890');
  await d.waitFor(() => !document.querySelector('dialog.vlens-modal'), null, 'the dialog to close');
  await d.waitFor(() => document.getElementById('result').dataset.status === 'completed', null, '#result completed');
  assert.deepEqual(JSON.parse(await d.page.textContent('#result')), { status: 'completed', data: complete.data });
  const after = await panel(d.page);
  assert.deepEqual(after, {
    hidden: false, key: 'completed', title: 'Verification complete', text: 'The dialog closed at the end of the flow. The result is below.',
    state: 'destroyed', overflow: 'visible', focus: 'start', alert: false, startDisabled: false,
  });
  const log = await d.log();
  assert.deepEqual(log.slice(-4).map((e) => (e.type === 'vlens:state' ? e.detail.state : e.type)),
    ['vlens:complete', 'completed', 'destroyed', 'vlens:destroy'], 'completion, then the dialog closed');
  const types = log.map((e) => e.type);
  assert.ok(!types.includes('vlens:error') && !types.includes('vlens:cancel'), String(types));
  assert.equal(d.sessionRequests.length, 1);
  assert.deepEqual(d.pageErrors, []);
  assert.deepEqual(d.consoleErrors, []);
  await d.close();
});

test('modal closed by the user (Close, then Escape): cancelled with reason closed, the panel says so, and Start opens it again', async () => {
  const d = await Demo.open(browser.context, server);
  await d.choose({ mode: 'modal' });
  await d.start();
  await d.waitLog('vlens:ready');
  await d.page.getByRole('button', { name: 'Close' }).click();
  await d.waitFor(() => document.getElementById('result').dataset.status === 'cancelled', null, '#result cancelled');
  assert.deepEqual(JSON.parse(await d.page.textContent('#result')), { status: 'cancelled', data: { reason: 'closed' } });
  assert.equal(await dialog(d.page), null);
  const closed = await panel(d.page);
  assert.deepEqual(closed, {
    hidden: false, key: 'closed', title: 'Verification cancelled', text: 'You closed the dialog before the end. Press “Start verification” to start again.',
    state: 'destroyed', overflow: 'visible', focus: 'start', alert: false, startDisabled: false,
  });

  // Again, and Escape this time (focus is on the dialog's Close button, not in the app).
  await d.start();
  await d.waitLog('vlens:ready', 2);
  assert.equal((await dialog(d.page)).focusInside, true);
  await d.page.keyboard.press('Escape');
  await d.waitFor(() => !document.querySelector('dialog.vlens-modal'), null, 'the dialog to close on Escape');
  const log = await d.log();
  assert.deepEqual(log.filter((e) => e.type === 'vlens:cancel').map((e) => [e.session, e.detail]),
    [['1', { data: { reason: 'closed' } }], ['2', { data: { reason: 'closed' } }]]);
  assert.equal((await panel(d.page)).title, 'Verification cancelled');
  assert.deepEqual(d.pageErrors, []);
  await d.close();
});

test('switching from an inline session to the dialog ends the inline one first', async () => {
  const d = await Demo.open(browser.context, server);
  await d.start();
  await d.waitLog('vlens:ready');
  await d.choose({ mode: 'modal' });
  await d.start();
  await d.waitFor(() => document.querySelector('dialog.vlens-modal')?.open === true, null, 'the dialog');
  const log = await d.log();
  assert.ok(log.some((e) => e.session === '1' && e.type === 'vlens:destroy'), 'session #1 (inline) was destroyed');
  assert.equal(await d.page.evaluate(() => document.querySelectorAll('iframe').length <= 1 && !document.querySelector('#widget iframe')), true);
  assert.equal(await d.page.textContent('#placeholder-title'), 'Verification in progress');
  await d.page.keyboard.press('Escape');
  await d.waitFor(() => !document.querySelector('dialog.vlens-modal'), null, 'the dialog to close');
  await d.close();
});

test('Arabic, in the page: the loading screen is Arabic and right to left while the token is on its way, then the app shows', async () => {
  let hold;
  const d = await Demo.open(browser.context, server, { prepare: async (page) => { hold = await holdTokens(page); } });
  await d.choose({ locale: 'ar' });
  await d.start();
  await d.waitFor(() => !!document.querySelector('#widget .vlens-loading'), null, 'the loading screen');
  const loading = await widgetScreen(d.page);
  assert.deepEqual(loading, { screen: 'loading', role: 'status', text: AR_LOADING, retry: null, frameVisible: false, lang: 'ar', dir: 'rtl', placeholderHidden: true });
  assert.equal(hold.count(), 1, 'the token request is the one held');
  await hold.release();
  await d.waitLog('vlens:ready');
  await Demo.waitScreen(await d.app(), 'registration');
  const ready = await widgetScreen(d.page);
  assert.deepEqual([ready.screen, ready.frameVisible, ready.placeholderHidden], ['app', true, true]);
  assert.deepEqual(d.pageErrors, []);
  await d.close();
});

test('Arabic, in the page: a failing token endpoint shows the Arabic error with "Try again", which recovers', async () => {
  let fail;
  const d = await Demo.open(browser.context, server, { prepare: async (page) => { fail = await failTokens(page, 3); } });
  await d.choose({ locale: 'ar' });
  await d.start();
  const err = await d.waitLog('vlens:error');
  assert.equal(err.code, 'TOKEN_PROVIDER_FAILED');
  assert.equal(fail.failed(), 3, 'the first call and two retries');
  await d.waitFor(() => !!document.querySelector('#widget .vlens-error'), null, 'the error screen');
  assert.deepEqual(await widgetScreen(d.page), {
    screen: 'error', role: 'alert', text: 'تعذّر بدء التحقق. تحقّق من اتصالك وحاول مرة أخرى.', retry: 'حاول مرة أخرى',
    frameVisible: false, lang: 'ar', dir: 'rtl', placeholderHidden: true,
  });
  // Announced (role="alert"); focus stays where the user left it, on the page's own button.
  assert.equal(await d.page.evaluate(() => document.activeElement.id), 'start', 'focus not taken from the page');
  assert.equal(await d.page.textContent('#alert-title'), 'Verification error: TOKEN_PROVIDER_FAILED');
  assert.match(await d.page.textContent('#alert-body'), /Vlens is busy, try again shortly\..*Press "Try again" or "Refresh token"\.$/);
  await d.page.getByRole('button', { name: 'حاول مرة أخرى' }).click();
  await d.waitLog('vlens:ready');
  assert.deepEqual((await d.log()).filter((e) => e.type === 'vlens:token').map((e) => e.detail.reason), ['initial', 'retry', 'retry', 'refresh']);
  assert.equal((await widgetScreen(d.page)).screen, 'app');
  assert.equal(await d.page.isHidden('#alert'), true, 'the alert went with the error');
  await d.close();
});

test('modal in Arabic: a right-to-left dialog with Arabic labels and loading text, through to completion with zero CSP violations', async () => {
  let hold;
  const d = await Demo.open(browser.context, server, { prepare: async (page) => { hold = await holdTokens(page); } });
  await d.choose({ mode: 'modal', locale: 'ar' });
  await d.start();
  await d.waitFor(() => !!document.querySelector('dialog.vlens-modal .vlens-loading'), null, 'the loading screen in the dialog');
  assert.deepEqual(await dialog(d.page), { open: true, modal: true, label: 'التحقق من الهوية', close: 'إغلاق', dir: 'rtl', lang: 'ar', focusInside: true, inWidget: 0 });
  const loading = await widgetScreen(d.page, 'dialog.vlens-modal');
  assert.deepEqual([loading.screen, loading.role, loading.text, loading.dir], ['loading', 'status', AR_LOADING, 'rtl']);
  await hold.release();

  const frame = await d.app(MODAL_FRAME);
  await Demo.waitScreen(frame, 'registration');
  await Demo.next(frame, 'registration', 'kyc');
  await Demo.next(frame, 'kyc', 'sign');
  assert.deepEqual(await frame.evaluate(() => window.__violations), [], 'no violation in the mock app');
  await frame.dispatchEvent('[data-testid="next"]', 'click');
  await d.waitLog('vlens:complete');
  await d.waitFor(() => !document.querySelector('dialog.vlens-modal'), null, 'the dialog to close');
  await d.waitFor(() => document.getElementById('result').dataset.status === 'completed', null, '#result completed');
  assert.equal(d.response.headers()['content-security-policy'].includes("style-src 'self';"), true, 'the strict CSP is on');
  assert.deepEqual(await d.page.evaluate(() => window.__violations), [], 'no violation on the demo page');
  assert.equal((await panel(d.page)).title, 'Verification complete');
  assert.deepEqual(d.pageErrors, []);
  assert.deepEqual(d.consoleErrors, []);
  await d.close();
});

test('axe-core finds no violations in the switches, nor in the demo with the dialog open in Arabic', async () => {
  const d = await Demo.open(browser.context, server);
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await d.page.evaluate(fs.readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8'));
  const axe = (include) => d.page.evaluate(async (include) => {
    // Colours are measured at rest, not halfway through the switches' transitions.
    await Promise.all(document.querySelector('.switches').getAnimations({ subtree: true }).map((a) => a.finished.catch(() => {})));
    const r = await window.axe.run({ include: [include] }, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, include);
  assert.deepEqual(await axe('#session-form .switches'), []);
  await d.choose({ mode: 'modal', locale: 'ar' });
  assert.deepEqual(await axe('#session-form .switches'), [], 'with the other options checked');
  await d.start();
  await d.waitLog('vlens:ready');
  assert.deepEqual(await axe('dialog.vlens-modal'), [], 'the dialog');
  await d.page.keyboard.press('Escape');
  await d.waitFor(() => !document.querySelector('dialog.vlens-modal'), null, 'the dialog to close');
  assert.deepEqual(await axe('.area-widget'), [], 'the panel after the dialog closed');
  await d.close();
});
