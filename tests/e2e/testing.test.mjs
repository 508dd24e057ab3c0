// The testing kit as users get it: the packed tarball installed in a fresh folder that is a
// small Vite + React app (the README's React example, `src/Verify.jsx`) with Vitest, jsdom,
// happy-dom, Testing Library and Playwright from the registry. There the README's "Testing
// your app" blocks run verbatim (ports aside; the Playwright config gets Debian's Chromium
// through a wrapper): the Vitest example under jsdom and under happy-dom, the Playwright
// example against `npx vlens-fake-app`. Also: simulate() through a whole session under both
// DOMs (src/simulate.test.jsx below), both entries in Node without a DOM, the command, the
// types, and that no other entry loads them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CHROMIUM, freePort } from './harness.mjs';
import { pack, repo } from './pack.mjs';

/** `{ name: code }` for every `<!-- MARKER: NAME -->` block of README.md. */
function readmeBlocks(marker) {
  const text = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const re = new RegExp(`<!-- ${marker}: ([a-z-]+) -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  return Object.fromEntries([...text.matchAll(re)].map((m) => [m[1], `${m[2]}\n`]));
}

// "Testing your app": each block's first line names its file (`// src/Verify.test.jsx`).
const examples = Object.fromEntries(Object.entries(readmeBlocks('test-example')).map(([k, code]) => [k, { file: /^\/\/ (\S+)/.exec(code)[1], code }]));
const playwrightVersion = JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', 'playwright-core', 'package.json'), 'utf8')).version;
let dir;
let ports;

// What the README's examples assume of the user's project; not README text.
const APP = {
  'index.html': '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Verify</title></head>\n<body><div id="root"></div><script type="module" src="/src/main.jsx"></script></body></html>\n',
  'src/main.jsx': "import { createRoot } from 'react-dom/client';\nimport Verify from './Verify.jsx';\n\ncreateRoot(document.getElementById('root')).render(<Verify />);\n",
  'vite.config.js': "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\n\nexport default defineConfig({ plugins: [react()] });\n",
  // Debian's Chromium for the README's config (users' Playwright has its own browsers).
  'playwright.ci.config.js': `import config from './playwright.config.js';\nexport default { ...config, workers: 1, reporter: [['json', { outputFile: 'playwright.json' }]], use: { ...config.use, launchOptions: { executablePath: ${JSON.stringify(CHROMIUM)} } } };\n`,
  // simulate() through a whole session under the test's DOM, beside the README's example.
  'src/simulate.test.jsx': `import { afterEach, expect, test, vi } from 'vitest';
import { mountVlens } from 'vlens-widget';
import 'vlens-widget/element';
import { simulate } from 'vlens-widget/testing';

let session;
afterEach(() => { session?.destroy(); document.body.replaceChildren(); });

function mount(provider) {
  const el = document.body.appendChild(document.createElement('div'));
  const seen = [];
  session = mountVlens(el, provider, {
    baseUrl: 'http://localhost:8081/app', loadTimeoutMs: 60000,
    onEvent: (type, detail) => { if (!['vlens:state', 'vlens:load', 'vlens:token'].includes(type)) seen.push([type, detail]); },
  });
  return { el, seen };
}

test('a whole session: each type, handled at once, from the iframe window and the exact origin', async () => {
  let calls = 0;
  const { el, seen } = mount(() => 'tok-' + ++calls);
  expect(() => simulate(session, 'ready')).toThrow(/the session has no iframe yet \\(state 'token'\\): await the iframe first/);
  await vi.waitFor(() => simulate(el, 'ready'));
  expect(session.state).toBe('ready');
  let raw;
  window.addEventListener('message', (e) => { raw = e; }, { once: true });
  simulate(session, 'step', { step: 'kyc' });
  expect(raw.source).toBe(session.iframe.contentWindow);
  expect(raw.source).toBeTruthy();
  expect(raw.origin).toBe('http://localhost:8081');
  simulate(el, 'resize', { height: 432 });
  expect(session.iframe.style.height).toBe('432px');
  simulate(session, 'error', { code: 'OCR_FAILED', message: 'blurry' });
  simulate(session, 'token-expired');
  await vi.waitFor(() => expect(calls).toBe(2)); // the new token is posted to the iframe's window
  simulate(session, 'completed', { sessionId: 'abc' });
  expect(await session.result).toEqual({ status: 'completed', data: { sessionId: 'abc' } });
  expect(seen).toEqual([
    ['vlens:ready', {}],
    ['vlens:step', { step: 'kyc' }],
    ['vlens:resize', { height: 432 }],
    ['vlens:error', { code: 'APP_ERROR', message: 'blurry', recoverable: false, source: 'app', appCode: 'OCR_FAILED' }],
    ['vlens:complete', { data: { sessionId: 'abc' } }],
  ]);
});

test('the widget still checks: the same message from another origin is dropped', async () => {
  const { seen } = mount(() => 'tok');
  await vi.waitFor(() => simulate(session, 'ready'));
  const frame = session.iframe;
  window.dispatchEvent(new window.MessageEvent('message', {
    data: { source: 'vlens', version: 1, type: 'step', data: { step: 'spoofed' } }, origin: 'http://localhost:9999', source: frame.contentWindow,
  }));
  simulate(session, 'step', { step: 'real' });
  expect(seen.map(([t, d]) => d.step).filter(Boolean)).toEqual(['real']);
});

test('a <vlens-verification> as target', async () => {
  const el = document.createElement('vlens-verification');
  el.setAttribute('base-url', 'http://localhost:8081');
  el.tokenProvider = () => 'tok';
  document.body.appendChild(el);
  await vi.waitFor(() => simulate(el, 'cancelled', { step: 'kyc' }));
  expect(el.session.state).toBe('cancelled');
  expect(await el.session.result).toEqual({ status: 'cancelled', data: { step: 'kyc' } });
});
`,
  // The declarations, strict.
  'tsconfig.json': JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [], skipLibCheck: false },
    files: ['types.ts'],
  }),
  'types.ts': `import { mountVlens } from 'vlens-widget';
import { simulate } from 'vlens-widget/testing';
import { startFakeVlens, type FakeVlens } from 'vlens-widget/fake-app';

const session = mountVlens('#kyc', '/api/vlens/session');
simulate(session, 'ready');
simulate(document.body, 'step', { step: 'kyc' });
simulate(session, 'completed', { anything: true });
simulate(session, 'error', { code: 'X', recoverable: true });
// @ts-expect-error: a step needs its name
simulate(session, 'step');
// @ts-expect-error: the app says 'completed'
simulate(session, 'complete');
// @ts-expect-error: recoverable is a boolean
simulate(session, 'error', { recoverable: 'yes' });
// @ts-expect-error: not a target
simulate('#kyc', 'ready');
const app: Promise<FakeVlens> = startFakeVlens({ port: 0 });
app.then(({ url, port, close }) => { const s: string = url; const n: number = port; return close().then(() => [s, n]); });
// @ts-expect-error: the port is a number
startFakeVlens({ port: '8081' });
`,
};

