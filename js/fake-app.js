// vlens-widget/fake-app: a fake Vlens app for host apps' browser tests (Playwright, Cypress).
// Plain Node (node:http), no dependencies. It serves `GET /session?token=...`, the page the
// widget's iframe loads, which speaks the v1 envelope (js/protocol.js) to the page that
// embeds it and has one button per thing the real app can say. Selectors: README, "Testing
// your app".
import { createServer } from 'node:http';
import { APP_SOURCE, HOST_SOURCE, TOKEN, VERSION } from './protocol.js';

/** The steps the page offers, in order; each button posts `step` with its name. */
const STEPS = ['registration', 'kyc', 'contract'];

// The page's script, sent as its source text with the envelope's constants as arguments.
// It runs in the browser: ES2015, no imports.
function page(wire, steps) {
  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const params = new URLSearchParams(location.search);
  let token = params.get('token') || '';
  const visited = [];
  const sent = [];

  // The page that embedded this one. Chromium and Safari give its origin directly; elsewhere
  // the referrer does (the host's default referrer policy sends its origin).
  function embedder() {
    const ancestors = location.ancestorOrigins;
    if (ancestors && ancestors.length && ancestors[0] !== 'null') return ancestors[0];
    try {
      const origin = new URL(document.referrer).origin;
      return origin === 'null' ? null : origin;
    } catch (e) {
      return null;
    }
  }
  const parentWindow = window.parent !== window ? window.parent : null;
  const hostOrigin = parentWindow && embedder();
  window.__vlensFake = { hostOrigin, sent };

  function setState(state) {
    $('state').textContent = state;
    const live = state === 'ready';
    for (const b of document.querySelectorAll('button')) b.disabled = !live;
  }

  // To the embedding origin only, never '*': the real app holds personal data.
  function post(type, data) {
    const message = { source: wire.app, version: wire.version, type, data };
    sent.push(message);
    if (parentWindow && hostOrigin) parentWindow.postMessage(message, hostOrigin);
  }

  const actions = {
    complete: () => { post('completed', { steps: visited.slice() }); setState('completed'); },
    cancel: () => { post('cancelled', { step: visited[visited.length - 1] || null }); setState('cancelled'); },
    fail: () => post('error', { code: 'FAKE_ERROR', message: 'The fake Vlens app failed on purpose.', recoverable: true }),
    'expire-token': () => { setState('waiting-for-token'); post('token-expired', {}); },
  };
  for (const step of steps) {
    actions[`step-${step}`] = () => { visited.push(step); $('step').textContent = step; post('step', { step }); };
  }
  document.addEventListener('click', (e) => {
    const id = e.target instanceof Element && e.target.closest('button') && e.target.closest('button').dataset.testid;
    if (id && actions[id]) actions[id]();
  });

  // The new token after `token-expired`: only from the parent, only from the embedding origin.
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (e.source !== parentWindow || e.origin !== hostOrigin || !m || typeof m !== 'object') return;
    if (m.source !== wire.host || m.version !== wire.version || m.type !== wire.token) return;
    if (!m.data || typeof m.data.token !== 'string' || m.data.token === '') return;
    token = m.data.token;
    $('token').textContent = token;
    if ($('state').textContent === 'waiting-for-token') setState('ready');
  });

  $('token').textContent = token;
  if (!parentWindow) {
    setState('not-embedded');
  } else if (!hostOrigin) {
    setState('no-host-origin');
  } else {
    setState('ready');
    post('ready', {});
  }
}

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sessionPage() {
  const wire = { app: APP_SOURCE, host: HOST_SOURCE, version: VERSION, token: TOKEN };
  const button = (id, text) => `<button type="button" data-testid="${id}">${escapeHtml(text)}</button>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fake Vlens app</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 16px; color: #1f2937; }
  button { font: inherit; margin: 0 8px 8px 0; padding: 6px 12px; }
  code, output { font-weight: 600; }
</style>
</head>
<body>
<h1>Fake Vlens app</h1>
<p>State: <output data-testid="state">loading</output>. Step: <output data-testid="step"></output>. Token: <code data-testid="token"></code></p>
<p>${STEPS.map((s) => button(`step-${s}`, `Step: ${s}`)).join(' ')}</p>
<p>${button('complete', 'Complete')} ${button('cancel', 'Cancel')} ${button('fail', 'Fail (app error)')} ${button('expire-token', 'Expire token')}</p>
<script>(${page.toString()})(${JSON.stringify(wire)}, ${JSON.stringify(STEPS)});</script>
</body>
</html>
`;
}

function answer(res, status, type, body) {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    // The token is in the page's URL: never send it on as a referrer.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/**
 * Starts the fake Vlens app on 127.0.0.1 (`port: 0` picks a free port). Resolves to
 * `{ url, port, close }`: `url` (`http://localhost:PORT`) is the `baseUrl` to give the widget;
 * `close()` stops the server and its open connections.
 * @param {{ port?: number }} [options]
 */
export function startFakeVlens({ port = 0 } = {}) {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(new Error(`vlens-widget/fake-app: port must be an integer from 0 to 65535 (0 picks a free one); got ${port}`));
  }
  const html = sessionPage();
  const server = createServer((req, res) => {
    const url = new URL(req.url || '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'text/plain; charset=utf-8', 'Only GET.\n');
    if (url.pathname === '/') return answer(res, 200, 'text/plain; charset=utf-8', 'vlens-widget fake Vlens app: the widget loads /session?token=...\n');
    if (url.pathname !== '/session') return answer(res, 404, 'text/plain; charset=utf-8', 'Not found: the fake Vlens app serves /session?token=...\n');
    if (!url.searchParams.get('token')) return answer(res, 400, 'text/plain; charset=utf-8', 'No token: the widget loads /session?token=...\n');
    return answer(res, 200, 'text/html; charset=utf-8', html);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => {
      reject(err.code === 'EADDRINUSE'
        ? new Error(`vlens-widget/fake-app: port ${port} is in use: choose another (0 picks a free one)`)
        : err);
    });
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address();
      resolve({
        url: `http://localhost:${actual}`,
        port: actual,
        close: () => new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
