// Sections 2-4 of the bench, in one headless Chromium (a fresh profile, like tests/e2e).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const log = (...a) => console.error('bench:', ...a);

/** `extraArgs`: more Chromium switches (the click section unthrottles frames with them). */
export async function launch(extraArgs = []) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vlens-bench-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: [...ARGS, ...extraArgs] });
  } catch (err) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const probe = await context.newPage();
  const cdp = await context.newCDPSession(probe);
  const { product } = await cdp.send('Browser.getVersion');
  await cdp.detach();
  await probe.close();
  return {
    context,
    version: product,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}
const median = (xs) => quantile(xs, 0.5);
const stats = (xs) => ({ median: median(xs), p10: quantile(xs, 0.1), p90: quantile(xs, 0.9), n: xs.length });

/** Section 2: `rounds` fresh page loads per implementation, alternated round by round. */
export async function timeToIframe(context, host, { impls, rounds }) {
  const samples = Object.fromEntries(impls.map((i) => [i, { tti: [], first: [], later: [] }]));
  // Round 0 is a warm-up (first process launches, disk cache of the binary): not recorded.
  for (let r = 0; r <= rounds; r++) {
    // Rotate the order as well, so no implementation always comes first after a page close.
    const order = impls.map((_, k) => impls[(k + r) % impls.length]);
    for (const impl of order) {
      const page = await context.newPage();
      try {
        await page.goto(`${host}/tti?impl=${impl}`);
        const x = await page.evaluate(() => window.result);
        if (r > 0) for (const k of ['tti', 'first', 'later']) samples[impl][k].push(x[k]);
      } finally {
        await page.close();
      }
    }
    if (r % 10 === 0) log(`time to iframe: round ${r}/${rounds}`);
  }
  return Object.fromEntries(impls.map((i) => [i, {
    tti: stats(samples[i].tti), first: stats(samples[i].first), later: stats(samples[i].later), samples: samples[i],
  }]));
}

