// vlens-widget/vue in Chromium: <VlensVerification> and useVlens() against the fixture
// servers (renderToString from vue/server-renderer is in package.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, vlens, settle } from './harness.mjs';
import { buildFixtures, iframeCount, sendFromApp } from './frameworks.mjs';

let h;
before(async () => { await buildFixtures(); h = await setup(); });
after(async () => { await h?.close(); });

const set = (p, patch) => p.evaluate((x) => window.V.set(x), patch);
const V = (p, expr) => p.evaluate(new Function(`return (${expr});`));
const emitted = (p, name) => p.evaluate((n) => window.V.emits.filter((e) => e[0] === n).map((e) => e[1]), name);
const waitEmit = (p, name, n = 1) => p.waitFor(([name, n]) => window.V.emits.filter((e) => e[0] === name).length >= n, [name, n], { what: `${n}× ${name} emitted` });

for (const mode of ['component', 'composable']) {
  test(`${mode}: one provider call and one iframe per mount; baseUrl or string provider change remounts once`, async () => {
    const p = await h.open('/fixtures/gen/vue.html');
    const k1 = key('v1');
    const k2 = key('v2');
    await set(p, { mode, show: true, url: h.token('ok', k1), baseUrl: h.base('auto') });
    await p.waitFor(() => document.querySelectorAll('#vlens iframe').length === 1, null, { what: 'iframe' });
    const ready = () => mode === 'component'
      ? V(p, "window.V.emits.filter((e) => e[0] === 'ready').length")
      : V(p, "window.V.views.filter((v, i, a) => v.state === 'ready' && (i === 0 || a[i - 1].state !== 'ready')).length");
    await p.waitFor(async () => true);
    const waitReady = async (n) => { for (let i = 0; i < 250 && (await ready()) < n; i++) await settle(20); assert.ok((await ready()) >= n, `${n}× ready`); };
    await waitReady(1);
    await settle();
    assert.equal((await h.calls(k1)).length, 1, 'one provider call');
    assert.equal(await iframeCount(p), 1, 'one iframe');

    await p.evaluate(() => { document.querySelector('#vlens iframe').__mark = 'old'; });
    await set(p, { baseUrl: `${h.base('auto')}/b` });
    await waitReady(2);
    await settle();
    assert.equal((await h.calls(k1)).length, 2, 'baseUrl change: one more call');
    assert.equal(await iframeCount(p), 1);
    assert.equal(await p.evaluate(() => document.querySelector('#vlens iframe').__mark), undefined, 'a new iframe');

    await set(p, { url: h.token('ok', k2) });
    await waitReady(3);
    await settle();
    assert.equal((await h.calls(k1)).length, 2);
    assert.equal((await h.calls(k2)).length, 1, 'provider change: one call to the new URL');
    assert.equal(await iframeCount(p), 1);
    if (mode === 'composable') {
      const views = await V(p, 'window.V.views');
      assert.equal(views.at(-1).state, 'ready');
      assert.ok(!views.some((v) => v.state === 'destroyed' || v.result), `nothing from destroyed sessions reached the refs: ${JSON.stringify(views.map((v) => v.state))}`);
    }
    assert.deepEqual(p.pageErrors, []);
    await p.close();
  });

  test(`${mode}: v-if toggled 20 times leaves one iframe when shown, none when hidden, no extra message listener`, async () => {
    const p = await h.open('/fixtures/gen/vue.html');
    const base = await p.evaluate(() => window.messageListeners());
    const k = key('toggle');
    await set(p, { mode, url: h.token('ok', k), baseUrl: h.base('auto') });
    for (let i = 0; i < 20; i++) {
      await set(p, { show: true });
      await set(p, { show: false });
      assert.equal(await iframeCount(p), 0, 'hidden: no iframe');
    }
    await set(p, { show: true });
    await p.waitFor(() => document.querySelectorAll('#vlens iframe').length === 1, null, { what: 'iframe' });
    await settle(300);
    assert.equal(await iframeCount(p), 1, 'shown: one iframe');
    assert.equal(await p.evaluate(() => window.messageListeners()), base + 1, 'one message listener');
    assert.equal((await h.calls(k)).length <= 21, true);
    await set(p, { show: false });
    assert.equal(await iframeCount(p), 0);
    assert.equal(await p.evaluate(() => window.messageListeners()), base, 'no message listener left');
    await p.close();
  });
}

test('component: every event is emitted with its detail, state with { state }; the template ref exposes session, refresh(), destroy()', async () => {
  const p = await h.open('/fixtures/gen/vue.html');
  await set(p, { mode: 'component', show: true, url: h.token('ok', key('emit')), baseUrl: h.base('auto') });
  await waitEmit(p, 'ready');
  assert.deepEqual(await V(p, 'window.V.exposed()'), { session: 'session', state: 'ready', refresh: 'function', destroy: 'function' });
  await sendFromApp(p, '#vlens iframe', vlens('step', { step: 'id-front' }));
  await sendFromApp(p, '#vlens iframe', vlens('resize', { height: 512 }));
  await sendFromApp(p, '#vlens iframe', vlens('custom-thing', { a: 1 }));
  await sendFromApp(p, '#vlens iframe', vlens('error', { code: 'E', message: 'm' }));
  await sendFromApp(p, '#vlens iframe', vlens('completed', { ok: true }));
  await waitEmit(p, 'complete');
  assert.deepEqual(await emitted(p, 'token'), [{ reason: 'initial' }]);
  assert.deepEqual(await emitted(p, 'load'), [{}]);
  assert.deepEqual(await emitted(p, 'step'), [{ step: 'id-front' }]);
  assert.deepEqual(await emitted(p, 'resize'), [{ height: 512 }]);
  assert.deepEqual(await emitted(p, 'message'), [{ type: 'custom-thing', data: { a: 1 } }]);
  assert.equal((await emitted(p, 'error'))[0].appCode, 'E');
  assert.deepEqual(await emitted(p, 'complete'), [{ data: { ok: true } }]);
  // The fake app posts `ready` before its `load` event, so `loading` may not be seen.
  const states = (await emitted(p, 'state')).map((s) => s.state);
  assert.deepEqual(states.filter((s) => s !== 'loading'), ['token', 'ready', 'completed'], `state emits: ${states}`);
  await p.evaluate(() => window.V.destroyViaRef());
  await waitEmit(p, 'destroy');
  assert.equal(await iframeCount(p), 0);
  await p.close();
});
