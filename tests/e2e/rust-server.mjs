// The project's own server (`vlens-server`, the Rust workspace member server/) for the
// end-to-end tests, plus an attacker origin and helpers for the demo page (www/).
//
//   host     http://127.0.0.1:<PORT>       the demo, /dist/*, POST /api/vlens/session
//   mock     http://localhost:<MOCK_PORT>  the mock Vlens (API and iframe app)
//   attacker http://127.0.0.1:<p>          a tiny node:http page posting well-formed Vlens messages
//
// Every process started here is killed by its `stop()` (and, as a last resort, when
// the test process exits).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const BINARY = path.join(repo, 'target', 'debug', 'vlens-server');
export const RESULTS_DIR = path.join(repo, 'test-results');
// Waits poll, so a generous ceiling costs nothing when things work: these flows go through
// the real server, the mock and the browser's camera on a 2-core machine.
const WAIT_MS = Number(process.env.VLENS_E2E_WAIT_MS || 15000);

const live = new Set(); // children not yet known to have exited
process.on('exit', () => {
  for (const child of live) {
    try { child.detached ? process.kill(-child.pid, 'SIGKILL') : child.kill('SIGKILL'); } catch { /* gone */ }
  }
});

// The widget build under test: the repository's dist/, or $VLENS_DIST (as for the
// fixture suite), which the server then serves next to the repository's www/.
const distDir = process.env.VLENS_DIST ? path.resolve(process.env.VLENS_DIST) : path.join(repo, 'dist');
let root = repo;
if (distDir !== path.join(repo, 'dist')) {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vlens-root-'));
  fs.symlinkSync(path.join(repo, 'www'), path.join(root, 'www'));
  fs.symlinkSync(distDir, path.join(root, 'dist'));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
}

let built = false;
/** `cargo build -p vlens-server` (quick when up to date); fails loudly without dist/. */
export function buildServer() {
  if (!fs.existsSync(path.join(distDir, 'vlens.js'))) {
    throw new Error(`${path.join(distDir, 'vlens.js')} is missing: run \`npm run build\` first`);
  }
  if (built) return;
  const r = spawnSync('cargo', ['build', '--quiet', '-p', 'vlens-server'], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`cargo build -p vlens-server failed (${r.status ?? r.signal})`);
  built = true;
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** True while some process of group `pgid` is alive. */
export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Collects `stream`'s lines (all of them, from the start) into `lines`; `wait(re)`
 * resolves with the match of the first line matching `re`, and rejects when `child`
 * exits first or after `timeout` ms.
 */
export function lineReader(child, stream, what) {
  const lines = [];
  const waiters = new Set();
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    for (const w of waiters) w.check();
  });
  child.once('exit', (code, signal) => { for (const w of waiters) w.exit(code ?? signal); });
  return {
    lines,
    wait(re, timeout) {
      return new Promise((resolve, reject) => {
        const w = {
          check() {
            const m = lines.map((l) => re.exec(l)).find(Boolean);
            if (m) finish(resolve, m);
          },
          exit(how) { finish(reject, new Error(`${what} exited (${how}) before printing ${re}; output:\n${lines.join('\n')}`)); },
        };
        const timer = setTimeout(() => finish(reject, new Error(`${what} did not print ${re} within ${timeout} ms; output:\n${lines.join('\n')}`)), timeout);
        const finish = (fn, v) => { clearTimeout(timer); waiters.delete(w); fn(v); };
        waiters.add(w);
        w.check();
        if (waiters.has(w) && (child.exitCode !== null || child.signalCode !== null)) w.exit(child.exitCode ?? child.signalCode);
      });
    },
  };
}

/**
 * Starts target/debug/vlens-server on free ports (PORT=0, MOCK_PORT=0) in mock mode (with
 * `real`, in real mode: give `VLENS_API_KEY` in `env`; `mock` is then null).
 * Returns `{ demo, host, mock, stderr(), stop() }`: `demo` is the printed URL,
 * `host`/`mock` the two origins, `stderr()` the request log so far.
 */
export async function startRustServer({ env = {}, real = false } = {}) {
  buildServer();
  const childEnv = { ...process.env, PORT: '0', MOCK_PORT: '0', VLENS_ROOT: root, ...env };
  for (const name of ['VLENS_API_KEY', 'VLENS_ADMIN_TOKEN', 'VLENS_API_URL', 'VLENS_APP_URL', 'HOST']) {
    if (!(name in env)) delete childEnv[name];
  }
  const child = spawn(BINARY, [], { cwd: repo, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const out = lineReader(child, child.stdout, 'vlens-server');
  const errLines = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => errLines.push(chunk));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited(child);
      clearTimeout(timer);
    }
    if (child.exitCode === null && child.signalCode === null) throw new Error('vlens-server is still running');
  };
  try {
    const mockLine = real
      ? [null, null]
      : await out.wait(/^vlens-server: mock Vlens at (http:\/\/localhost:\d+) /, 20000);
    const demoLine = await out.wait(/^vlens-server: demo at (http:\/\/127\.0\.0\.1:\d+\/)$/, 20000);
    const demo = demoLine[1];
    return {
      child,
      demo,
      host: new URL(demo).origin,
      mock: mockLine[1],
      stderr: () => errLines.join(''),
      stop,
    };
  } catch (err) {
    await stop();
    throw new Error(`${err.message}\nstderr: ${errLines.join('')}`);
  }
}

