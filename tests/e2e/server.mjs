// Fixture servers for the end-to-end tests (plain node:http, no dependencies).
//
//   host     http://127.0.0.1:<p1>  the page that embeds the widget, /dist/*, token endpoints
//   app      http://localhost:<p2>  a fake Vlens app (<prefix>/session?token=...)
//   attacker http://127.0.0.1:<p3>  a page that posts well-formed Vlens messages
//
// The build under test is read from $VLENS_DIST (default: the repository's dist/).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
export const distDir = process.env.VLENS_DIST ? path.resolve(process.env.VLENS_DIST) : path.join(repo, 'dist');
const fixturesDir = path.join(here, 'fixtures');
const require = createRequire(import.meta.url);

const TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8',
};

function serveFile(res, root, rel) {
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (!file.startsWith(root + path.sep)) return notFound(res);
  fs.readFile(file, (err, body) => {
    if (err) return notFound(res);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  });
}

function notFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
  res.end('not found');
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

function html(res, body, headers = {}, status = 200) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

// ---------------------------------------------------------------- pages

// Host pages use external scripts only, so the same markup works under a strict CSP.
function hostPage(build) {
  const widget = build === 'esm'
    ? '<script type="module" src="/fixtures/init-esm.js"></script>'
    : '<script src="/dist/vlens.js"></script>\n<script src="/fixtures/init-script.js"></script>';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>host</title>
<script src="/fixtures/harness.js"></script>
${widget}
</head><body><h1>host page</h1></body></html>`;
}

function appPage({ auto }) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>fake vlens app</title></head>
<body><p>fake vlens app</p>
<script>
window.received = [];
addEventListener('message', function (e) {
  received.push({ origin: e.origin, data: e.data, fromParent: e.source === parent });
});
window.send = function (msg) { parent.postMessage(msg, '*'); };
window.search = location.search;
window.token = new URLSearchParams(location.search).get('token');
${auto ? "send({ source: 'vlens', version: 1, type: 'ready', data: {} });" : ''}
</script></body></html>`;
}

const attackerPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>attacker</title></head>
<body><p>attacker</p>
<script>
window.target = function () { return window.opener || window.parent; };
window.send = function (msg) { target().postMessage(msg, '*'); };
window.sendAll = function (tag) {
  var m = function (type, data) { data.tag = tag; return { source: 'vlens', version: 1, type: type, data: data }; };
  send(m('step', { step: 'spoofed' }));
  send(m('resize', { height: 123 }));
  send(m('error', { code: 'SPOOF', message: 'spoofed' }));
  send(m('token-expired', {}));
  send(m('custom', {}));
  send(m('completed', { spoofed: true }));
  send(m('cancelled', { spoofed: true }));
  send(JSON.stringify(m('completed', { spoofed: 'json' })));
};
</script></body></html>`;

// ---------------------------------------------------------------- servers

function listen(server, host, port = 0) {
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address().port);
    });
  });
}

function track(server, sockets) {
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return server;
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export async function startServers() {
  const sockets = new Set();
  const servers = [];
  const calls = []; // token endpoint call log
  const flaky = new Map();
  let counter = 0;
  let closed = false;
  const hanging = new Set(); // responses that never finish

  const hold = (res) => {
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
  };

  let hostOrigin, appOrigin, attackerOrigin;

  // ---- host origin
  const host = track(http.createServer(async (req, res) => {
    const url = new URL(req.url, hostOrigin);
    let p = url.pathname;
    // /nowasm/<path>: <path> under a strict CSP that does not allow WebAssembly.
    if (p.startsWith('/nowasm/')) {
      p = p.slice('/nowasm'.length);
      res.setHeader('content-security-policy', `default-src 'self'; script-src 'self'; frame-src ${appOrigin}; style-src 'self'`);
    }
    // No keep-alive: Chromium resends a request that got 408 on a reused socket, which would
    // blur the provider call counts.
    res.setHeader('connection', 'close');
    if (p === '/favicon.ico') { res.writeHead(204); return res.end(); }
    if (p.startsWith('/dist/')) return serveFile(res, distDir, p.slice('/dist/'.length));
    if (p.startsWith('/fixtures/')) return serveFile(res, fixturesDir, p.slice('/fixtures/'.length));
    if (p === '/host-script.html') return html(res, hostPage('script'));
    if (p === '/host-esm.html') return html(res, hostPage('esm'));
    if (p === '/host-esm-counted.html') return html(res, hostPage('esm').replace('<script type="module"', '<script src="/fixtures/count-wasm.js"></script>\n<script type="module"'));
    if (p === '/host-both.html') {
      return html(res, hostPage('script').replace('<script src="/dist/vlens.js">', '<script src="/fixtures/count-wasm.js"></script>\n<script src="/dist/vlens.js">')
        .replace('</head>', '<script type="module" src="/fixtures/init-both.js"></script></head>'));
    }
    if (p === '/blank.html') return html(res, '<!doctype html><html><head><meta charset="utf-8"><title>blank</title></head><body></body></html>');
    if (p === '/host-reset.html') {
      return html(res, hostPage('script').replace('</head>', '<link rel="stylesheet" href="/fixtures/reset.css"></head>'));
    }
    if (p === '/host-ar.html') return html(res, hostPage('script').replace('<html>', '<html lang="ar-EG">'));
    if (p === '/axe.js') return serveFile(res, path.dirname(require.resolve('axe-core')), 'axe.min.js');
    if (p === '/host-camera-blocked.html') {
      return html(res, hostPage('script'), { 'permissions-policy': 'camera=(), microphone=()' });
    }
    if (p === '/host-csp.html') {
      return html(res, hostPage('script'), {
        'content-security-policy':
          `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src ${appOrigin}; style-src 'self'`,
      });
    }
    if (p === '/host-csp-no-wasm.html') {
      return html(res, hostPage('script'), {
        'content-security-policy': `default-src 'self'; script-src 'self'; frame-src ${appOrigin}; style-src 'self'`,
      });
    }
    if (p === '/calls') {
      const key = url.searchParams.get('key');
      return json(res, 200, calls.filter((c) => key === null || c.key === key));
    }
    if (p.startsWith('/token/')) {
      const body = await readBody(req);
      const entry = {
        path: p,
        key: url.searchParams.get('key'),
        method: req.method,
        headers: req.headers,
        body,
        cookie: req.headers.cookie || '',
        aborted: false,
        answered: false,
      };
      calls.push(entry);
      res.on('close', () => { if (!res.writableFinished) entry.aborted = true; });
      res.on('finish', () => { entry.answered = true; });
      const n = ++counter;
      if (p === '/token/ok') return json(res, 200, { token: `tok-${n}` });
      if (p === '/token/data') return json(res, 200, { data: `data-tok-${n}` });
      if (p === '/token/text') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        return res.end(`  text-tok-${n}\n`);
      }
      if (p === '/token/flaky') {
        const k = url.searchParams.get('key') || '';
        const seen = flaky.get(k) || 0;
        flaky.set(k, seen + 1);
        if (seen === 0) return json(res, 500, { error: 'flaky' });
        return json(res, 200, { token: `flaky-tok-${n}` });
      }
      const status = /^\/token\/status\/(\d{3})$/.exec(p);
      if (status) return json(res, Number(status[1]), { error: `status ${status[1]}` });
      if (p === '/token/hang') return hold(res);
      if (p === '/token/value') return json(res, 200, { token: url.searchParams.get('v') ?? '' });
      if (p === '/token/raw') {
        // Exact body and content type, for malformed responses.
        res.writeHead(200, { 'content-type': url.searchParams.get('type') || 'application/json', 'cache-control': 'no-store' });
        return res.end(url.searchParams.get('body') ?? '');
      }
      if (p === '/token/delay') {
        const ms = Number(url.searchParams.get('ms') || 0);
        const timer = setTimeout(() => json(res, 200, { token: `delay-tok-${n}` }), ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      return notFound(res);
    }
    return notFound(res);
  }), sockets);

  // ---- app origin (the fake Vlens app)
  const appHandler = (req, res) => {
    const url = new URL(req.url, appOrigin);
    const p = url.pathname;
    if (p === '/favicon.ico') { res.writeHead(204); return res.end(); }
    if (p === '/other.html') return html(res, appPage({ auto: false }));
    if (p === '/session' || p.endsWith('/session')) {
      const token = url.searchParams.get('token') || '';
      if (p.startsWith('/hang/') || token.startsWith('hang-')) {
        // Start the document but never finish it: the iframe's load event never fires.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.write('<!doctype html><p>loading forever');
        return hold(res);
      }
      // Pages that load but are not the app: the widget must time out on `ready`, not on `load`.
      if (p.startsWith('/503/')) return html(res, '<!doctype html><p>Service unavailable', {}, 503);
      if (p.startsWith('/xfo/')) return html(res, appPage({ auto: true }), { 'x-frame-options': 'DENY' });
      if (p.startsWith('/fa-none/')) {
        return html(res, appPage({ auto: true }), { 'content-security-policy': "frame-ancestors 'none'" });
      }
      return html(res, appPage({ auto: p.startsWith('/auto/') }));
    }
    return notFound(res);
  };
  const app = track(http.createServer(appHandler), sockets);

  // ---- attacker origin
  const attacker = track(http.createServer((req, res) => {
    const url = new URL(req.url, attackerOrigin);
    if (url.pathname === '/favicon.ico') { res.writeHead(204); return res.end(); }
    if (url.pathname === '/attacker.html') return html(res, attackerPage);
    return notFound(res);
  }), sockets);

  const p1 = await listen(host, '127.0.0.1');
  const p2 = await listen(app, '127.0.0.1');
  const p3 = await listen(attacker, '127.0.0.1');
  servers.push(host, app, attacker);
  // "localhost" may resolve to ::1 first: answer there too when the machine has IPv6 loopback.
  const app6 = track(http.createServer(appHandler), sockets);
  try {
    await listen(app6, '::1', p2);
    servers.push(app6);
  } catch {
    /* no IPv6 loopback: Chromium falls back to 127.0.0.1 */
  }

  // A port nothing listens on: a refused connection for the iframe.
  const refusing = http.createServer();
  const p4 = await listen(refusing, '127.0.0.1');
  await new Promise((r) => refusing.close(r));

  hostOrigin = `http://127.0.0.1:${p1}`;
  appOrigin = `http://localhost:${p2}`;
  attackerOrigin = `http://127.0.0.1:${p3}`;

  return {
    hostOrigin,
    appOrigin,
    attackerOrigin,
    closedOrigin: `http://localhost:${p4}`,
    calls,
    async close() {
      if (closed) return;
      closed = true;
      for (const res of hanging) res.destroy();
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => {
        s.close(() => r());
        s.closeAllConnections?.();
      })));
    },
  };
}
