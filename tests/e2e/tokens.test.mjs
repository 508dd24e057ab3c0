// Token providers (URL, object, function), response formats, refresh() and single-flight expiry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, vlens, settle } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

test('URL provider: POST, Accept: application/json, same-origin credentials (cookies reach the endpoint)', async () => {
  const p = await h.open();
  await p.evaluate(() => { document.cookie = 'hostsess=abc123; path=/'; });
  const k = key('url');
  await p.mount('u', `/token/ok?key=${k}`, { baseUrl: h.base('auto') }); // relative to the page
  await p.waitEvent('u', 'vlens:ready');
  const calls = await h.calls(k);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].method, 'POST');
  assert.match(calls[0].headers.accept, /application\/json/);
  assert.match(calls[0].cookie, /hostsess=abc123/);
  const frame = await p.frame('u');
  assert.match(await frame.evaluate(() => window.token), /^tok-\d+$/);
  await p.close();
});

test('object provider: method, headers (merged over the defaults), JSON and string bodies, credentials', async () => {
  const p = await h.open();
  await p.evaluate(() => { document.cookie = 'hostsess=obj1; path=/'; });
  const kJson = key('objjson');
  const kStr = key('objstr');
  const kOmit = key('objomit');
  await p.mount('j', { url: `/token/ok?key=${kJson}`, method: 'PUT', headers: { 'X-CSRF-Token': 'csrf-1' }, body: { phone: '+201234567890', ids: [414] } }, { baseUrl: h.base('auto') });
  await p.mount('s', { url: h.token('ok', kStr), body: 'phone=%2B20&x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, { baseUrl: h.base('auto') });
  await p.mount('o', { url: h.token('ok', kOmit), credentials: 'omit' }, { baseUrl: h.base('auto') });
  for (const id of ['j', 's', 'o']) await p.waitEvent(id, 'vlens:ready');

  const [j] = await h.calls(kJson);
  assert.equal(j.method, 'PUT');
  assert.equal(j.headers['x-csrf-token'], 'csrf-1');
  assert.match(j.headers.accept, /application\/json/, 'default Accept kept');
  assert.match(j.headers['content-type'], /^application\/json/);
  assert.deepEqual(JSON.parse(j.body), { phone: '+201234567890', ids: [414] });
  assert.match(j.cookie, /hostsess=obj1/);

  const [s] = await h.calls(kStr);
  assert.equal(s.method, 'POST');
  assert.equal(s.body, 'phone=%2B20&x=1', 'a string body is sent as is');
  assert.match(s.headers['content-type'], /^application\/x-www-form-urlencoded/);

  const [o] = await h.calls(kOmit);
  assert.equal(o.cookie, '', "credentials: 'omit' sends no cookie");
  await p.close();
});

test('function provider: ctx.reason and ctx.signal; sync and async results', async () => {
  const p = await h.open();
  await p.evaluate((baseUrl) => {
    T.ctx = {};
    T.mount('sync', (ctx) => { T.ctx.sync = { reason: ctx.reason, signal: ctx.signal instanceof AbortSignal, aborted: ctx.signal.aborted }; return 'fn-sync-token'; }, { baseUrl });
    T.mount('async', async (ctx) => { T.ctx.async = { reason: ctx.reason, signal: ctx.signal instanceof AbortSignal, aborted: ctx.signal.aborted }; await new Promise((r) => setTimeout(r, 30)); return 'fn-async-token'; }, { baseUrl });
  }, h.base('auto'));
  await p.waitEvent('sync', 'vlens:ready');
  await p.waitEvent('async', 'vlens:ready');
  assert.deepEqual(await p.evaluate(() => T.ctx), {
    sync: { reason: 'initial', signal: true, aborted: false },
    async: { reason: 'initial', signal: true, aborted: false },
  });
  await p.frame('sync', { token: 'fn-sync-token' });
  await p.frame('async', { token: 'fn-async-token' });
  await p.close();
});

test('{"data": token} (Vlens response passed through) and text/plain bodies are accepted', async () => {
  const p = await h.open();
  await p.mount('d', h.token('data', key('data')), { baseUrl: h.base('auto') });
  await p.mount('t', h.token('text', key('text')), { baseUrl: h.base('auto') });
  await p.waitEvent('d', 'vlens:ready');
  await p.waitEvent('t', 'vlens:ready');
  assert.match(await (await p.frame('d')).evaluate(() => window.token), /^data-tok-\d+$/);
  assert.match(await (await p.frame('t')).evaluate(() => window.token), /^text-tok-\d+$/, 'surrounding white space removed');
  await p.close();
});

test('refresh() fires vlens:token with reason refresh and reloads the iframe with the new token', async () => {
  const p = await h.open();
  const k = key('refresh');
  await p.mount('r', h.token('ok', k), { baseUrl: h.base('auto') });
  await p.waitEvent('r', 'vlens:ready');
  const first = await (await p.frame('r')).evaluate(() => window.token);
  await p.evaluate(() => T.s.r.session.refresh());
  assert.deepEqual(await p.waitEvent('r', 'vlens:token', 2), { reason: 'refresh' });
  await p.waitEvent('r', 'vlens:load', 2);
  await p.waitEvent('r', 'vlens:ready', 2);
  const calls = await h.calls(k);
  assert.equal(calls.length, 2);
  const frame = await p.frame('r');
  const second = await frame.evaluate(() => window.token);
  assert.notEqual(second, first);
  assert.match(second, /^tok-\d+$/);
  const r = await p.evaluate(() => ({
    src: T.s.r.session.iframe.getAttribute('src'),
    n: document.querySelectorAll('iframe').length,
    state: T.s.r.session.state,
  }));
  assert.equal(r.src, `${h.base('auto')}/session?token=${encodeURIComponent(second)}`);
  assert.equal(r.n, 1, 'still one iframe');
  assert.equal(r.state, 'ready');
  await p.close();
});

test('token-expired: three at once make one provider call and one token message to the exact origin', async () => {
  const p = await h.open();
  const k = key('expired');
  await p.mount('x', h.token('delay', k, { ms: 300 }), { baseUrl: h.base('auto') });
  await p.waitEvent('x', 'vlens:ready');
  const frame = await p.frame('x');
  await frame.evaluate(() => {
    const m = { source: 'vlens', version: 1, type: 'token-expired', data: {} };
    send(m); send(m); send(JSON.stringify(m));
  });
  await frame.waitForFunction(() => window.received.some((m) => m.data && m.data.type === 'token'), null, { timeout: 5000, polling: 20 });
  await settle(400); // longer than the provider's delay: a second request would have been answered
  const tokenMsgs = (await p.received('x')).filter((m) => m.data && m.data.source === 'vlens-host');
  assert.equal(tokenMsgs.length, 1, `one token message: ${JSON.stringify(tokenMsgs)}`);
  const [msg] = tokenMsgs;
  assert.equal(msg.origin, h.host, 'posted from the host page');
  assert.equal(msg.fromParent, true);
  assert.equal(msg.data.version, 1);
  assert.equal(msg.data.type, 'token');
  assert.match(msg.data.data.token, /^delay-tok-\d+$/);
  assert.equal((await h.calls(k)).length, 2, 'initial + one expired call');
  const reasons = (await p.events('x')).filter((e) => e.type === 'vlens:token').map((e) => e.detail.reason);
  assert.deepEqual(reasons, ['initial', 'expired']);
  assert.equal(await p.state('x'), 'ready');
  assert.equal((await p.evaluate(() => document.querySelectorAll('iframe').length)), 1, 'the iframe is not reloaded');

  // A later expiry is a new request with a new answer.
  await p.send('x', vlens('token-expired'));
  await frame.waitForFunction(() => window.received.filter((m) => m.data && m.data.type === 'token').length >= 2, null, { timeout: 5000, polling: 20 });
  const again = (await p.received('x')).filter((m) => m.data && m.data.source === 'vlens-host');
  assert.equal(again.length, 2);
  assert.notEqual(again[1].data.data.token, again[0].data.data.token);
  assert.equal((await h.calls(k)).length, 3);
  await p.close();
});

test('the token message is posted with the exact Vlens origin as targetOrigin', async () => {
  // If the iframe has navigated to another origin, a targetOrigin of the Vlens origin means the
  // browser drops the message instead of handing the token to that page.
  const p = await h.open();
  await p.evaluate((baseUrl) => {
    let n = 0;
    T.release = null;
    T.mount('x', (ctx) => (ctx.reason === 'initial' ? `first-${++n}` : new Promise((r) => { T.release = () => r('secret-expired-token'); })), { baseUrl });
  }, h.base('auto'));
  await p.waitEvent('x', 'vlens:ready');
  const frame = await p.frame('x');
  await p.send('x', vlens('token-expired'));
  await p.waitFor(() => typeof T.release === 'function', null, { what: 'the expired-token request' });
  // The iframe now navigates to the attacker origin before the token is ready.
  await frame.evaluate((url) => { location.href = url; }, `${h.attacker}/attacker.html`);
  await frame.waitForFunction(() => typeof window.sendAll === 'function', null, { timeout: 5000 });
  await frame.evaluate(() => { window.got = []; addEventListener('message', (e) => window.got.push(e.data)); });
  await p.evaluate(() => T.release());
  await settle(300);
  assert.deepEqual(await frame.evaluate(() => window.got), [], 'the attacker page received no token');
  await p.close();
});

test('refresh() shows the new session in a new iframe and leaves the page history alone', async () => {
  const p = await h.open();
  await p.mount('hist', h.token('ok', key('history')), { baseUrl: h.base('auto') });
  await p.waitEvent('hist', 'vlens:ready');
  const before = await p.evaluate(() => history.length);
  for (let n = 2; n <= 4; n++) {
    await p.evaluate(() => T.s.hist.session.refresh());
    await p.waitEvent('hist', 'vlens:ready', n);
  }
  assert.equal(await p.evaluate(() => history.length), before, 'Back does not show an earlier session');
  assert.equal(await p.evaluate(() => document.querySelectorAll('#hist iframe').length), 1);
  assert.match(await p.evaluate(() => T.s.hist.session.iframe.src), /token=tok-\d+$/);
  await p.close();
});
