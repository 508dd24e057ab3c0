// The README's usage examples, copied out of README.md (each block after an
// `<!-- example: NAME -->` marker) and run against the project's own server and mock, as
// `npm start` runs them. The only change made to the text: the two default ports, since the
// server runs here on free ports (http://127.0.0.1:8080 and http://localhost:8081 become the
// printed URLs). A small "your site" server serves each page and forwards /api to the
// endpoint (as Vite's server.proxy or your own backend would); the React, Vue and Next.js
// page examples are built by Vite from examples/react and examples/vue's installs of the
// packed tarball; the Next.js route handler is transpiled and answers /api/vlens/session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { transformSync, build } from 'esbuild';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from './harness.mjs';
import { startRustServer, Demo } from './rust-server.mjs';
import { install, repo } from './pack.mjs';
import { readmeExamples } from './readme-examples.mjs';

const distDir = process.env.VLENS_DIST ? path.resolve(process.env.VLENS_DIST) : path.join(repo, 'dist');
const WAIT = { timeout: 10000, polling: 25 };

let server;
let browser;
let site;
let siteDir;
let route = null; // the Next.js route handler, when its example runs
const tmp = [];
const examples = readmeExamples();
const localise = (code) => code.replaceAll('http://localhost:8081', server.mock).replaceAll('http://127.0.0.1:8080', server.host);

before(async () => {
  // Every example starts sessions against this one server: its per-client rate limit (tested on
  // its own in rate-limit.test.mjs) is out of the way, as in demo.test.mjs.
  server = await startRustServer({ env: { RATE_LIMIT_PER_MINUTE: '6000', RATE_LIMIT_BURST: '1000' } });
  browser = await launchBrowser();
  siteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vlens-readme-site-'));
  tmp.push(siteDir);
  site = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const chunks = [];
    for await (const c of req) chunks.push(c);
    if (url.pathname.startsWith('/api/')) {
      const request = new Request(server.host + url.pathname, {
        method: req.method, headers: { 'content-type': req.headers['content-type'] || '', accept: req.headers.accept || '' },
        body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
      });
      const answer = route && url.pathname === '/api/vlens/session' ? await route(request) : await fetch(request);
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') || 'text/plain' });
      return res.end(Buffer.from(await answer.arrayBuffer()));
    }
    const file = url.pathname.startsWith('/vendor/vlens-widget/')
      ? path.join(distDir, url.pathname.slice('/vendor/vlens-widget/'.length))
      : path.join(siteDir, url.pathname === '/' ? 'index.html' : url.pathname);
    if (url.pathname === '/favicon.ico') { res.writeHead(204); return res.end(); }
    if (!fs.existsSync(file)) { res.writeHead(404); return res.end(); }
    const type = file.endsWith('.html') ? 'text/html; charset=utf-8' : file.endsWith('.js') ? 'text/javascript' : 'text/css';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
});
after(async () => {
  await browser?.close();
  await new Promise((r) => (site ? site.close(r) : r()));
  await server?.stop();
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
});

function resetSite(files) {
  fs.rmSync(siteDir, { recursive: true, force: true });
  fs.mkdirSync(siteDir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(siteDir, name), text);
}