before(() => {
  const tarball = pack();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vlens-testing-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'vlens-testing-consumer', private: true, type: 'module',
    dependencies: { 'vlens-widget': `file:${tarball}`, react: '^19.2.0', 'react-dom': '^19.2.0' },
    devDependencies: {
      vite: '^8.0.0', '@vitejs/plugin-react': '^6.0.0', vitest: '^4.1.0', jsdom: '^27.4.0', 'happy-dom': '^21.0.0',
      '@testing-library/react': '^16.3.0', '@testing-library/dom': '^10.4.0', '@playwright/test': playwrightVersion, typescript: '^5.9.3',
    },
  }, null, 2));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'], {
    cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, npm_config_update_notifier: 'false' },
  });
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

/** Writes the README's React example and its "Testing your app" blocks (ports replaced) and the app around them. */
async function writeProject() {
  ports ??= { vlens: await freePort(), app: await freePort() };
  const localise = (code) => code.replaceAll('8081', String(ports.vlens)).replaceAll('5173', String(ports.app));
  const files = { ...APP, 'src/Verify.jsx': localise(readmeBlocks('example').react) };
  for (const { file, code } of Object.values(examples)) files[file] = localise(code);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

const bin = (name) => path.join(dir, 'node_modules', '.bin', name);
const run = promisify(execFile);

test("README 'Testing your app' has its four blocks, each naming its file", () => {
  assert.deepEqual(Object.fromEntries(Object.entries(examples).map(([k, v]) => [k, v.file])), {
    'vitest-config': 'vitest.config.js', vitest: 'src/Verify.test.jsx', 'playwright-config': 'playwright.config.js', playwright: 'e2e/verify.spec.js',
  });
});

for (const env of ['jsdom', 'happy-dom']) {
  test(`Vitest under ${env}: the README's example (verbatim) and simulate() through whole sessions`, async () => {
    await writeProject();
    const out = path.join(dir, `vitest-${env}.json`);
    try {
      await run(bin('vitest'), ['run', '--environment', env, '--reporter=json', `--outputFile=${out}`], { cwd: dir, env: { ...process.env, CI: '1' } });
    } catch (err) {
      assert.fail(`vitest --environment ${env} failed:\n${err.stdout}\n${err.stderr}`);
    }
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    const results = report.testResults.flatMap((f) => f.assertionResults.map((a) => [path.relative(dir, f.name), a.title, a.status]));
    assert.deepEqual(results.sort(), [
      ['src/Verify.test.jsx', 'shows the step, then Done once the user completes the flow', 'passed'],
      ['src/simulate.test.jsx', 'a <vlens-verification> as target', 'passed'],
      ['src/simulate.test.jsx', 'a whole session: each type, handled at once, from the iframe window and the exact origin', 'passed'],
      ['src/simulate.test.jsx', 'the widget still checks: the same message from another origin is dropped', 'passed'],
    ]);
  });
}

test("Playwright: the README's example (verbatim) drives `npx vlens-fake-app` to completion behind the React example, served by Vite", async () => {
  await writeProject();
  try {
    await run(bin('playwright'), ['test', '-c', 'playwright.ci.config.js'], { cwd: dir, env: { ...process.env, CI: '1' } });
  } catch (err) {
    assert.fail(`playwright test failed:\n${err.stdout}\n${err.stderr}`);
  }
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'playwright.json'), 'utf8'));
  assert.deepEqual([report.stats.expected, report.stats.unexpected, report.stats.skipped, report.stats.flaky], [1, 0, 0, 0]);
});

