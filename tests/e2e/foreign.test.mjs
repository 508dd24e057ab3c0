// An app that does not speak our v1 guess (docs/protocol.md), as the real Vlens app may not:
// shown at load, every message it posts surfaced raw, a host `parseMessage` mapping its own
// format onto the typed events, and diagnostics in the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, vlens, settle, addFrame } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

/** Shapes a differently-speaking app might post; none is a v1 message. */
const FOREIGN_SHAPES = [
  { event: 'verification.completed', payload: { id: 'A-1' } },
  'plain text, not JSON',
  JSON.stringify({ event: 'verification.step', payload: { name: 'kyc' } }),
  [1, 'two', { three: 3 }],
  42,
  { source: 'vlens', version: 2, type: 'ready', data: {} },
  null,
];

/** Where the iframe is: visible, not under a screen of ours, and what covers its centre. */
function looks(p, id) {
  return p.evaluate((id) => {
    const f = T.s[id].session.iframe;
    f.scrollIntoView({ block: 'center' });
    const r = f.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 200));
    return { visibility: getComputedStyle(f).visibility, onTop: top === f, screens: document.querySelectorAll('.vlens-state').length };
  }, id);
}

/** Console messages of the page, recorded from now on. */
function consoleOf(p) {
  const seen = [];
  p.page.on('console', (m) => seen.push({ type: m.type(), text: m.text() }));
  return seen;
}

