// `npm run load`: a bounded loopback load test of the reference server (server/).
//
// Builds vlens-server optimised (opt-level 3, no LTO, in target/load: the workspace's
// release profile is tuned for the wasm's size), starts it in mock mode on free
// loopback ports with the rate limit and the mock's session cap out of the way, then
// sends a fixed number of requests at a fixed concurrency, one phase per endpoint:
//
//   POST /api/vlens/session   (the token endpoint: host -> mock API -> token check)
//   GET  /dist/vlens.js       (a static file through ServeDir)
//
// and prints requests per second, p50/p90/p99 latency, errors and the server's RSS
// before and after each phase. It stops by itself; it is not part of `npm test`.
//
//   node scripts/load.mjs [--requests 5000] [--concurrency 50] [--no-build]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const REQUESTS = opt('requests', 5000);
const CONCURRENCY = opt('concurrency', 50);
if (!(REQUESTS >= 1 && REQUESTS <= 1_000_000 && CONCURRENCY >= 1 && CONCURRENCY <= 1000)) {
  console.error('load: --requests 1..1000000, --concurrency 1..1000');
  process.exit(2);
}
const targetDir = path.join(repo, 'target', 'load');
const binary = path.join(targetDir, 'release', 'vlens-server');

if (!fs.existsSync(path.join(repo, 'dist', 'vlens.js'))) {
  console.error('load: dist/vlens.js is missing: run `npm run build` first');
  process.exit(2);
}
if (!args.includes('--no-build')) {
  console.error('load: building vlens-server (release, opt-level 3, no LTO) in target/load ...');
  const r = spawnSync('cargo', ['build', '--release', '--quiet', '-p', 'vlens-server'], {
    cwd: repo,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      CARGO_TARGET_DIR: targetDir,
      CARGO_PROFILE_RELEASE_OPT_LEVEL: '3',
      CARGO_PROFILE_RELEASE_LTO: 'false',
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS: '16',
    },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** VmRSS of `pid` in MiB. */
function rssMiB(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) / 1024 : NaN;
}

function startServer() {
  const env = {
    PATH: process.env.PATH,
    PORT: '0',
    MOCK_PORT: '0',
    VLENS_ROOT: repo,
    // Out of the way of a load test from one client: the rate limit and the mock's cap.
    RATE_LIMIT_PER_MINUTE: '60000000',
    RATE_LIMIT_BURST: '1000000',
    MOCK_MAX_SESSIONS: String(Math.max(10_000, REQUESTS * 2)),
  };
  const child = spawn(binary, [], { cwd: repo, env, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('no start-up line in 20 s')); }, 20_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`vlens-server exited (${code})`)); });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      const m = buf.match(/vlens-server: demo at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, url: m[1] });
      }
    });
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** `REQUESTS` requests, `CONCURRENCY` at a time, on keep-alive connections. */
async function phase(name, url, { method = 'GET', body = null, expect = 200 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = [];
  let errors = 0;
  const kinds = new Map();
  const fail = (what) => { errors += 1; kinds.set(what, (kinds.get(what) ?? 0) + 1); };
  let next = 0;
  let bytes = 0;
  const one = () => new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request(url, {
      method,
      agent,
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      timeout: 30_000,
    }, (res) => {
      res.on('data', (c) => { bytes += c.length; });
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (res.statusCode !== expect) fail(`HTTP ${res.statusCode}`);
        resolve();
      });
      res.on('error', (err) => { fail(err.code ?? err.message); resolve(); });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => { fail(err.code ?? err.message); resolve(); });
    req.end(body ?? undefined);
  });
  const worker = async () => {
    while (next < REQUESTS) {
      next += 1;
      await one();
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    seconds,
    rps: REQUESTS / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    errors,
    kinds: [...kinds].map(([k, n]) => `${n} ${k}`).join(', '),
    mib: bytes / 1048576,
  };
}

const { child, url } = await startServer();
const results = [];
try {
  const body = JSON.stringify({ phoneNumber: '+201234567890', allowedContractTypeIds: [414] });
  for (const [name, target, options] of [
    ['POST /api/vlens/session', `${url}/api/vlens/session`, { method: 'POST', body }],
    ['GET /dist/vlens.js', `${url}/dist/vlens.js`, {}],
  ]) {
    const before = rssMiB(child.pid);
    const r = await phase(name, target, options);
    results.push({ ...r, rssBefore: before, rssAfter: rssMiB(child.pid) });
  }
} finally {
  await stopServer(child);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`vlens-server load test: ${REQUESTS} requests per endpoint at concurrency ${CONCURRENCY}, loopback`);
console.log(`machine: ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('');
console.log('| endpoint | req/s | p50 ms | p90 ms | p99 ms | errors | RSS before → after (MiB) |');
console.log('|----------|------:|-------:|-------:|-------:|-------:|--------------------------|');
for (const r of results) {
  console.log(`| \`${r.name}\` | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p90.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.rssBefore.toFixed(1)} → ${r.rssAfter.toFixed(1)} |`);
}
for (const r of results) if (r.errors) console.log(`errors of ${r.name}: ${r.kinds}`);
process.exitCode = results.some((r) => r.errors > 0) ? 1 : 0;