test('both entries in Node without a DOM, by import and require; simulate() on nothing says what a target is', async () => {
  const script = `
    const t = await import('vlens-widget/testing');
    const f = await import('vlens-widget/fake-app');
    const { createRequire } = await import('node:module');
    const req = createRequire(process.cwd() + '/x.js');
    let message;
    try { t.simulate({}, 'ready'); } catch (e) { message = e.message; }
    console.log(JSON.stringify({
      testing: Object.keys(t), fakeApp: Object.keys(f),
      cjs: [Object.keys(req('vlens-widget/testing')), Object.keys(req('vlens-widget/fake-app'))],
      window: typeof window, message,
    }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
  assert.deepEqual(JSON.parse(stdout), {
    testing: ['simulate'], fakeApp: ['startFakeVlens'], cjs: [['simulate'], ['startFakeVlens']], window: 'undefined',
    message: 'vlens-widget/testing: simulate(): target must be a VlensSession (what mountVlens returns), the element you mounted it in, or a <vlens-verification>',
  });
});

test('`vlens-fake-app --port 0` prints its URL, serves the session page, stops on SIGTERM; a bad argument exits 2 with the usage', async () => {
  const child = spawn(bin('vlens-fake-app'), ['--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => { out += c; if (out.includes('\n')) resolve(out); });
      child.once('exit', (code) => reject(new Error(`exited ${code} before printing its URL`)));
    });
    const url = /^vlens-fake-app: (http:\/\/localhost:\d+) /.exec(line)?.[1];
    assert.ok(url, line);
    const page = await fetch(`${url}/session?token=abc`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /data-testid="expire-token"/);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null], 'a clean exit on SIGTERM');
  }
  await assert.rejects(run(bin('vlens-fake-app'), ['--port', 'x']), (err) => err.code === 2 && /--port needs a number.*\nusage: vlens-fake-app/.test(err.stderr));
});

test('the declarations: tsc --strict with @ts-expect-error lines', () => {
  try {
    execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    assert.fail(`tsc:\n${err.stdout}${err.stderr}`);
  }
});

test('no other entry loads the testing kit; the wrappers stay within 1.5 KiB gzipped each', () => {
  const dist = path.join(dir, 'node_modules', 'vlens-widget', 'dist');
  for (const f of fs.readdirSync(dist).filter((n) => /\.(c?js)$/.test(n) && !/^(testing|fake-app)/.test(n))) {
    const code = fs.readFileSync(path.join(dist, f), 'utf8');
    assert.doesNotMatch(code, /testing|fake-app|simulate/, `${f} does not import or hold the testing kit`);
  }
  // What bundlers put in pages is the ES build (the `import` condition): 1.5 KiB at most. The
  // CommonJS build (Node, SSR, test runners) carries esbuild's interop helpers on top: at most
  // 256 B more than its ES twin, so growth in either is caught.
  const gz = (f) => gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
  for (const w of ['react', 'vue', 'element']) {
    assert.ok(gz(`${w}.js`) <= 1536, `dist/${w}.js is ${gz(`${w}.js`)} B gzipped, over 1.5 KiB`);
    assert.ok(gz(`${w}.cjs`) <= gz(`${w}.js`) + 256, `dist/${w}.cjs is ${gz(`${w}.cjs`)} B gzipped, more than its ES build and the CommonJS helpers`);
  }
});
