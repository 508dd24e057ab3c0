// The published builds: dist/vlens.js from a script tag, dist/index.js from an ES import,
// and dist/index.js imported where there is no DOM (server-side rendering).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setup, key, vlens } from './harness.mjs';
import { distDir } from './server.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

async function happyPath(pathname, build) {
  const p = await h.open(pathname);
  const wasmRequests = [];
  p.page.on('request', (r) => { if (/\.wasm(\?|$)/.test(r.url())) wasmRequests.push(r.url()); });
  assert.equal(await p.evaluate(() => window.__build), build);
  const k = key(build);
  await p.mount('w', h.token('ok', k), { baseUrl: h.base('auto') });
  await p.waitEvent('w', 'vlens:ready');
  await p.send('w', vlens('step', { step: 'selfie' }));
  assert.deepEqual(await p.waitEvent('w', 'vlens:step'), { step: 'selfie' });
  await p.send('w', vlens('completed', { id: build }));
  assert.deepEqual(await p.result('w'), { status: 'completed', data: { id: build } });
  assert.deepEqual((await p.types('w')).sort(), ['vlens:token', 'vlens:load', 'vlens:ready', 'vlens:step', 'vlens:complete']
    .sort(), 'one of each event');
  assert.equal((await h.calls(k)).length, 1);
  const err = await p.evaluate(() => {
    try { mountVlens('#nothing-here', '/token/ok'); return null; } catch (e) { return { vlens: e instanceof VlensError, error: e instanceof Error, code: e.code }; }
  });
  assert.deepEqual(err, { vlens: true, error: true, code: 'INVALID_ARGUMENT' });
  assert.deepEqual(wasmRequests, [], 'the wasm is inlined: no .wasm request');
  assert.deepEqual(p.pageErrors, []);
  assert.deepEqual(p.consoleErrors, []);
  await p.close();
}

test('dist/vlens.js from a script tag: the happy path', async () => {
  await happyPath('/host-script.html', 'script');
});

test('dist/index.js from an ES import: the happy path', async () => {
  await happyPath('/host-esm.html', 'esm');
});

test('dist/vlens.js defines only the global Vlens', async () => {
  const page = await h.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${h.host}/blank.html`);
  const before = await page.evaluate(() => Object.getOwnPropertyNames(window));
  await page.addScriptTag({ url: '/dist/vlens.js' });
  const r = await page.evaluate((before) => ({
    added: Object.getOwnPropertyNames(window).filter((n) => !before.includes(n)),
    mount: typeof Vlens.mountVlens,
    error: typeof Vlens.VlensError,
    errorIsError: Vlens.VlensError.prototype instanceof Error,
  }), before);
  assert.deepEqual(r, { added: ['Vlens'], mount: 'function', error: 'function', errorIsError: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('dist/index.js imports where there is no DOM, and mountVlens then says to mount from an effect', async () => {
  assert.equal(typeof globalThis.window, 'undefined');
  assert.equal(typeof globalThis.document, 'undefined');
  const mod = await import(pathToFileURL(path.join(distDir, 'index.js')).href);
  assert.equal(typeof mod.mountVlens, 'function');
  assert.equal(typeof mod.VlensError, 'function');
  assert.equal(typeof globalThis.Vlens, 'undefined', 'the ES module defines no global');
  let thrown;
  try {
    mod.mountVlens('#app', '/api/vlens-token');
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof mod.VlensError, `throws VlensError: ${thrown}`);
  assert.ok(thrown instanceof Error);
  assert.equal(thrown.code, 'INVALID_ARGUMENT');
  assert.match(thrown.message, /effect|useEffect|onMounted/i);
});
