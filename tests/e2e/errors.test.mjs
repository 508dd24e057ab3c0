// Every error code that can be provoked, with state, recoverable and recovery through refresh().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, vlens, settle } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

function assertWidgetError(detail, code, recoverable) {
  assert.equal(detail.code, code, `code: ${JSON.stringify(detail)}`);
  assert.equal(detail.recoverable, recoverable, `recoverable: ${JSON.stringify(detail)}`);
  assert.equal(detail.source, 'widget');
  assert.equal(typeof detail.message, 'string');
  assert.ok(detail.message.length > 0, 'the error has a message');
}

test('TOKEN_PROVIDER_FAILED after the retries when the endpoint answers 500 every time', async () => {
  const p = await h.open();
  const k = key('fail500');
  await p.mount('f', h.token('status/500', k), { baseUrl: h.base('auto'), retries: 2 });
  const err = await p.waitEvent('f', 'vlens:error');
  assertWidgetError(err, 'TOKEN_PROVIDER_FAILED', true);
  assert.equal(await p.state('f'), 'error');
  assert.equal((await h.calls(k)).length, 3, '1 attempt + 2 retries');
  const tokens = (await p.events('f')).filter((e) => e.type === 'vlens:token').map((e) => e.detail.reason);
  assert.deepEqual(tokens, ['initial', 'retry', 'retry']);
  assert.equal(await p.evaluate(() => T.s.f.session.iframe == null), true, 'no iframe without a token');
  assert.equal(await p.settled('f'), false, 'errors do not settle result');
  await settle(300);
  assert.equal((await h.calls(k)).length, 3, 'no attempt after giving up');
  await p.close();
});

test('no retry on a 4xx other than 408/429: exactly one request', async () => {
  const p = await h.open();
  const k400 = key('fail400');
  const k404 = key('fail404');
  await p.mount('a', h.token('status/400', k400), { baseUrl: h.base('auto'), retries: 2 });
  await p.mount('b', h.token('status/404', k404), { baseUrl: h.base('auto'), retries: 2 });
  const errA = await p.waitEvent('a', 'vlens:error');
  assertWidgetError(errA, 'TOKEN_PROVIDER_FAILED', true);
  assert.match(errA.message, /answered HTTP 400 \(status 400\)/, "the endpoint's own JSON error is quoted for the developer");
  assertWidgetError(await p.waitEvent('b', 'vlens:error'), 'TOKEN_PROVIDER_FAILED', true);
  await settle(400); // longer than the first backoff (≤ 250 ms)
  assert.equal((await h.calls(k400)).length, 1, '400: one request');
  assert.equal((await h.calls(k404)).length, 1, '404: one request');
  assert.deepEqual(await p.types('a'), ['vlens:token', 'vlens:error']);
  assert.equal(await p.state('a'), 'error');
  await p.close();
});

test('408 and 429 are retried', async () => {
  const p = await h.open();
  const k408 = key('fail408');
  const k429 = key('fail429');
  await p.mount('a', h.token('status/408', k408), { baseUrl: h.base('auto'), retries: 1 });
  await p.mount('b', h.token('status/429', k429), { baseUrl: h.base('auto'), retries: 1 });
  await p.waitEvent('a', 'vlens:error');
  await p.waitEvent('b', 'vlens:error');
  for (const id of ['a', 'b']) {
    const reasons = (await p.events(id)).filter((e) => e.type === 'vlens:token').map((e) => e.detail.reason);
    assert.deepEqual(reasons, ['initial', 'retry'], `${id}: one retry`);
  }
  assert.equal((await h.calls(k408)).length, 2);
  assert.equal((await h.calls(k429)).length, 2);
  await p.close();
});

test('Retry-After on a 429 (an HTTP date) and a 503 (seconds) delays the retry as asked, then the token is used', async () => {
  const p = await h.open();
  // A whole second at least 2 s ahead: HTTP dates have no fractions.
  const date = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000);
  const cases = { d: [429, date.toUTCString(), date.getTime()], s: [503, '2', null] };
  const seen = {};
  await p.page.route('**/token/ok?key=after-*', (route) => {
    const id = new URL(route.request().url()).searchParams.get('key').split('-')[1];
    const times = (seen[id] ||= []);
    times.push(Date.now());
    if (times.length > 1) return route.continue();
    const [status, retryAfter] = cases[id];
    return route.fulfill({ status, headers: { 'retry-after': retryAfter }, contentType: 'application/json', body: '{"error":"busy"}' });
  });
  for (const id of Object.keys(cases)) {
    await p.mount(id, h.token('ok', `after-${id}-${key()}`), { baseUrl: h.base('auto'), retries: 1 });
  }
  for (const [id, [, , at]] of Object.entries(cases)) {
    await p.waitEvent(id, 'vlens:ready', 1, 10000); // the wait is spread up to twice what was asked
    const reasons = (await p.events(id)).filter((e) => e.type === 'vlens:token').map((e) => e.detail.reason);
    assert.deepEqual(reasons, ['initial', 'retry'], `${id}: one retry`);
    const [first, second] = seen[id];
    const asked = at === null ? 2000 : at - first;
    // Both clocks are this machine's: a few ms of slack for when Playwright saw each request.
    assert.ok(second - first >= asked - 50, `${id}: retried ${second - first} ms after the first request; asked ${asked} ms`);
  }
  await p.close();
});