// Main-thread tasks in a Chrome trace: complete events of the scheduler's task runner.
const TASK = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/** Reads a trace the DevTools protocol streams back (`Tracing.end`, transferMode ReturnAsStream). */
async function readTrace(cdp) {
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await done;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/**
 * Section 2, longest task: `rounds` fresh loads of the tti page per implementation under a
 * Chrome trace; for each, the longest main-thread task that starts between the page's two
 * marks (script insertion, iframe in the DOM) on the page's main thread. So it counts what
 * the implementation costs: fetching its script's completion, evaluating it, compiling, the
 * mount, the token's answer and the iframe's insertion, whichever task holds the thread longest.
 */
export async function longestTask(context, host, { impls, rounds }) {
  const samples = Object.fromEntries(impls.map((i) => [i, []]));
  for (let r = 0; r <= rounds; r++) {
    for (const impl of impls.map((_, k) => impls[(k + r) % impls.length])) {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      try {
        await cdp.send('Tracing.start', {
          categories: 'toplevel,disabled-by-default-devtools.timeline,blink.user_timing',
          transferMode: 'ReturnAsStream',
        });
        await page.goto(`${host}/tti?impl=${impl}`);
        await page.evaluate(() => window.result);
        const events = await readTrace(cdp);
        const mark = (name) => events.find((e) => e.name === name && e.cat.includes('blink.user_timing'));
        const [t0, t1] = [mark('vlens-bench:t0'), mark('vlens-bench:iframe')];
        if (!t0 || !t1) throw new Error(`longest task: no marks in the trace of ${impl}`);
        const tasks = events.filter((e) => TASK.has(e.name) && e.ph === 'X' && e.pid === t0.pid && e.tid === t0.tid && e.ts >= t0.ts && e.ts <= t1.ts);
        // Thread time (tdur), not wall time: on a shared machine the OS may pause the thread
        // mid-task, which says nothing about the page.
        if (r > 0) samples[impl].push(Math.max(0, ...tasks.map((e) => (e.tdur ?? e.dur) / 1000)));
      } finally {
        await cdp.detach().catch(() => {});
        await page.close();
      }
    }
  }
  log('longest task: done');
  return Object.fromEntries(impls.map((i) => [i, { ...stats(samples[i]), max: Math.max(...samples[i]), samples: samples[i] }]));
}

/**
 * Section 2, click → next paint: `rounds` fresh loads of the click page per implementation,
 * each clicked once (a real input event through the DevTools protocol); the page reports the
 * time from the click's time stamp to the first paint after its handler mounted a modal.
 * Run in its own Chromium with frame-rate limits off, so a paint comes as soon as there is one
 * to make rather than at the next 60 Hz tick (which would add up to 16.7 ms of noise to both).
 */
export async function clickToPaint(host, { impls, rounds }) {
  const browser = await launch(['--disable-frame-rate-limit', '--disable-gpu-vsync']);
  const samples = Object.fromEntries(impls.map((i) => [i, []]));
  try {
    for (let r = 0; r <= rounds; r++) {
      for (const impl of impls.map((_, k) => impls[(k + r) % impls.length])) {
        const page = await browser.context.newPage();
        try {
          await page.goto(`${host}/click?impl=${impl}`);
          await page.evaluate(() => window.loaded);
          await page.click('#verify');
          const x = await page.evaluate(() => window.result);
          if (!x.modal) throw new Error(`click → paint: ${impl} opened no dialog`);
          if (r > 0) samples[impl].push(x.paint);
        } finally {
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
  }
  log('click → paint: done');
  return Object.fromEntries(impls.map((i) => [i, { ...stats(samples[i]), samples: samples[i] }]));
}

/**
 * Section 3: host main-thread time (CDP Performance TaskDuration) while `n` messages arrive,
 * for each implementation, minus the same with no widget; `reps` rounds, each round pairing
 * every configuration with its own no-widget run; the median over rounds is reported.
 */
export async function messageCost(context, host, { impls, n, reps }) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.goto(`${host}/msg`);
    await page.evaluate(() => B.init());
    // Thread CPU time (timeDomain threadTicks), so time the OS gives other processes on this
    // shared machine is not counted. TaskDuration is all main-thread work (receiving the
    // message, dispatch, listeners, GC); ScriptDuration the JavaScript and wasm part of it.
    const metrics = async () => {
      const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
      return { task: m.TaskDuration, script: m.ScriptDuration };
    };

    // Sanity first: accepted messages reach the widget as vlens:step, rejected ones do not.
    const check = {};
    for (const impl of impls) {
      await page.evaluate((i) => B.setup(i), impl);
      check[impl] = { accepted: await page.evaluate(() => B.count('accepted', 100)), rejected: await page.evaluate(() => B.count('rejected', 100)) };
      await page.evaluate(() => B.teardown());
      if (check[impl].accepted !== 100 || check[impl].rejected !== 0) {
        throw new Error(`message cost: ${impl} turned 100 accepted / 100 rejected messages into ${check[impl].accepted} / ${check[impl].rejected} vlens:step events`);
      }
    }

    const configs = ['none', ...impls];
    const kinds = ['accepted', 'rejected'];
    const raw = Object.fromEntries(configs.map((c) => [c, Object.fromEntries(kinds.map((k) => [k, []]))]));
    for (let r = 0; r < reps; r++) {
      const order = configs.map((_, k) => configs[(k + r) % configs.length]);
      for (const c of order) {
        await page.evaluate((i) => B.setup(i), c);
        for (const kind of kinds) {
          const before = await metrics();
          await page.evaluate(([k, n]) => B.run(k, n), [kind, n]);
          const after = await metrics();
          raw[c][kind].push({ task: after.task - before.task, script: after.script - before.script });
        }
        await page.evaluate(() => B.teardown());
      }
      log(`message cost: round ${r + 1}/${reps}`);
    }
    if (errors.length) throw new Error(`message cost page errors: ${errors.join('; ')}`);
    // Each round's widget run minus the same round's no-widget run, per message; median of rounds.
    const perMessageUs = (c, kind, m) => median(raw[c][kind].map((x, r) => (x[m] - raw.none[kind][r][m]) * 1e6 / n));
    const out = { n, reps, check, raw };
    for (const i of impls) {
      out[i] = {};
      for (const kind of kinds) for (const m of ['task', 'script']) out[i][`${kind}_${m}`] = perMessageUs(i, kind, m);
    }
    return out;
  } finally {
    await cdp.detach().catch(() => {});
    await page.close();
  }
}

async function windowListeners(cdp) {
  const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
  const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId, depth: 0 });
  await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
  return { all: listeners.length, message: listeners.filter((l) => l.type === 'message').length };
}

async function snapshot(cdp, page) {
  for (let i = 0; i < 2; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const listeners = await windowListeners(cdp);
  const wasm = await page.evaluate(() => window.wasmBytes());
  return { windowListeners: listeners.all, windowMessageListeners: listeners.message, nodes, jsEventListeners, heap: usedSize, wasm };
}

/** Section 4: counters after `cycles` mount/destroy cycles, against one cycle (warm-up) before. */
export async function memory(context, host, { impls, cycles }) {
  const out = {};
  for (const impl of impls) {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    try {
      await page.goto(`${host}/mem?impl=${impl}`);
      await cdp.send('HeapProfiler.enable');
      // One cycle first: ours compiles and instantiates its wasm on the first mount, which is
      // a one-off cost (section 2), not a leak.
      await page.evaluate(() => window.cycles(1));
      const before = await snapshot(cdp, page);
      const iframesLeft = await page.evaluate((n) => window.cycles(n), cycles);
      const after = await snapshot(cdp, page);
      const delta = Object.fromEntries(Object.keys(before).map((k) => [k, after[k] - before[k]]));
      out[impl] = { cycles, before, after, delta, iframesLeft };
      log(`memory: ${impl} done`);
    } finally {
      await cdp.detach().catch(() => {});
      await page.close();
    }
  }
  return out;
}
