// Shared helpers for the end-to-end tests: one fixture server set and one Chromium per test file.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServers } from './server.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WAIT_MS = Number(process.env.VLENS_E2E_WAIT_MS || 5000);

let keySeq = 0;
/** A key unique to this process, to tell one test's provider calls from another's. */
export function key(name = 'k') {
  return `${name}-${process.pid}-${++keySeq}`;
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Debian's Chromium with a fresh profile: `{ context, close() }`. `args` are added to
 * CHROMIUM_ARGS (e.g. fake media devices); `options` go to launchPersistentContext.
 */
export async function launchBrowser({ args = [], options = {} } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vlens-e2e-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, ...args],
      ...options,
    });
  } catch (err) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    userDataDir,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function setup() {
  const servers = await startServers();
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await servers.close();
    throw err;
  }
  return new Harness(servers, browser.context, browser.userDataDir);
}

export class Harness {
  constructor(servers, context, userDataDir) {
    this.servers = servers;
    this.context = context;
    this.userDataDir = userDataDir;
    this.host = servers.hostOrigin;
    this.app = servers.appOrigin;
    this.attacker = servers.attackerOrigin;
    this.closedOrigin = servers.closedOrigin;
    this.pages = new Set();
  }

  /** The fake app's base URL for a prefix: 'auto' answers `ready` on load, 'hang' never loads. */
  base(prefix = 'auto') {
    return prefix ? `${this.app}/${prefix}` : this.app;
  }

  /** Token endpoint URL on the host origin, tagged with `key`. */
  token(kind, k, extra = {}) {
    const u = new URL(`/token/${kind}`, this.host);
    if (k) u.searchParams.set('key', k);
    for (const [name, value] of Object.entries(extra)) u.searchParams.set(name, String(value));
    return u.href;
  }

  /** Provider requests the host origin received with this key. */
  async calls(k) {
    const res = await fetch(`${this.host}/calls?key=${encodeURIComponent(k)}`);
    return res.json();
  }

  async open(pathname = '/host-script.html') {
    const page = await this.context.newPage();
    const hp = new HostPage(this, page);
    this.pages.add(hp);
    await page.goto(this.host + pathname);
    try {
      await page.waitForFunction(() => window.__ready === true, null, { timeout: WAIT_MS });
    } catch (err) {
      throw new Error(`widget build did not load on ${pathname}: page errors ${JSON.stringify(hp.pageErrors)}, console ${JSON.stringify(hp.consoleErrors)}, failed ${JSON.stringify(hp.failedResponses)}`);
    }
    return hp;
  }

  /**
   * A host page with a button that opened the modal, focused (focus returns there), and a
   * body taller than the window (`tall` px).
   */
  async modalPage(pathname, tall = 3000) {
    const p = await this.open(pathname);
    await p.evaluate((tall) => {
      const b = document.createElement('button');
      b.id = 'opener';
      b.textContent = 'Verify';
      document.body.appendChild(b);
      const filler = document.createElement('div');
      filler.id = 'tall';
      filler.style.height = tall + 'px';
      document.body.appendChild(filler);
      b.focus();
    }, tall);
    return p;
  }

