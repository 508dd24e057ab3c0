// `npm start` really works: it builds, starts vlens-server with the mock, prints the
// demo URL, the URL shows the demo, and stopping its process group leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { launchBrowser } from './harness.mjs';
import { repo, lineReader, exited, groupAlive, answers, Demo } from './rust-server.mjs';

const START_TIMEOUT_MS = 240_000; // it builds the widget (and the server, if needed) first

let browser;
let child;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (child && groupAlive(child.pid)) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  await browser?.close();
  if (child) assert.equal(groupAlive(child.pid), false, 'no process of `npm start` is left');
});

test('npm start: builds, prints the demo URL, serves the demo with the mock, and stops with its process group', { timeout: START_TIMEOUT_MS + 30_000 }, async () => {
  const env = { ...process.env, PORT: '0', MOCK_PORT: '0' };
  for (const name of ['VLENS_API_KEY', 'VLENS_ADMIN_TOKEN', 'VLENS_API_URL', 'VLENS_APP_URL', 'HOST', 'VLENS_ROOT']) delete env[name];
  child = spawn('npm', ['start'], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = lineReader(child, child.stdout, 'npm start');
  const err = lineReader(child, child.stderr, 'npm start (stderr)');
  let demoUrl;
  let mockUrl;
  try {
    mockUrl = (await out.wait(/^vlens-server: mock Vlens at (http:\/\/localhost:\d+) \(no VLENS_API_KEY set/, START_TIMEOUT_MS))[1];
    demoUrl = (await out.wait(/^vlens-server: demo at (http:\/\/127\.0\.0\.1:\d+\/)$/, 10_000))[1];
  } catch (e) {
    throw new Error(`${e.message}\nstderr:\n${err.lines.slice(-40).join('\n')}`);
  }
  // The build ran first and said so.
  assert.ok(out.lines.some((l) => /dist\/vlens\.js/.test(l)), `the build's output comes first:\n${out.lines.join('\n')}`);

  const server = { demo: demoUrl, host: new URL(demoUrl).origin, mock: mockUrl };
  const d = await Demo.open(browser.context, server);
  assert.equal(d.response.status(), 200);
  assert.equal(await d.page.textContent('h1'), 'Open an account in a few minutes');
  assert.equal(await d.page.getAttribute('#mode-badge', 'data-mode'), 'mock');
  assert.equal(await d.page.textContent('#mode-badge'), 'Local mock of Vlens');
  assert.equal(await d.page.isEnabled('#start'), true, 'ready to start');
  await d.close();
  assert.equal(await answers(`${mockUrl}/`), true, 'the mock answers');

  // Stop everything npm started: npm, the shells, cargo and vlens-server.
  process.kill(-child.pid, 'SIGTERM');
  await exited(child);
  const deadline = Date.now() + 10_000;
  while (groupAlive(child.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(groupAlive(child.pid), false, 'every process of the group has exited');
  assert.equal(await answers(demoUrl), false, 'the demo port no longer answers');
  assert.equal(await answers(`${mockUrl}/`), false, 'the mock port no longer answers');
});