test('a 500 followed by a good answer ends in success through a retry', async () => {
  const p = await h.open();
  const k = key('flaky');
  await p.mount('f', h.token('flaky', k), { baseUrl: h.base('auto'), retries: 2 });
  await p.waitEvent('f', 'vlens:ready');
  assert.equal((await h.calls(k)).length, 2);
  const events = await p.events('f');
  assert.deepEqual(events.filter((e) => e.type === 'vlens:token').map((e) => e.detail.reason), ['initial', 'retry']);
  assert.ok(!events.some((e) => e.type === 'vlens:error'), 'no error event');
  const frame = await p.frame('f');
  assert.match(await frame.evaluate(() => window.token), /^flaky-tok-\d+$/);
  assert.equal(await p.state('f'), 'ready');
  await p.close();
});

test('refresh() recovers from TOKEN_PROVIDER_FAILED', async () => {
  const p = await h.open();
  const k = key('recover');
  await p.mount('r', h.token('flaky', k), { baseUrl: h.base('auto'), retries: 0 });
  assertWidgetError(await p.waitEvent('r', 'vlens:error'), 'TOKEN_PROVIDER_FAILED', true);
  assert.equal(await p.state('r'), 'error');
  await p.evaluate(() => T.s.r.session.refresh());
  assert.deepEqual(await p.waitEvent('r', 'vlens:token', 2), { reason: 'refresh' });
  await p.waitEvent('r', 'vlens:ready');
  assert.equal(await p.state('r'), 'ready');
  assert.equal((await h.calls(k)).length, 2);
  await p.close();
});

