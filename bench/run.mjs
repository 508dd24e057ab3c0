// `npm run bench`: what the widget costs a host page, beside peer SDKs and a plain-JavaScript
// baseline, in one headless Chromium run. Progress goes to stderr; the table to stdout, to
// bench/results/latest.md (+ .json) and into README.md between the bench markers.
//
//   node bench/run.mjs           the full run (runs `npm run build` first when dist/ is stale)
//   node bench/run.mjs --quick   a few rounds only, to try changes; writes nothing
//
// See bench/README.md for what each line measures.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clickToPaint, launch, longestTask, memory, messageCost, timeToIframe } from './browser.mjs';
import { lines, markdownTable } from './report.mjs';
import { startServers } from './servers.mjs';
import { sizes } from './size.mjs';

const log = (...a) => console.error('bench:', ...a);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const PLAN = quick
  ? { rounds: 5, traced: 3, clicks: 5, n: 2_000, reps: 2, cycles: 100 }
  : { rounds: 30, traced: 15, clicks: 30, n: 10_000, reps: 9, cycles: 1_000 };

// Measure what the sources say: build when dist/ is missing or older than them (a clean
// clone, or an edit since the last build). An up-to-date dist/ is used as it is.
function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}
const sources = ['src', 'js', 'types', 'Cargo.toml', 'Cargo.lock', 'scripts/build.mjs'].map((f) => newest(path.join(root, f)));
const built = Math.min(...['dist/index.js', 'dist/vlens.js'].map((f) => newest(path.join(root, f))));
if (built === 0 || built < Math.max(...sources)) {
  log(built === 0 ? 'dist/ is missing: npm run build' : 'sources changed since the last build: npm run build');
  // stdout of the build goes to stderr: stdout is the table only.
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
}

const started = Date.now();
const loadAtStart = os.loadavg()[0];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vlens-bench-build-'));
let servers;
let browser;
const results = {};
try {
  log('size: bundling the baseline and the peers with esbuild');
  results.size = await sizes({ root, outDir: tmp });

  servers = await startServers({
    distDir: path.join(root, 'dist'),
    scripts: { baseline: path.join(tmp, 'baseline.iife.js'), veriff: path.join(tmp, 'veriff.iife.js') },
  });
  browser = await launch();
  log(`${browser.version} launched`);
  const host = servers.origins.host;
  results.tti = await timeToIframe(browser.context, host, { impls: ['ours', 'veriff', 'baseline'], rounds: PLAN.rounds });
  results.task = await longestTask(browser.context, host, { impls: ['ours', 'baseline'], rounds: PLAN.traced });
  results.click = await clickToPaint(host, { impls: ['ours', 'baseline'], rounds: PLAN.clicks });
  results.msg = await messageCost(browser.context, host, { impls: ['ours', 'baseline'], n: PLAN.n, reps: PLAN.reps });
  results.mem = await memory(browser.context, host, { impls: ['ours', 'baseline'], cycles: PLAN.cycles });
} finally {
  if (browser) await browser.close();
  if (servers) await servers.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

const seconds = (Date.now() - started) / 1000;
const git = (...a) => { try { return execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim(); } catch { return '?'; } };
const machine = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  cpu: os.cpus()[0].model.trim(),
  cores: os.cpus().length,
  loadAtStart: Number(loadAtStart.toFixed(2)),
  chromium: browser.version,
  node: process.version,
  commit: git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', 'src', 'js', 'Cargo.toml', 'scripts/build.mjs') ? ' (+ local changes)' : ''),
  seconds: Math.round(seconds),
};
const table = markdownTable(lines(results));
const about = `${machine.date}, commit ${machine.commit}; ${machine.cpu}, ${machine.cores} cores (load average ${machine.loadAtStart} at start), ${machine.chromium} headless, Node ${machine.node}; the run took ${machine.seconds} s.`;

console.log(`${about}\n\n${table}`);
if (quick) {
  log('quick run: nothing written');
} else {
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({ machine, plan: PLAN, ...results }, null, 1) + '\n');
  fs.writeFileSync(path.join(dir, 'latest.md'), `# \`npm run bench\`: latest run\n\n${about}\n\n${table}\n\nWhat each line measures and how: [bench/README.md](../README.md). Ratios are to the best figure on the line (lower is better everywhere).\n`);
  const readme = path.join(root, 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const re = /(<!-- bench:begin -->\n)[\s\S]*?(<!-- bench:end -->)/;
  if (re.test(text)) {
    fs.writeFileSync(readme, text.replace(re, `$1${about}\n\n${table}\n$2`));
    log('wrote bench/results/latest.md, latest.json and the table in README.md');
  } else {
    log('wrote bench/results/latest.md and latest.json (README.md has no bench markers)');
  }
}
log(`done in ${seconds.toFixed(0)} s`);
