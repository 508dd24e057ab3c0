// examples/react (Vite, React, StrictMode) and examples/vue (Vite, Vue) as users build
// them: installed from the registry and the packed tarball (.pack/vlens-widget.tgz),
// built with `vite build`, served by the project's own server (the one `npm start` runs,
// with its strict CSP and Permissions-Policy headers) next to its mock of Vlens, and
// clicked through in Chromium to vlens:complete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, freePort, launchBrowser, settle } from './harness.mjs';
import { startRustServer, Demo } from './rust-server.mjs';
import { install, repo } from './pack.mjs';

const distDir = process.env.VLENS_DIST ? path.resolve(process.env.VLENS_DIST) : path.join(repo, 'dist');
const WAIT = { timeout: 10000, polling: 25 };

let browser;
const cleanup = [];
before(async () => { browser = await launchBrowser(); });
after(async () => {
  await browser?.close();
  for (const fn of cleanup.reverse()) await fn();
});

/** Installs and builds examples/<name> into a fresh root served by vlens-server; returns the server. */
async function serveExample(name) {
  const dir = path.join(repo, 'examples', name);
  install(dir);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `vlens-example-${name}-`));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.symlinkSync(distDir, path.join(root, 'dist'));
  fs.mkdirSync(path.join(root, 'www'));
  const server = await startRustServer({ env: { VLENS_ROOT: root } });
  cleanup.push(() => server.stop());
  execFileSync(path.join(dir, 'node_modules', '.bin', 'vite'), ['build', '--outDir', path.join(root, 'www'), '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, VITE_VLENS_BASE_URL: server.mock },
  });
  return server;
}

async function open(server) {
  const page = await browser.context.newPage();
  const seen = { errors: [], console: [], sessionPosts: [] };
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') seen.console.push(m.text()); });
  page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/vlens/session') seen.sessionPosts.push(r.postData()); });
  const response = await page.goto(server.demo);
  assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/, 'served with the strict CSP');
  return { page, seen };
}

/** The mock app inside the widget's iframe, clicked through every screen to `done`. */
async function complete(page) {
  await page.waitForFunction(() => document.querySelectorAll('#vlens iframe').length === 1, null, WAIT);
  const frame = await (await page.$('#vlens iframe')).contentFrame();
  await frame.waitForFunction(() => !!window.__vlensMock, null, WAIT);
  for (let i = 0; i < 8; i++) {
    await frame.waitForFunction(() => {
      const s = document.querySelector('[data-testid="screen"]');
      if (!s || s.dataset.screen === 'loading') return false;
      const next = document.querySelector('[data-testid="next"]');
      return s.dataset.screen === 'done' || (next && !next.disabled) || !!document.querySelector('[data-testid="full-name"], [data-testid="agree"], [data-testid="signature"]');
    }, null, WAIT);
    const { screen } = await Demo.screen(frame);
    if (screen === 'done') return frame;
    if (await frame.$('[data-testid="full-name"]') && !(await frame.inputValue('[data-testid="full-name"]'))) await frame.fill('[data-testid="full-name"]', 'Sara Ahmed');
    if (await frame.$('[data-testid="agree"]')) await frame.check('[data-testid="agree"]');
    if (await frame.$('[data-testid="signature"]')) await frame.fill('[data-testid="signature"]', 'Sara Ahmed');
    await Demo.waitScreen(frame, screen);
    await frame.dispatchEvent('[data-testid="next"]', 'click'); // not a pointer click: the app's resize can move the iframe under it
    await frame.waitForFunction((from) => document.querySelector('[data-testid="screen"]')?.dataset.screen !== from, screen, WAIT);
  }
  throw new Error('the mock app did not reach done');
}

const BODY = { phoneNumber: '+201234567890', allowedContractTypeIds: [414], minimalSignatureFlow: true };

test('examples/react (StrictMode, a parent re-rendering every second): one token request, one iframe, through to completion', async () => {
  const server = await serveExample('react');
  const { page, seen } = await open(server);
  await page.waitForFunction(() => document.querySelectorAll('#vlens iframe').length === 1, null, WAIT);
  await page.evaluate(() => { document.querySelector('#vlens iframe').__mark = 'first'; });
  await page.waitForFunction(() => /\((2|3|4|5|6|7|8|9)\d* s\)/.test(document.querySelector('[data-testid="status"]').textContent), null, WAIT);
  await complete(page);
  await page.waitForFunction(() => !!document.querySelector('[data-testid="result"]'), null, WAIT);
  const result = JSON.parse(await page.textContent('[data-testid="result"]'));
  assert.equal(result.status, 'completed');
  assert.equal(result.data.phoneNumber, BODY.phoneNumber);
  assert.deepEqual(result.data.contractTypeIds, [414]);
  assert.equal(await page.evaluate(() => document.querySelector('#vlens iframe').__mark), 'first', 'the same iframe through every re-render');
  assert.equal(await page.evaluate(() => document.querySelectorAll('iframe').length), 1);
  assert.deepEqual(seen.sessionPosts.map((b) => JSON.parse(b)), [BODY], 'exactly one token request, with the JSON body');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.console, []);
  await page.close();
});

