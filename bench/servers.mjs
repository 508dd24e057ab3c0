// Loopback servers for the browser sections of the bench. Three sites, so that Chromium puts
// each in its own renderer process and a sender's loop never runs on the host's main thread:
//
//   host   http://127.0.0.1:<p>   the pages under test, our build (/dist/*) and the bundles
//                                 of the baseline and the peers (/js/<id>.js)
//   app    http://localhost:<p>   the fake Vlens app: /nocontent/session answers 204 (the iframe
//                                 never commits, so mount loops do not spawn processes);
//                                 /sender/session posts messages to its parent on request
//   other  http://127.0.0.2:<p>   /sender again, on a wrong origin (messages to be rejected)
import http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pages } from './pages.mjs';

function listen(server, host, port = 0) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address().port));
  });
}

const send = (res, status, type, body) => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
};

const TYPES = { js: 'text/javascript', wasm: 'application/wasm' };

/**
 * `distDir` is served at /dist/ (so a build that fetches a separate .wasm next to its script
 * works too); `scripts` maps an id to a file served at /js/<id>.js. Returns origins and close().
 */
export async function startServers({ distDir, scripts }) {
  const origins = {};
  const host = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const js = /^\/js\/([\w-]+)\.js$/.exec(url.pathname);
    if (js && scripts[js[1]]) return send(res, 200, TYPES.js, readFileSync(scripts[js[1]]));
    const dist = /^\/dist\/([\w-]+\.(js|wasm))$/.exec(url.pathname);
    if (dist && existsSync(join(distDir, dist[1]))) return send(res, 200, TYPES[dist[2]], readFileSync(join(distDir, dist[1])));
    const page = pages[url.pathname.slice(1)];
    if (page) return send(res, 200, 'text/html; charset=utf-8', page(origins, url.searchParams));
    send(res, 404, 'text/plain', 'not found');
  });
  const app = (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/nocontent/session') return send(res, 204, 'text/plain', '');
    if (pathname === '/sender/session' || pathname === '/sender') return send(res, 200, 'text/html; charset=utf-8', pages.sender());
    send(res, 404, 'text/plain', 'not found');
  };
  const servers = [host, http.createServer(app), http.createServer(app)];
  const hostPort = await listen(servers[0], '127.0.0.1');
  const appPort = await listen(servers[1], '127.0.0.1');
  // "localhost" may resolve to ::1 first: answer there too when the machine has IPv6 loopback.
  try {
    const app6 = http.createServer(app);
    await listen(app6, '::1', appPort);
    servers.push(app6);
  } catch { /* no IPv6 loopback */ }
  const otherPort = await listen(servers[2], '127.0.0.2');
  Object.assign(origins, {
    host: `http://127.0.0.1:${hostPort}`,
    app: `http://localhost:${appPort}`,
    other: `http://127.0.0.2:${otherPort}`,
  });
  return {
    origins,
    close: () => Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); }))),
  };
}