  async close() {
    for (const p of this.pages) await p.close().catch(() => {});
    await this.context.close().catch(() => {});
    await this.servers.close();
    fs.rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

export class HostPage {
  constructor(harness, page) {
    this.h = harness;
    this.page = page;
    this.pageErrors = [];
    this.consoleErrors = [];
    page.on('pageerror', (err) => this.pageErrors.push(String(err && err.stack || err)));
    page.on('console', (msg) => { if (msg.type() === 'error') this.consoleErrors.push(msg.text()); });
    this.failedResponses = [];
    page.on('response', (r) => { if (r.status() >= 400) this.failedResponses.push(`${r.status()} ${r.url()}`); });
  }

  close() {
    this.h.pages.delete(this);
    return this.page.close();
  }

  evaluate(fn, arg) {
    return this.page.evaluate(fn, arg);
  }

  /** Mount with a serialisable provider and options (see T.mount in fixtures/harness.js). */
  mount(id, provider, options = {}, opts = {}) {
    return this.page.evaluate(([id, provider, options, opts]) => T.mount(id, provider, options, opts), [id, provider, options, opts]);
  }

  /** Poll a predicate in the page; on timeout, say what the sessions had seen. */
  async waitFor(fn, arg, { timeout = WAIT_MS, what = 'condition' } = {}) {
    try {
      return await this.page.waitForFunction(fn, arg, { timeout, polling: 20 });
    } catch (err) {
      const seen = await this.page.evaluate(() => Object.fromEntries(Object.entries(T.s).map(([id, r]) => [id, {
        state: r.session && r.session.state,
        events: r.events.map((e) => `${e.type} ${JSON.stringify(e.detail)}`),
      }]))).catch(() => 'unavailable');
      throw new Error(`timed out waiting for ${what}: ${err.message.split('\n')[0]}\nsessions: ${JSON.stringify(seen, null, 1)}\npage errors: ${JSON.stringify(this.pageErrors)}`);
    }
  }

  /** Wait until session `id` has recorded `count` events of `type`; returns the last one's detail. */
  async waitEvent(id, type, count = 1, timeout = WAIT_MS) {
    await this.waitFor(([id, type, count]) => T.s[id] && T.count(id, type) >= count, [id, type, count], { timeout, what: `${count}× ${type} on ${id}` });
    return this.page.evaluate(([id, type, count]) => T.s[id].events.filter((e) => e.type === type)[count - 1].detail, [id, type, count]);
  }

  events(id) {
    return this.page.evaluate((id) => T.s[id].events, id);
  }

  /** Event types in order, without `vlens:state` unless `all`. */
  types(id, all = false) {
    return this.page.evaluate(([id, all]) => T.types(id, all), [id, all]);
  }

  /** The `state` of every `vlens:state` event, in order. */
  states(id) {
    return this.page.evaluate((id) => T.states(id), id);
  }

  dom(cid) {
    return this.page.evaluate((cid) => T.dom[cid], cid);
  }

  state(id) {
    return this.page.evaluate((id) => T.s[id].session.state, id);
  }

  /** Resolves with the session's `result` value (waits for it to settle). */
  async result(id, timeout = WAIT_MS) {
    await this.waitFor((id) => T.s[id].settled, id, { timeout, what: `result of ${id}` });
    return this.page.evaluate((id) => T.s[id].result, id);
  }

  async settled(id) {
    return this.page.evaluate((id) => T.s[id].settled, id);
  }

  /**
   * The Playwright Frame of session `id`'s iframe, once its fake-app document is running
   * (and, with `token`, once it shows that token).
   */
  async frame(id, { token } = {}) {
    await this.waitFor((id) => { const f = T.s[id].session.iframe; return !!(f && f.isConnected); }, id, { what: `iframe of ${id}` });
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const handle = await this.page.evaluateHandle((id) => T.s[id].session.iframe, id);
      const el = handle.asElement();
      const frame = el && await el.contentFrame();
      if (frame) {
        try {
          await frame.waitForFunction(
            (token) => typeof window.send === 'function' && (token === undefined || window.token === token),
            token, { timeout: Math.max(1, deadline - Date.now()), polling: 20 });
          return frame;
        } catch (err) {
          if (Date.now() >= deadline) throw new Error(`fake app did not start in the iframe of ${id}: ${err.message.split('\n')[0]}`);
        }
      }
      if (Date.now() >= deadline) throw new Error(`no content frame for the iframe of ${id}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Post `msg` from inside session `id`'s iframe to the host (as the real app would). */
  async send(id, msg) {
    const frame = await this.frame(id);
    await frame.evaluate((m) => window.send(m), msg);
  }

  /** Messages the fake app inside session `id`'s iframe received. */
  async received(id) {
    const frame = await this.frame(id);
    return frame.evaluate(() => window.received);
  }

  /** Wait until the host window has received messages with these tags (so every listener has run). */
  waitWin(tags) {
    return this.waitFor((tags) => tags.every((t) => T.win.some((w) => w.tag === t)), tags, { what: `host window messages ${tags}` });
  }
}

/** Appends an iframe of `url` to `where` (a page or frame) and waits for its `send` helper. */
export async function addFrame(where, url) {
  const handle = await where.evaluateHandle((src) => {
    const f = document.createElement('iframe');
    f.src = src;
    document.body.appendChild(f);
    return f;
  }, url);
  const frame = await handle.asElement().contentFrame();
  await frame.waitForFunction(() => typeof window.send === 'function', null, { timeout: 5000 });
  return frame;
}

export function vlens(type, data) {
  return data === undefined ? { source: 'vlens', version: 1, type } : { source: 'vlens', version: 1, type, data };
}

/** Wait a short bounded time; only to prove that something does NOT happen. */
export function settle(ms = 150) {
  return new Promise((r) => setTimeout(r, ms));
}

/** A free loopback port for a server started by a command (closed again at once: start it right after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
