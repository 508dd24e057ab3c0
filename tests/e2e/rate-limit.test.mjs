// The widget against the project's own server's per-IP rate limit: users behind one
// address (an office NAT) starting together are served once the server's Retry-After
// has passed, instead of failing with three 429s in under a second.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from './harness.mjs';
import { startRustServer, Demo } from './rust-server.mjs';

// One request every 100 ms per IP, at most 2 at once: the 16 users' first attempts
// find 2 tokens, and a retry within the widget's plain backoff (under 0.75 s for both
// retries) finds at most about 8 more. Governor rounds the wait down to whole seconds
// and the server adds one: Retry-After is 1.
const USERS = 16;
const env = { RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_BURST: '2' };

let server;
let browser;
before(async () => {
  server = await startRustServer({ env });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test(`${USERS} users behind one IP starting together are all served, each retry after the server's Retry-After`, async () => {
  const d = await Demo.open(browser.context, server);
  const limited = [];
  d.page.on('response', (r) => {
    if (r.status() === 429 && new URL(r.url()).pathname === '/api/vlens/session') limited.push(r.headers()['retry-after']);
  });
  const seen = await d.page.evaluate(async ([users, baseUrl]) => {
    const sessions = [];
    for (let i = 0; i < users; i += 1) {
      const el = document.createElement('div');
      document.body.append(el);
      const log = { tokens: [], errors: [], state: 'token' };
      sessions.push(log);
      const session = window.Vlens.mountVlens(el, {
        url: '/api/vlens/session',
        body: { phoneNumber: '+201234567890', allowedContractTypeIds: [414], minimalSignatureFlow: true },
      }, {
        baseUrl,
        onEvent: (type, detail) => {
          if (type === 'vlens:token') log.tokens.push(performance.now());
          if (type === 'vlens:error') log.errors.push(detail.message);
        },
        // Served (the token is in the iframe's URL) or failed: either way this user is done.
        onStateChange: ({ state }) => {
          if (state === 'loading' || state === 'error') {
            log.state = state;
            queueMicrotask(() => session.destroy());
          }
        },
      });
    }
    const deadline = performance.now() + 20000;
    while (sessions.some((s) => s.state === 'token') && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return sessions.map(({ tokens, errors, state }) => ({
      state,
      errors,
      gaps: tokens.slice(1).map((t, i) => Math.round(t - tokens[i])),
    }));
  }, [USERS, server.mock]);

  assert.ok(limited.length > 0, 'the burst went over the limit');
  assert.deepEqual([...new Set(limited)], ['1'], 'every 429 said Retry-After: 1');
  const failed = seen.filter((s) => s.state !== 'loading');
  assert.deepEqual(failed, [], `every user got a token (${failed.length} of ${USERS} failed)`);
  // Each retry came no sooner than the server asked (its timer starts when the 429 arrives).
  const early = seen.flatMap((s) => s.gaps).filter((gap) => gap < 1000);
  assert.deepEqual(early, [], 'no retry before Retry-After');
  assert.ok(seen.some((s) => s.gaps.length > 0), 'some users were retried');
  await d.close();
});
