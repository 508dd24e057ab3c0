// session.update(options): what a live option change does to a mounted session, in the same
// iframe, and what update() refuses (the wrappers' side is in options.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, key, vlens, settle } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const update = (p, id, options) => p.evaluate(([id, o]) => {
  try {
    T.s[id].session.update(o);
    return null;
  } catch (e) {
    return [e.name, e.code, e.message, e instanceof Vlens.VlensError];
  }
}, [id, options]);
const look = (p, cid) => p.evaluate((cid) => {
  const box = document.querySelector(`#${cid} .vlens`);
  const f = document.querySelector(`#${cid} iframe`);
  const text = box && box.querySelector('.vlens-message');
  return {
    lang: box && box.lang, dir: box && box.dir, width: box && box.style.width, text: text && text.textContent,
    retry: box && box.querySelector('.vlens-retry') && box.querySelector('.vlens-retry').textContent,
    height: f && f.style.height, frameWidth: f && f.style.width, title: f && f.title,
  };
}, cid);

test('sizes, title, locale and messages are redrawn at once, in the same iframe; undefined is the default again', async () => {
  const p = await h.open();
  await p.mount('a', h.token('ok', key('look')), { baseUrl: h.base('auto'), height: 400, width: '80%', title: 'KYC' });
  await p.waitEvent('a', 'vlens:ready');
  await p.evaluate(() => { document.querySelector('#a iframe').__mark = 1; });
  assert.deepEqual(await update(p, 'a', { height: 520, width: 300, title: 'Verify now', locale: 'ar' }), null);
  const l = await look(p, 'a');
  assert.deepEqual([l.height, l.width, l.frameWidth, l.title, l.lang, l.dir], ['520px', '300px', '100%', 'Verify now', 'ar', 'rtl']);
  assert.deepEqual(await update(p, 'a', { height: undefined, width: '90%', title: undefined, locale: 'en' }), null);
  const d = await look(p, 'a');
  assert.deepEqual([d.height, d.width, d.title, d.lang, d.dir], ['700px', '90%', 'Vlens identity verification', 'en', 'ltr']);
  assert.equal(await p.evaluate(() => document.querySelector('#a iframe').__mark), 1, 'the same iframe');
  assert.equal(await p.evaluate(() => document.querySelectorAll('#a iframe').length), 1);
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});

test('the screen on show is drawn again in the new language and texts; messages replace the ones given before', async () => {
  const p = await h.open();
  await p.mount('b', h.token('hang', key('screen')), { baseUrl: h.base('auto'), messages: { loading: 'One moment' } });
  await p.waitFor(() => !!document.querySelector('#b .vlens-loading'), null, { what: 'the loading screen' });
  assert.equal((await look(p, 'b')).text, 'One moment');
  await update(p, 'b', { locale: 'ar' });
  assert.equal((await look(p, 'b')).text, 'One moment', 'the own text stays over the new locale');
  await update(p, 'b', { messages: {} });
  assert.equal((await look(p, 'b')).text, 'جارٍ تجهيز التحقق الآمن…', 'messages: {} gives the locale its texts back');
  await update(p, 'b', { messages: { loading: 'لحظة' }, locale: undefined });
  const l = await look(p, 'b');
  assert.deepEqual([l.text, l.lang], ['لحظة', 'en'], 'locale undefined: the page language again');
  await p.close();
});

test("a modal's language and labels change at once; its sizes stay the dialog's", async () => {
  const p = await h.open();
  await p.mount('m', h.token('ok', key('modal')), { baseUrl: h.base('auto'), mode: 'modal' });
  await p.waitEvent('m', 'vlens:ready');
  await update(p, 'm', { locale: 'ar', messages: { close: 'اغلق' }, height: 300, title: 'T' });
  const d = await p.evaluate(() => {
    const d = document.querySelector('dialog.vlens-modal');
    const f = d.querySelector('iframe');
    return [d.lang, d.dir, d.getAttribute('aria-label'), d.querySelector('.vlens-close').getAttribute('aria-label'), f.style.height, f.title];
  });
  assert.deepEqual(d, ['ar', 'rtl', 'التحقق من الهوية', 'اغلق', '100%', 'T']);
  await p.close();
});

test('with ui: false the iframe itself takes the sizes', async () => {
  const p = await h.open();
  await p.mount('u', h.token('ok', key('bare')), { baseUrl: h.base('auto'), ui: false });
  await p.waitEvent('u', 'vlens:ready');
  await update(p, 'u', { width: 320, height: '50vh' });
  const l = await look(p, 'u');
  assert.deepEqual([l.frameWidth, l.height], ['320px', '50vh']);
  await p.close();
});