test('examples/vue: through to completion; hidden and shown again (v-if) mounts anew with one iframe', async () => {
  const server = await serveExample('vue');
  // The app type-checks as users would run it (`npm run typecheck`: vue-tsc against the tarball's types).
  execFileSync(path.join(repo, 'examples', 'vue', 'node_modules', '.bin', 'vue-tsc'), ['--noEmit'], { cwd: path.join(repo, 'examples', 'vue'), stdio: ['ignore', 'inherit', 'inherit'] });
  const { page, seen } = await open(server);
  await page.waitForFunction(() => document.querySelectorAll('#vlens iframe').length === 1, null, WAIT);
  await page.click('[data-testid="toggle"]');
  assert.equal(await page.evaluate(() => document.querySelectorAll('iframe').length), 0, 'hidden: no iframe');
  await page.click('[data-testid="toggle"]');
  await complete(page);
  await page.waitForFunction(() => !!document.querySelector('[data-testid="result"]'), null, WAIT);
  const result = JSON.parse(await page.textContent('[data-testid="result"]'));
  assert.equal(result.status, 'completed');
  assert.equal(result.data.phoneNumber, BODY.phoneNumber);
  await settle();
  assert.equal(await page.evaluate(() => document.querySelectorAll('iframe').length), 1);
  assert.deepEqual(seen.sessionPosts.map((b) => JSON.parse(b)), [BODY, BODY], 'one token request per mount');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.console, []);
  await page.close();
});

// Each example's own e2e (`npm run e2e`: Playwright against the app's Vite dev server and the
// tarball's `vlens-fake-app`, the token endpoint stubbed), as its users would run it.
for (const name of ['react', 'vue']) {
  test(`examples/${name}: its own e2e, Playwright against vlens-fake-app, passes`, async () => {
    const dir = path.join(repo, 'examples', name);
    install(dir);
    const report = path.join(os.tmpdir(), `vlens-example-${name}-${process.pid}.json`);
    cleanup.push(() => fs.rmSync(report, { force: true }));
    const env = {
      ...process.env, CI: '1', CHROMIUM_PATH: CHROMIUM, VLENS_PORT: String(await freePort()), APP_PORT: String(await freePort()),
      PLAYWRIGHT_JSON_OUTPUT_NAME: report,
    };
    try {
      execFileSync(path.join(dir, 'node_modules', '.bin', 'playwright'), ['test', '--reporter=json'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      assert.fail(`examples/${name}: playwright test failed:\n${fs.existsSync(report) ? fs.readFileSync(report, 'utf8').slice(0, 4000) : ''}\n${err.stderr}`);
    }
    const { stats } = JSON.parse(fs.readFileSync(report, 'utf8'));
    assert.deepEqual([stats.expected, stats.unexpected, stats.skipped, stats.flaky], [1, 0, 0, 0]);
  });
}

test("bundlers: import 'vlens-widget/script' and 'vlens-widget/element' survive Vite (sideEffects); await import('vlens-widget') is a chunk of its own", () => {
  const exampleDir = path.join(repo, 'examples', 'react');
  install(exampleDir);
  const vite = path.join(exampleDir, 'node_modules', '.bin', 'vite');
  const files = {
    'side-effects': "import 'vlens-widget/script';\nimport 'vlens-widget/element';\nconsole.log('app');\n",
    lazy: "document.body.addEventListener('click', async () => {\n  const { mountVlens } = await import('vlens-widget');\n  mountVlens(document.body, '/api/vlens/session');\n});\n",
  };
  const out = {};
  for (const [name, main] of Object.entries(files)) {
    const dir = fs.mkdtempSync(path.join(exampleDir, '.readme-'));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>');
    fs.writeFileSync(path.join(dir, 'main.js'), main);
    execFileSync(vite, ['build', '--logLevel', 'error'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
    const assets = path.join(dir, 'dist', 'assets');
    out[name] = fs.readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(assets, f), 'utf8'));
  }
  // The inlined core is most of dist/index.js; the bundles are measured against it.
  const core = fs.statSync(path.join(distDir, 'index.js')).size * 0.9;
  const [bundle] = out['side-effects'];
  assert.equal(out['side-effects'].length, 1);
  assert.ok(bundle.includes('vlens-verification'), 'the element definition is kept');
  assert.ok(bundle.includes('globalThis.Vlens='), 'the script (global Vlens) is kept');
  assert.ok(bundle.length > core, `the inlined core is kept (${bundle.length} bytes)`);
  assert.equal(out.lazy.length, 2, 'the entry and one lazy chunk');
  const [small, big] = out.lazy.sort((a, b) => a.length - b.length);
  assert.ok(small.length < 5_000 && big.length > core, `the core is in the lazy chunk (entry ${small.length} bytes, chunk ${big.length})`);
});