// ---------------------------------------------------------------- attacker origin

const attackerPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>attacker</title></head>
<body><p>attacker</p>
<script>
// Posts every app message type, well-formed, to the window that opened or embeds this page.
window.sendAll = function (tag) {
  var target = window.opener || window.parent;
  var m = function (type, data) { data.tag = tag; return { source: 'vlens', version: 1, type: type, data: data }; };
  var msgs = [
    m('ready', {}), m('step', { step: 'spoofed' }), m('resize', { height: 123 }),
    m('error', { code: 'SPOOF', message: 'spoofed', recoverable: false }), m('token-expired', {}),
    m('custom', {}), m('completed', { spoofed: true, sessionId: 'spoofed' }), m('cancelled', { spoofed: true }),
  ];
  msgs.forEach(function (msg) {
    target.postMessage(msg, '*');
    target.postMessage(JSON.stringify(msg), '*');
  });
  target.postMessage({ source: 'vlens', version: 1, type: 'custom', data: { tag: tag + '-end' } }, '*');
};
</script></body></html>`;

/** A node:http server on another port of 127.0.0.1: `{ origin, url, stop() }`. */
export async function startAttacker() {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    res.setHeader('connection', 'close');
    if (new URL(req.url, 'http://x').pathname === '/attacker.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(attackerPage);
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: `${origin}/attacker.html`,
    stop: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Whether anything still answers HTTP at `url`. */
export async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- the demo page

/**
 * Records, before any page script runs and in every frame: window messages with their
 * origin and tag, and securitypolicyviolation events.
 */
function recorder() {
  window.__win = [];
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample });
  });
  window.addEventListener('message', (e) => {
    let tag = null;
    try {
      const d = typeof e.data === 'string' ? JSON.parse(e.data) : e.data;
      tag = d && d.data && typeof d.data.tag === 'string' ? d.data.tag : null;
    } catch { /* not JSON */ }
    window.__win.push({ origin: e.origin, tag });
  });
}

/** The widget's iframe when the demo opens the flow in a dialog (the "In a dialog" switch). */
export const MODAL_FRAME = 'dialog.vlens-modal iframe';

export class Demo {
  /** Opens the demo at `server.demo` in a new page of `context` and waits for the mode badge. */
  static async open(context, server, { prepare } = {}) {
    const page = await context.newPage();
    const demo = new Demo(page, server);
    await page.addInitScript(recorder);
    if (prepare) await prepare(page);
    demo.response = await page.goto(server.demo);
    await demo.waitFor(() => document.getElementById('mode-badge').dataset.mode !== 'loading', null, 'the mode badge');
    return demo;
  }

  constructor(page, server) {
    this.page = page;
    this.server = server;
    this.pageErrors = [];
    this.consoleErrors = [];
    this.sessionRequests = [];
    page.on('pageerror', (err) => this.pageErrors.push(String((err && err.stack) || err)));
    page.on('console', (msg) => { if (msg.type() === 'error') this.consoleErrors.push(msg.text()); });
    page.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/vlens/session') {
        this.sessionRequests.push({ url: req.url(), body: req.postData() });
      }
    });
  }

  /** Polls `fn` in the page; on timeout, says what the demo's log showed. */
  async waitFor(fn, arg, what = 'condition', timeout = WAIT_MS) {
    try {
      return await this.page.waitForFunction(fn, arg, { timeout, polling: 25 });
    } catch (err) {
      const log = await this.log().catch(() => 'unavailable');
      throw new Error(`timed out waiting for ${what}: ${err.message.split('\n')[0]}\nlog (oldest first): ${JSON.stringify(log, null, 1)}\npage errors: ${JSON.stringify(this.pageErrors)}\nconsole errors: ${JSON.stringify(this.consoleErrors)}`);
    }
  }

  /**
   * The demo's event log, oldest first: `[{ type, session, detail }]` as shown on the page.
   * A raw `vlens:message` (not a v1 message) shows its data after a "raw <kind>" label, a
   * string as itself: it is read back as `{ type: null, data }`.
   */
  log() {
    return this.page.evaluate(() => [...document.querySelectorAll('#log li')].reverse().map((li) => {
      const code = li.querySelector('.log__detail');
      const label = code.querySelector('.log__raw');
      const text = label ? code.textContent.slice(label.textContent.length + 1) : code.textContent;
      let detail;
      if (label && li.dataset.raw === 'string') detail = { type: null, data: text };
      else {
        try { detail = JSON.parse(text); } catch { detail = text; }
        if (label) detail = { type: null, data: detail };
      }
      return { type: li.dataset.type, session: li.dataset.session, detail };
    }));
  }

  async types() {
    return (await this.log()).map((e) => e.type);
  }

  /** Waits until the log shows `count` rows of `type`; returns the last one's detail. */
  async waitLog(type, count = 1, timeout = WAIT_MS) {
    await this.waitFor(([type, count]) => document.querySelectorAll(`#log li[data-type="${type}"]`).length >= count,
      [type, count], `${count}× ${type} in the demo's log`, timeout);
    return (await this.log()).filter((e) => e.type === type)[count - 1].detail;
  }

  /** Presses Start verification (the form as it is). */
  async start() {
    await this.page.click('#start');
  }

  /**
   * Sets the demo's switches as a user would, by their labels: `mode` 'inline' | 'modal',
   * `locale` 'en' | 'ar', `protocol` (what the mock app speaks) 'v1' | 'silent' | 'foreign'.
   */
  async choose({ mode, locale, protocol } = {}) {
    for (const [name, value] of [['mode', mode], ['locale', locale], ['protocol', protocol]]) {
      if (value === undefined) continue;
      await this.page.click(`label[for="${name}-${value}"]`);
      assert.equal(await this.page.isChecked(`#${name}-${value}`), true, `the ${name} switch is on ${value}`);
    }
  }

  /** The widget's iframe element handle: inline in #widget, or `MODAL_FRAME` in the dialog. */
  async iframe(selector = '#widget iframe') {
    await this.waitFor((selector) => !!document.querySelector(selector), selector, `the widget iframe (${selector})`);
    return (await this.page.$(selector)).asElement();
  }

  /** The Playwright frame of the widget's iframe once the mock app runs in it. */
  async app(selector = '#widget iframe') {
    const handle = await this.iframe(selector);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const frame = await handle.contentFrame();
      if (frame) {
        try {
          await frame.waitForFunction(() => !!window.__vlensMock, null, { timeout: Math.max(1, deadline - Date.now()), polling: 25 });
          return frame;
        } catch (err) {
          if (Date.now() >= deadline) throw new Error(`the mock app did not start in the widget's iframe: ${err.message.split('\n')[0]}`);
        }
      }
      if (Date.now() >= deadline) throw new Error('no content frame for the widget iframe');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The mock app's screen (`data-screen`) and step chip (`data-step`). */
  static async screen(frame) {
    return frame.evaluate(() => ({
      screen: document.querySelector('[data-testid="screen"]')?.dataset.screen ?? null,
      step: document.querySelector('[data-testid="step"]')?.dataset.step ?? null,
      // What the app says when a step failed, so a failure names its cause.
      banner: document.querySelector('[data-testid="banner"]')?.textContent ?? null,
    }));
  }

  /** Waits in the app frame until it shows screen `name` with its Next button usable. */
  static async waitScreen(frame, name, { ready = true } = {}) {
    try {
      await frame.waitForFunction(([name, ready]) => {
        const s = document.querySelector('[data-testid="screen"]');
        if (!s || s.dataset.screen !== name) return false;
        if (!ready) return true;
        const next = document.querySelector('[data-testid="next"]');
        return !!next && !next.disabled;
      }, [name, ready], { timeout: WAIT_MS, polling: 25 });
    } catch (err) {
      throw new Error(`the mock app did not show screen ${name}: now ${JSON.stringify(await Demo.screen(frame))}: ${err.message.split('\n')[0]}`);
    }
  }

  /** Clicks the app's Next button on screen `from` and waits for screen `to`. */
  static async next(frame, from, to) {
    await Demo.waitScreen(frame, from);
    // A DOM click on the button itself: a pointer click aims at coordinates, and the iframe
    // can move under it when the app's own resize message lands between aim and click.
    await frame.dispatchEvent('[data-testid="next"]', 'click');
    await Demo.waitScreen(frame, to, { ready: to !== 'done' });
  }

  close() {
    return this.page.close();
  }
}

/**
 * Holds every POST /api/vlens/session of `page` until `release()`, so the widget's loading
 * screen stays up for as long as a test looks at it; `count()` says how many are waiting.
 */
export async function holdTokens(page) {
  const held = [];
  let open = false;
  await page.route('**/api/vlens/session', (route) => (open ? route.continue() : held.push(route)));
  return {
    count: () => held.length,
    async release() {
      open = true;
      for (const route of held.splice(0)) await route.continue();
    },
  };
}

/** Answers the first `n` POST /api/vlens/session of `page` with a 503, then lets them through. */
export async function failTokens(page, n) {
  let failed = 0;
  await page.route('**/api/vlens/session', (route) => {
    if (failed >= n) return route.continue();
    failed += 1;
    return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'Vlens is busy, try again shortly.' }) });
  });
  return { failed: () => failed };
}

/** The screenshot folder (gitignored), created on demand. */
export function resultsPath(name) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  return path.join(RESULTS_DIR, name);
}