test('an app that posts nothing is shown at its first load, ready, with no error past loadTimeoutMs', async () => {
  const p = await h.open();
  const log = consoleOf(p);
  await p.mount('s', h.token('ok', key('silent')), { baseUrl: h.base('manual'), loadTimeoutMs: 400 });
  await p.waitEvent('s', 'vlens:ready');
  assert.equal(await p.state('s'), 'ready');
  assert.deepEqual(await looks(p, 's'), { visibility: 'visible', onTop: true, screens: 0 });
  await settle(700); // past loadTimeoutMs
  assert.equal(await p.state('s'), 'ready');
  assert.deepEqual(await p.types('s'), ['vlens:token', 'vlens:load', 'vlens:ready']);
  assert.deepEqual(log.filter((m) => m.type === 'error' || m.type === 'warning'), []);

  // With ui: false as well: no LOAD_TIMEOUT while the user is in the middle of the flow.
  await p.mount('u', h.token('ok', key('silent-ui')), { baseUrl: h.base('manual'), loadTimeoutMs: 400, ui: false });
  await p.waitEvent('u', 'vlens:ready');
  await settle(700);
  assert.equal(await p.state('u'), 'ready');
  assert.equal(await p.evaluate(() => T.s.u.events.some((e) => e.type === 'vlens:error')), false);
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test("readyOn 'load': a v1 ready after the load fires nothing more, and refresh() goes through the rule again", async () => {
  const p = await h.open();
  const k = key('ready-once');
  await p.mount('s', h.token('ok', k), { baseUrl: h.base('manual') });
  await p.waitEvent('s', 'vlens:ready');
  await p.send('s', vlens('ready', {}));
  await p.send('s', vlens('step', { step: 'after-ready' }));
  await p.waitEvent('s', 'vlens:step');
  assert.equal(await p.evaluate(() => T.count('s', 'vlens:ready')), 1);
  await p.evaluate(() => T.s.s.session.refresh());
  await p.waitEvent('s', 'vlens:ready', 2);
  assert.deepEqual(await p.states('s'), ['token', 'loading', 'ready', 'token', 'loading', 'ready']);
  assert.equal((await h.calls(k)).length, 2);
  await p.close();
});

test("readyOn: 'message' keeps the loading screen until the v1 ready, and LOAD_TIMEOUT catches an app that never says it", async () => {
  const p = await h.open();
  await p.mount('s', h.token('ok', key('msg-timeout')), { baseUrl: h.base('manual'), readyOn: 'message', loadTimeoutMs: 500 });
  await p.waitEvent('s', 'vlens:load');
  assert.equal(await p.state('s'), 'loading');
  const hidden = await looks(p, 's');
  assert.equal(hidden.visibility, 'hidden');
  assert.equal(hidden.screens, 1);
  const err = await p.waitEvent('s', 'vlens:error');
  assert.equal(err.code, 'LOAD_TIMEOUT');

  await p.mount('r', h.token('ok', key('msg-ready')), { baseUrl: h.base('manual'), readyOn: 'message' });
  await p.waitEvent('r', 'vlens:load');
  await settle();
  assert.equal(await p.state('r'), 'loading', 'a load is not enough');
  await p.send('r', vlens('ready', {}));
  await p.waitEvent('r', 'vlens:ready');
  assert.equal((await looks(p, 'r')).onTop, true);
  await p.close();
});

test('every message from the app that is not v1 surfaces raw, exactly as posted, as a callback and a DOM event', async () => {
  const p = await h.open();
  await p.mount('s', h.token('ok', key('raw')), { baseUrl: h.base('manual') });
  await p.waitEvent('s', 'vlens:ready');
  for (const m of FOREIGN_SHAPES) await p.send('s', m);
  await p.send('s', vlens('progress', { pct: 40 })); // a v1 message of a type we do not know
  await p.waitEvent('s', 'vlens:message', FOREIGN_SHAPES.length + 1);
  const want = [...FOREIGN_SHAPES.map((data) => ({ type: null, data })), { type: 'progress', data: { pct: 40 } }];
  const got = (await p.events('s')).filter((e) => e.type === 'vlens:message').map((e) => e.detail);
  assert.deepEqual(got, want);
  const dom = (await p.dom('s')).filter((e) => e.type === 'vlens:message').map((e) => e.detail);
  assert.deepEqual(dom, want);
  assert.equal(typeof got[1].data, 'string', 'a string stays the string');
  assert.equal(await p.state('s'), 'ready', 'nothing of it changes the state');
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('the same shapes from the host page, another frame of the app origin and an attacker frame never surface nor reach parseMessage', async () => {
  const p = await h.open();
  await p.mount('s', h.token('ok', key('spoof-raw')), { baseUrl: h.base('manual') }, { parser: 'foreign' });
  await p.waitEvent('s', 'vlens:ready');
  const tagged = (tag) => [...FOREIGN_SHAPES, { tag: `${tag}-end` }];
  await p.evaluate((msgs) => { for (const m of msgs) window.postMessage(m, '*'); }, tagged('self'));
  const sibling = await addFrame(p.page, `${h.app}/other.html`);
  await sibling.evaluate((msgs) => { for (const m of msgs) parent.postMessage(m, '*'); }, tagged('sibling'));
  const attacker = await addFrame(p.page, `${h.attacker}/attacker.html`);
  await attacker.evaluate((msgs) => { for (const m of msgs) parent.postMessage(m, '*'); }, tagged('attacker'));
  await p.waitWin(['self-end', 'sibling-end', 'attacker-end']);
  // The real app's message, posted last, is the only one that reaches parseMessage and surfaces.
  await p.send('s', { event: 'app.note', payload: { real: true } });
  await p.waitEvent('s', 'vlens:message');
  assert.deepEqual(await p.evaluate(() => T.s.s.parsed), [{ event: 'app.note', payload: { real: true } }]);
  const messages = (await p.events('s')).filter((e) => e.type === 'vlens:message').map((e) => e.detail);
  assert.deepEqual(messages, [{ type: 'note', data: { real: true } }]);
  await p.close();
});

test('parseMessage drives step, resize and completion through to result; null passes a message on raw', async () => {
  const p = await h.open();
  await p.mount('s', h.token('ok', key('mapped')), { baseUrl: h.base('manual'), readyOn: 'message' }, { parser: 'foreign' });
  await p.waitEvent('s', 'vlens:load');
  await p.send('s', JSON.stringify({ event: 'app.started' }));
  await p.waitEvent('s', 'vlens:ready');
  await p.send('s', { event: 'app.step', payload: { step: 'kyc' } });
  assert.deepEqual(await p.waitEvent('s', 'vlens:step'), { step: 'kyc' });
  await p.send('s', JSON.stringify({ event: 'app.height', payload: { height: 432 } }));
  assert.deepEqual(await p.waitEvent('s', 'vlens:resize'), { height: 432 });
  assert.equal(await p.evaluate(() => T.s.s.session.iframe.style.height), '432px');
  await p.send('s', { no: 'event field' });
  assert.deepEqual(await p.waitEvent('s', 'vlens:message'), { type: null, data: { no: 'event field' } });
  await p.send('s', { event: 'app.done', payload: { applicationId: 'A-9' } });
  assert.deepEqual(await p.waitEvent('s', 'vlens:complete'), { data: { applicationId: 'A-9' } });
  assert.deepEqual(await p.result('s'), { status: 'completed', data: { applicationId: 'A-9' } });
  assert.equal(await p.state('s'), 'completed');
  await p.close();
});

test('parseMessage replaces the v1 parser: a v1 message it maps to nothing surfaces raw', async () => {
  const p = await h.open();
  await p.mount('s', h.token('ok', key('replaced')), { baseUrl: h.base('manual') }, { parser: 'foreign' });
  await p.waitEvent('s', 'vlens:ready');
  await p.send('s', vlens('completed', { v1: true }));
  const detail = await p.waitEvent('s', 'vlens:message');
  assert.deepEqual(detail, { type: null, data: vlens('completed', { v1: true }) });
  assert.equal(await p.settled('s'), false);
  await p.close();
});

test('invalid mapped results are dropped as malformed v1 messages are', async () => {
  const p = await h.open();
  await p.mount('s', h.token('ok', key('invalid-mapped')), { baseUrl: h.base('manual') }, { parser: 'foreign' });
  await p.waitEvent('s', 'vlens:ready');
  const before = (await p.events('s')).length;
  for (const payload of [
    { type: 'step', data: {} },
    { type: 'step', data: { step: '' } },
    { type: 'resize', data: { height: -1 } },
    { type: 'resize', data: { height: '800' } },
    { type: 7 },
    { type: '' },
    {},
    'completed',
    42,
  ]) {
    await p.send('s', { event: 'app.mapped', payload });
  }
  await p.send('s', { event: 'app.step', payload: { step: 'marker' } });
  await p.waitEvent('s', 'vlens:step');
  const after = (await p.events('s')).slice(before);
  assert.deepEqual(after.map((e) => [e.type, e.detail]), [['vlens:step', { step: 'marker' }]]);
  assert.equal(await p.evaluate(() => T.s.s.session.iframe.style.height), '700px');
  assert.equal(await p.state('s'), 'ready');
  await p.close();
});

test('a throwing parseMessage is reported once and leaves the session working', async () => {
  const p = await h.open();
  const log = consoleOf(p);
  await p.mount('s', h.token('ok', key('throws')), { baseUrl: h.base('manual') }, { parser: 'foreign' });
  await p.waitEvent('s', 'vlens:ready');
  await p.send('s', { boom: 'first' });
  await p.send('s', 'not json either');
  await p.waitEvent('s', 'vlens:message', 2);
  const raw = (await p.events('s')).filter((e) => e.type === 'vlens:message').map((e) => e.detail);
  assert.deepEqual(raw, [{ type: null, data: { boom: 'first' } }, { type: null, data: 'not json either' }]);
  await p.send('s', { event: 'app.done', payload: { ok: 1 } });
  assert.deepEqual(await p.result('s'), { status: 'completed', data: { ok: 1 } });
  const errors = log.filter((m) => m.type === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.match(errors[0].text, /^vlens-widget: parseMessage threw/);
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('invalid readyOn, parseMessage and debug are refused at mount', async () => {
  const p = await h.open();
  const codes = await p.evaluate(() => [
    { readyOn: 'ready' }, { parseMessage: 'v1' }, { parseMessage: {} }, { debug: 'yes' }, { debug: 1 },
  ].map((options) => {
    try {
      window.mountVlens(T.container('x'), '/token/ok', options);
      return 'mounted';
    } catch (e) {
      return `${e.name} ${e.code} ${Object.keys(options)[0]}: ${e.message.includes(Object.keys(options)[0])}`;
    }
  }));
  assert.deepEqual(codes, [
    'VlensError INVALID_ARGUMENT readyOn: true',
    'VlensError INVALID_ARGUMENT parseMessage: true',
    'VlensError INVALID_ARGUMENT parseMessage: true',
    'VlensError INVALID_ARGUMENT debug: true',
    'VlensError INVALID_ARGUMENT debug: true',
  ]);
  await p.close();
});

test('an error with no handler reaches the console once, with its code and message', async () => {
  const p = await h.open();
  const log = consoleOf(p);
  // No onError of the host's (the recorder's own callbacks only count).
  await p.evaluate((url) => {
    window.failing = window.mountVlens(T.container('f'), url, { retries: 0 });
  }, h.token('status/500', key('console')));
  await p.waitFor(() => window.failing.state === 'error', null, { what: 'state error' });
  await settle();
  const errors = log.filter((m) => m.type === 'error' && m.text.startsWith('vlens-widget:'));
  assert.equal(errors.length, 1, JSON.stringify(log));
  assert.match(errors[0].text, /^vlens-widget: TOKEN_PROVIDER_FAILED: .*500/);
  // An app's own error leaves the flow running: a warning.
  await p.mount('s', h.token('ok', key('app-warn')), { baseUrl: h.base('manual') });
  await p.waitEvent('s', 'vlens:ready');
  await p.send('s', vlens('error', { code: 'DOC_BLURRY', message: 'The photo is blurry' }));
  await p.waitEvent('s', 'vlens:error');
  await settle();
  const warnings = log.filter((m) => m.type === 'warning' && m.text.startsWith('vlens-widget:'));
  assert.equal(warnings.length, 1, JSON.stringify(log));
  assert.match(warnings[0].text, /^vlens-widget: APP_ERROR: The photo is blurry/);
  assert.match(warnings[0].text, /appCode: DOC_BLURRY/, 'the detail goes along');
  await p.close();
});

test('debug: true logs every message from the app as received, every state change and every event', async () => {
  const p = await h.open();
  await p.evaluate(() => {
    window.debugged = [];
    const original = console.debug;
    console.debug = (...args) => { window.debugged.push(T.clone(args)); original.apply(console, args); };
  });
  await p.mount('s', h.token('ok', key('debug')), { baseUrl: h.base('manual'), debug: true });
  await p.waitEvent('s', 'vlens:ready');
  const posted = { event: 'verification.completed', payload: { id: 'A-1' } };
  await p.send('s', posted);
  await p.waitEvent('s', 'vlens:message');
  const debugged = await p.evaluate(() => window.debugged);
  assert.ok(debugged.some(([text, value]) => /^vlens-widget: message from the app/.test(text) && JSON.stringify(value) === JSON.stringify(posted)), JSON.stringify(debugged));
  for (const [name, detail] of [
    ['vlens:state', { state: 'token' }], ['vlens:state', { state: 'loading' }], ['vlens:state', { state: 'ready' }],
    ['vlens:token', { reason: 'initial' }], ['vlens:load', {}], ['vlens:ready', {}], ['vlens:message', { type: null, data: posted }],
  ]) {
    assert.ok(debugged.some(([text, value]) => text === `vlens-widget: ${name}` && JSON.stringify(value) === JSON.stringify(detail)), `${name} ${JSON.stringify(detail)}`);
  }
  // Without debug, nothing but errors is logged.
  await p.evaluate(() => { window.debugged = []; });
  await p.mount('q', h.token('ok', key('quiet')), { baseUrl: h.base('manual') });
  await p.waitEvent('q', 'vlens:ready');
  await p.send('q', posted);
  await p.waitEvent('q', 'vlens:message');
  assert.deepEqual(await p.evaluate(() => window.debugged), []);
  await p.close();
});