test('new bounds apply at once to the height the app asked for; autoResize off leaves the size', async () => {
  const p = await h.open();
  await p.mount('r', h.token('ok', key('bounds')), { baseUrl: h.base('auto') });
  await p.waitEvent('r', 'vlens:ready');
  await p.send('r', vlens('resize', { height: 800 }));
  await p.waitEvent('r', 'vlens:resize');
  assert.equal((await look(p, 'r')).height, '800px');
  await update(p, 'r', { maxHeight: 500 });
  assert.equal((await look(p, 'r')).height, '500px', 'maxHeight: at once');
  await update(p, 'r', { maxHeight: undefined, minHeight: 900 });
  assert.equal((await look(p, 'r')).height, '900px', 'minHeight: at once');
  await update(p, 'r', { autoResize: false, minHeight: undefined });
  await p.send('r', vlens('resize', { height: 300 }));
  await p.waitEvent('r', 'vlens:resize', 2);
  assert.equal((await look(p, 'r')).height, '900px', 'autoResize: false');
  await p.close();
});

test('retries, tokenTimeoutMs and loadTimeoutMs apply from the next request or iframe', async () => {
  const p = await h.open();
  const k = key('rules');
  await p.mount('t', h.token('status/503', k), { baseUrl: h.base('auto'), retries: 1 });
  await p.waitEvent('t', 'vlens:error', 1, 8000);
  assert.equal((await h.calls(k)).length, 2, 'retries: 1');
  await update(p, 't', { retries: 0 });
  await p.evaluate(() => T.s.t.session.refresh());
  await p.waitEvent('t', 'vlens:error', 2, 8000);
  await settle(600);
  assert.equal((await h.calls(k)).length, 3, 'retries: 0 after update: one call');

  const k2 = key('timeout');
  await p.mount('w', h.token('hang', k2), { baseUrl: h.base('auto') });
  await p.waitEvent('w', 'vlens:token');
  await update(p, 'w', { tokenTimeoutMs: 150, retries: 0 });
  await p.evaluate(() => T.s.w.session.refresh());
  const err = await p.waitEvent('w', 'vlens:error', 1, 3000);
  assert.equal(err.code, 'TOKEN_TIMEOUT');
  assert.match(err.message, /150 ms/);

  await p.mount('l', h.token('ok', key('load')), { baseUrl: h.base('hang') });
  await p.waitEvent('l', 'vlens:token');
  await update(p, 'l', { loadTimeoutMs: 150 });
  await p.evaluate(() => T.s.l.session.refresh());
  const load = await p.waitEvent('l', 'vlens:error', 1, 3000);
  assert.equal(load.code, 'LOAD_TIMEOUT');
  assert.match(load.message, /150 ms/);
  await p.close();
});

test('update() refuses, with a VlensError that says what to do, a bad value, crossing bounds, an unknown option and one that needs a new session', async () => {
  const p = await h.open();
  await p.mount('x', h.token('ok', key('refuse')), { baseUrl: h.base('auto'), maxHeight: 900 });
  await p.waitEvent('x', 'vlens:ready');
  for (const [options, needle] of [
    [{ height: 'tall' }, /^height /],
    [{ minHeight: 950 }, /^minHeight /],
    [{ locale: 'fr' }, /^locale /],
    [{ colour: 'red' }, /unknown option 'colour'/],
    [{ mode: 'modal' }, /mode needs a new session: destroy\(\) this one and mount another/],
    [{ baseUrl: h.base('auto') }, /baseUrl needs a new session/],
    [{ apiKey: 'k' }, /stay on your server/],
    ['height', /^options /],
  ]) {
    const r = await update(p, 'x', options);
    assert.ok(r, `${JSON.stringify(options)} is refused`);
    assert.deepEqual(r.slice(0, 2), ['VlensError', 'INVALID_ARGUMENT']);
    assert.equal(r[3], true, 'instanceof VlensError');
    assert.match(r[2], needle);
  }
  assert.equal(await p.state('x'), 'ready', 'a refused update changes nothing');
  assert.equal(await update(p, 'x', { debug: true }), null);
  await p.evaluate(() => T.s.x.session.destroy());
  assert.equal(await update(p, 'x', { height: 300 }), null, 'after destroy: nothing to do, nothing thrown');
  assert.deepEqual(p.pageErrors, []);
  await p.close();
});