test('TOKEN_INVALID: empty, not a string, too long, control characters, unusable bodies; never retried', async () => {
  const p = await h.open();
  const long = 'x'.repeat(4097);
  // URL providers (each with its own key so the server log can be checked).
  const urlCases = {
    u_empty: h.token('value', key('inv'), { v: '' }),
    u_long: h.token('value', key('inv'), { v: long }),
    u_newline: h.token('value', key('inv'), { v: 'abc\ndef' }),
    u_nul: h.token('value', key('inv'), { v: 'abc\u0000def' }),
    u_number: h.token('raw', key('inv'), { body: '{"token":123}' }),
    u_nofield: h.token('raw', key('inv'), { body: '{"session":"abc"}' }),
    u_badjson: h.token('raw', key('inv'), { body: '{"token":' }),
    u_html: h.token('raw', key('inv'), { body: '<p>tok</p>', type: 'text/html' }),
  };
  for (const [id, url] of Object.entries(urlCases)) await p.mount(id, url, { baseUrl: h.base('auto'), retries: 2 });
  // Function providers.
  await p.evaluate((long) => {
    const cases = {
      f_number: 42, f_empty: '', f_long: long, f_bell: 'ab\u0007c', f_null: null, f_object: { token: 'x' }, f_async_tab: Promise.resolve('a\tb'),
    };
    T.n = {};
    for (const [id, value] of Object.entries(cases)) {
      T.n[id] = 0;
      T.mount(id, () => { T.n[id]++; return value; }, { baseUrl: location.origin.replace('127.0.0.1', 'localhost'), retries: 2 });
    }
  }, long);
  const ids = [...Object.keys(urlCases), 'f_number', 'f_empty', 'f_long', 'f_bell', 'f_null', 'f_object', 'f_async_tab'];
  for (const id of ids) {
    const err = await p.waitEvent(id, 'vlens:error');
    assert.equal(err.code, 'TOKEN_INVALID', `${id}: ${JSON.stringify(err)}`);
    assert.equal(err.recoverable, false, `${id} is not recoverable`);
    assert.equal(err.source, 'widget');
    assert.equal(await p.state(id), 'error', `${id} state`);
    assert.equal(await p.evaluate((id) => T.s[id].session.iframe == null, id), true, `${id}: no iframe`);
  }
  await settle(400); // longer than the first backoff: prove no retry happened
  for (const [id, url] of Object.entries(urlCases)) {
    assert.equal((await h.calls(new URL(url).searchParams.get('key'))).length, 1, `${id}: exactly one request`);
  }
  const n = await p.evaluate(() => T.n);
  for (const [id, count] of Object.entries(n)) assert.equal(count, 1, `${id}: provider called once`);
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('a token of exactly 4096 characters is accepted', async () => {
  const p = await h.open();
  const token = 't'.repeat(4096);
  await p.mount('x', h.token('value', key('max'), { v: token }), { baseUrl: h.base('auto') });
  await p.waitEvent('x', 'vlens:ready');
  const frame = await p.frame('x');
  assert.equal(await frame.evaluate(() => window.token), token);
  await p.close();
});

test('TOKEN_TIMEOUT when the endpoint never answers; the attempt is aborted', async () => {
  const p = await h.open();
  const k = key('hang');
  await p.mount('t', h.token('hang', k), { baseUrl: h.base('auto'), retries: 0, tokenTimeoutMs: 300 });
  assertWidgetError(await p.waitEvent('t', 'vlens:error'), 'TOKEN_TIMEOUT', true);
  assert.equal(await p.state('t'), 'error');
  // The browser gave up on the request: the server sees the connection closed unanswered.
  const deadline = Date.now() + 3000;
  let calls;
  while (Date.now() < deadline) {
    calls = await h.calls(k);
    if (calls.length === 1 && calls[0].aborted) break;
    await settle(25);
  }
  assert.equal(calls.length, 1);
  assert.equal(calls[0].aborted, true, 'the timed-out request was aborted');
  await p.close();
});

test('TOKEN_TIMEOUT from a function provider aborts ctx.signal of each attempt', async () => {
  const p = await h.open();
  await p.evaluate((baseUrl) => {
    T.ctxs = [];
    T.mount('t', (ctx) => { T.ctxs.push(ctx); return new Promise(() => {}); }, { baseUrl, retries: 1, tokenTimeoutMs: 300 });
  }, h.base('auto'));
  assertWidgetError(await p.waitEvent('t', 'vlens:error'), 'TOKEN_TIMEOUT', true);
  const ctxs = await p.evaluate(() => T.ctxs.map((c) => ({ reason: c.reason, aborted: c.signal.aborted, isSignal: c.signal instanceof AbortSignal })));
  assert.deepEqual(ctxs, [
    { reason: 'initial', aborted: true, isSignal: true },
    { reason: 'retry', aborted: true, isSignal: true },
  ]);
  assert.equal(await p.state('t'), 'error');
  await p.close();
});

test('TOKEN_REFRESH_FAILED when the provider fails after token-expired; refresh() recovers', async () => {
  const p = await h.open();
  await p.evaluate((baseUrl) => {
    T.fail = false;
    T.reasons = [];
    let n = 0;
    T.mount('x', (ctx) => {
      T.reasons.push(ctx.reason);
      if (T.fail) return Promise.reject(new Error('backend down'));
      return `good-${++n}`;
    }, { baseUrl, retries: 0 });
  }, h.base('auto'));
  await p.waitEvent('x', 'vlens:ready');
  await p.evaluate(() => { T.fail = true; });
  await p.send('x', vlens('token-expired', {}));
  assert.deepEqual(await p.waitEvent('x', 'vlens:token', 2), { reason: 'expired' });
  assertWidgetError(await p.waitEvent('x', 'vlens:error'), 'TOKEN_REFRESH_FAILED', true);
  assert.equal(await p.state('x'), 'error');
  assert.deepEqual((await p.received('x')).filter((m) => m.data && m.data.source === 'vlens-host'), [], 'no token sent to the app');

  await p.evaluate(() => { T.fail = false; });
  await p.evaluate(() => T.s.x.session.refresh());
  assert.deepEqual(await p.waitEvent('x', 'vlens:token', 3), { reason: 'refresh' });
  await p.waitEvent('x', 'vlens:ready', 2);
  assert.equal(await p.state('x'), 'ready');
  await p.frame('x', { token: 'good-2' });
  assert.deepEqual(await p.evaluate(() => T.reasons), ['initial', 'expired', 'refresh']);
  await p.close();
});

test('LOAD_TIMEOUT when the iframe never loads', async () => {
  const p = await h.open();
  await p.mount('l', h.token('ok', key('load')), { baseUrl: h.base('hang'), loadTimeoutMs: 500 });
  assertWidgetError(await p.waitEvent('l', 'vlens:error'), 'LOAD_TIMEOUT', true);
  assert.equal(await p.state('l'), 'error');
  assert.ok(!(await p.types('l')).includes('vlens:load'));
  assert.equal(await p.settled('l'), false);
  await p.close();
});

test('LOAD_TIMEOUT says the iframe did not load when it never loads', async () => {
  const p = await h.open();
  await p.mount('l', h.token('ok', key('noload')), { baseUrl: h.base('hang'), loadTimeoutMs: 500 });
  const err = await p.waitEvent('l', 'vlens:error');
  assert.match(err.message, /did not load within loadTimeoutMs \(500 ms\)/);
  await p.close();
});

// The iframe fires `load` for all of these, but no `ready` ever comes: the timeout is on `ready`.
for (const [what, base] of [
  ['a page that never reports ready', (h) => h.base('manual')],
  ['a 503 page', (h) => h.base('503')],
  ['a page sent with X-Frame-Options: DENY', (h) => h.base('xfo')],
  ["a page sent with frame-ancestors 'none'", (h) => h.base('fa-none')],
  ['a refused connection', (h) => h.closedOrigin],
]) {
  test(`readyOn 'message': LOAD_TIMEOUT on ${what}: the iframe loaded but the app never reported ready`, async () => {
    const p = await h.open();
    await p.mount('l', h.token('ok', key('noready')), { baseUrl: base(h), loadTimeoutMs: 1500, readyOn: 'message' });
    const err = await p.waitEvent('l', 'vlens:error');
    assertWidgetError(err, 'LOAD_TIMEOUT', true);
    // "Loaded" would mislead for a refused connection: the message says what load means.
    assert.match(err.message, /fired load \(so does a refused connection, an error page or a page that refuses to be framed\), but no Vlens app in it reported ready within loadTimeoutMs \(1500 ms\)/);
    assert.equal(await p.state('l'), 'error');
    assert.ok((await p.types('l')).includes('vlens:load'), 'the iframe did fire load');
    assert.deepEqual(await p.states('l'), ['token', 'loading', 'error']);
    await p.close();
  });
}

test("readyOn 'load' (the default) counts a 503 page and a refused connection as loaded: shown, no LOAD_TIMEOUT", async () => {
  const p = await h.open();
  for (const [id, base] of [['a', h.base('503')], ['b', h.closedOrigin]]) {
    await p.mount(id, h.token('ok', key('shown')), { baseUrl: base, loadTimeoutMs: 500 });
    await p.waitEvent(id, 'vlens:ready');
  }
  await settle(800);
  for (const id of ['a', 'b']) {
    assert.equal(await p.state(id), 'ready');
    assert.deepEqual(await p.states(id), ['token', 'loading', 'ready']);
  }
  await p.close();
});

test('refresh() recovers from LOAD_TIMEOUT', async () => {
  const p = await h.open();
  await p.evaluate((baseUrl) => {
    let n = 0;
    // The fake app never finishes loading for a token starting with "hang-".
    T.mount('l', () => (++n === 1 ? 'hang-1' : `fine-${n}`), { baseUrl, loadTimeoutMs: 1500 });
  }, h.base('auto'));
  assertWidgetError(await p.waitEvent('l', 'vlens:error'), 'LOAD_TIMEOUT', true);
  assert.equal(await p.state('l'), 'error');
  await p.evaluate(() => T.s.l.session.refresh());
  await p.waitEvent('l', 'vlens:load');
  await p.waitEvent('l', 'vlens:ready');
  assert.equal(await p.state('l'), 'ready');
  await p.frame('l', { token: 'fine-2' });
  assert.equal(await p.evaluate(() => document.querySelectorAll('#l iframe').length), 1);
  await p.close();
});

test('CAMERA_BLOCKED when the host page forbids camera and microphone stops the flow: state error, the iframe removed; refresh() checks again', async () => {
  const p = await h.open('/host-camera-blocked.html');
  await p.mount('c', h.token('ok', key('cam')), { baseUrl: h.base('auto') });
  const err = await p.waitEvent('c', 'vlens:error');
  assertWidgetError(err, 'CAMERA_BLOCKED', false);
  assert.match(err.message, /Permissions-Policy: camera=\(self/);
  const r = await p.evaluate(() => ({ state: T.s.c.session.state, iframe: T.s.c.session.iframe, n: document.querySelectorAll('#c iframe').length }));
  assert.deepEqual(r, { state: 'error', iframe: null, n: 0 }, 'the user is not walked through a flow whose liveness step cannot work');
  await settle(300);
  assert.ok(!(await p.types('c')).includes('vlens:ready'), 'no app to report ready');
  assert.equal((await p.events('c')).filter((e) => e.type === 'vlens:error').length, 1, 'reported once');
  await p.evaluate(() => T.s.c.session.refresh());
  await p.waitEvent('c', 'vlens:error', 2);
  assert.equal(await p.state('c'), 'error', 'a new iframe is checked again, and blocked again');
  await p.close();
});

test('no CAMERA_BLOCKED on a page that allows camera and microphone', async () => {
  const p = await h.open();
  await p.mount('c', h.token('ok', key('camok')), { baseUrl: h.base('auto') });
  await p.waitEvent('c', 'vlens:ready');
  await p.send('c', vlens('step', { step: 'marker' }));
  await p.waitEvent('c', 'vlens:step');
  assert.ok(!(await p.types('c')).includes('vlens:error'));
  await p.close();
});