/** Builds a Vite app inside examples/<kind> (so it uses that install of the tarball) into the site. */
function viteBuild(kind, files) {
  const exampleDir = path.join(repo, 'examples', kind);
  install(exampleDir);
  const dir = fs.mkdtempSync(path.join(exampleDir, '.readme-'));
  tmp.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  fs.rmSync(siteDir, { recursive: true, force: true });
  execFileSync(path.join(exampleDir, 'node_modules', '.bin', 'vite'), ['build', '--outDir', siteDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Opens the site, clicks the mock app through, expects `#status` to say Done: completed. */
async function runPage() {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`http://127.0.0.1:${site.address().port}/`);
  await page.waitForFunction(() => document.querySelectorAll('iframe').length === 1, null, WAIT);
  const frame = await (await page.$('iframe')).contentFrame();
  await frame.waitForFunction(() => !!window.__vlensMock, null, WAIT);
  for (const [from, to] of [['registration', 'kyc'], ['kyc', 'sign'], ['sign', 'done']]) {
    await Demo.waitScreen(frame, from);
    if (from === 'registration') await frame.fill('[data-testid="full-name"]', 'Sara Ahmed');
    await page.waitForFunction((s) => document.getElementById('status')?.textContent === `Step: ${s}`, from === 'sign' ? 'contract' : from, WAIT);
    await Demo.next(frame, from, to);
  }
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Done: completed', null, WAIT);
  assert.deepEqual(errors, []);
  await page.close();
}

test('the README has every usage example, in order', () => {
  assert.deepEqual(Object.keys(examples), ['script-tag', 'custom-element', 'es-module', 'react', 'vue', 'react-modal', 'vue-modal', 'next-route', 'next-page', 'modal']);
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  assert.ok(readme.indexOf('## Usage') < readme.indexOf('## Reference') && readme.indexOf('## Usage') < 1200, 'the README starts with usage');
});

for (const name of ['script-tag', 'custom-element']) {
  test(`README example ${name}: verbatim HTML page, through to completion`, async () => {
    route = null;
    resetSite({ 'index.html': localise(examples[name]) });
    await runPage();
  });
}

for (const name of ['script-tag', 'custom-element']) {
  test(`README example ${name}: an endpoint that fails shows the error on the page and once in the console`, async () => {
    route = async () => new Response('{"error":"down"}', { status: 500, headers: { 'content-type': 'application/json' } });
    resetSite({ 'index.html': localise(examples[name]) });
    const page = await browser.context.newPage();
    const logged = [];
    page.on('console', (m) => { if (m.type() === 'error') logged.push(m.text()); });
    await page.goto(`http://127.0.0.1:${site.address().port}/`);
    await page.waitForFunction(() => /^Error: TOKEN_PROVIDER_FAILED: .*500/.test(document.getElementById('status')?.textContent), null, WAIT);
    assert.equal(logged.filter((t) => t.startsWith('vlens-widget: TOKEN_PROVIDER_FAILED')).length, 1, JSON.stringify(logged));
    await page.close();
    route = null;
  });
}

test('README example es-module: bundled, through to completion', async () => {
  route = null;
  resetSite({ 'index.html': '<!doctype html><meta charset="utf-8"><div id="vlens"></div><p id="status"></p><script type="module" src="/app.js"></script>' });
  const entry = path.join(siteDir, 'entry.js');
  fs.writeFileSync(entry, localise(examples['es-module']));
  await build({
    entryPoints: [entry], bundle: true, format: 'esm', target: 'es2022', outfile: path.join(siteDir, 'app.js'), logLevel: 'error',
    alias: { 'vlens-widget': path.join(distDir, 'index.js') },
  });
  await runPage();
});

const reactMain = (file) => `import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './${file}';
document.body.insertAdjacentHTML('afterbegin', '<div id="root"></div>');
createRoot(document.getElementById('root')).render(<StrictMode><App /></StrictMode>);
`;
const html = (main) => `<!doctype html><html><head><meta charset="utf-8"><title>readme</title></head><body><script type="module" src="./${main}"></script></body></html>`;

test('README example react: built by Vite with the installed tarball, StrictMode, through to completion', async () => {
  route = null;
  viteBuild('react', {
    'index.html': html('main.jsx'), 'main.jsx': reactMain('App.jsx'), 'App.jsx': localise(examples.react),
    'vite.config.js': "import react from '@vitejs/plugin-react';\nexport default { plugins: [react()] };\n",
  });
  await runPage();
});

test('README example vue: built by Vite with the installed tarball, through to completion', async () => {
  route = null;
  viteBuild('vue', {
    'index.html': html('main.js'), 'App.vue': localise(examples.vue),
    'main.js': "import { createApp } from 'vue';\nimport App from './App.vue';\ndocument.body.insertAdjacentHTML('afterbegin', '<div id=\"app\"></div>');\ncreateApp(App).mount('#app');\n",
    'vite.config.js': "import vue from '@vitejs/plugin-vue';\nexport default { plugins: [vue()] };\n",
  });
  await runPage();
});

test('README example Next.js: route.ts answers a token (VLENS_DEV_SERVER: forwarded to the server), and without configuration an error, never a silent local call; page.tsx through to completion, and the default baseUrl when NEXT_PUBLIC_VLENS_BASE_URL is unset', async () => {
  const file = path.join(siteDir, '..', `vlens-route-${process.pid}.mjs`);
  tmp.push(file);
  fs.writeFileSync(file, transformSync(localise(examples['next-route']), { loader: 'ts', format: 'esm' }).code);
  const saved = [process.env.VLENS_API_KEY, process.env.VLENS_DEV_SERVER];
  delete process.env.VLENS_API_KEY;
  delete process.env.VLENS_DEV_SERVER;
  const consoleError = console.error;
  try {
    const { POST } = await import(pathToFileURL(file).href);
    const logged = [];
    console.error = (...args) => logged.push(args.join(' '));
    const refused = await POST();
    console.error = consoleError;
    assert.equal(refused.status, 500, 'not configured: an error, not a call to a local address');
    assert.match((await refused.json()).error, /not configured/);
    assert.match(logged.join('\n'), /VLENS_API_KEY/, 'the server log says what to set');

    process.env.VLENS_DEV_SERVER = server.host;
    const res = await POST();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match((await res.json()).token, /./);
    route = () => POST();
    // What Next.js does with NEXT_PUBLIC_* variables: inline them at build time.
    const nextBuild = (baseUrl) => viteBuild('react', {
      'index.html': html('main.jsx'), 'main.jsx': reactMain('page.tsx'), 'page.tsx': localise(examples['next-page']),
      'vite.config.js': `import react from '@vitejs/plugin-react';\nexport default { plugins: [react()], define: { 'process.env.NEXT_PUBLIC_VLENS_BASE_URL': ${JSON.stringify(JSON.stringify(baseUrl))} }, logLevel: 'error' };\n`,
    });
    nextBuild(undefined);
    const page = await browser.context.newPage();
    await page.route('https://app.vlenseg.com/**', (r) => r.fulfill({ status: 204 })); // nothing leaves the machine
    await page.goto(`http://127.0.0.1:${site.address().port}/`);
    await page.waitForFunction(() => !!document.querySelector('iframe'), null, WAIT);
    assert.match(await page.getAttribute('iframe', 'src'), /^https:\/\/app\.vlenseg\.com\/session\?token=/, 'unset: the production app, not a local URL');
    await page.close();
    nextBuild(server.mock);
    await runPage();
  } finally {
    console.error = consoleError;
    route = null;
    for (const [name, value] of [['VLENS_API_KEY', saved[0]], ['VLENS_DEV_SERVER', saved[1]]]) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

/** Opens the site, opens the dialog with #verify, goes through to completion (the dialog closes, focus returns to the button), then opens it again and closes it with Escape, and opens it once more. */
async function runModal() {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`http://127.0.0.1:${site.address().port}/`);
  await page.waitForSelector('#verify');
  assert.equal(await page.textContent('#status'), 'Not started');
  assert.equal(await page.$('iframe'), null, 'nothing before the button');

  await page.click('#verify');
  await page.waitForFunction(() => document.querySelector('dialog.vlens-modal')?.open && !!document.querySelector('dialog iframe'), null, WAIT);
  const frame = await (await page.$('dialog iframe')).contentFrame();
  await frame.waitForFunction(() => !!window.__vlensMock, null, WAIT);
  for (const [from, to] of [['registration', 'kyc'], ['kyc', 'sign']]) {
    if (from === 'registration') await frame.fill('[data-testid="full-name"]', 'Sara Ahmed');
    await page.waitForFunction((s) => document.getElementById('status').textContent === `Step: ${s}`, from, WAIT);
    await Demo.next(frame, from, to);
  }
  await Demo.waitScreen(frame, 'sign');
  await frame.dispatchEvent('[data-testid="next"]', 'click'); // completes: the dialog closes
  await page.waitForFunction(() => document.getElementById('status').textContent === 'Done: completed', null, WAIT);
  await page.waitForFunction(() => !document.querySelector('dialog'), null, WAIT);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'verify', 'focus back on the button');

  // `open` followed (onOpenChange / v-model:open): the button opens a new session.
  await page.click('#verify');
  await page.waitForFunction(() => document.getElementById('status').textContent === 'Step: registration', null, WAIT);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.getElementById('status').textContent === 'Done: cancelled', null, WAIT);
  await page.waitForFunction(() => !document.querySelector('dialog'), null, WAIT);
  await page.click('#verify');
  await page.waitForFunction(() => document.querySelector('dialog.vlens-modal')?.open, null, WAIT);
  assert.deepEqual(errors, []);
  await page.close();
}

test('README example react-modal: built by Vite, StrictMode; open and onOpenChange: opened by the button, completed, reopened, closed with Escape', async () => {
  route = null;
  viteBuild('react', {
    'index.html': html('main.jsx'), 'main.jsx': reactMain('App.jsx'), 'App.jsx': localise(examples['react-modal']),
    'vite.config.js': "import react from '@vitejs/plugin-react';\nexport default { plugins: [react()] };\n",
  });
  await runModal();
});

test('README example vue-modal: built by Vite; v-model:open: opened by the button, completed, reopened, closed with Escape', async () => {
  route = null;
  viteBuild('vue', {
    'index.html': html('main.js'), 'App.vue': localise(examples['vue-modal']),
    'main.js': "import { createApp } from 'vue';\nimport App from './App.vue';\ndocument.body.insertAdjacentHTML('afterbegin', '<div id=\"app\"></div>');\ncreateApp(App).mount('#app');\n",
    'vite.config.js': "import vue from '@vitejs/plugin-vue';\nexport default { plugins: [vue()] };\n",
  });
  await runModal();
});

test('README example modal: verbatim HTML page; the button opens the dialog, completion closes it (focus back on the button); again, and Escape cancels with reason closed', async () => {
  route = null;
  resetSite({ 'index.html': localise(examples.modal) });
  await runModal();
});
