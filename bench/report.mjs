// Turns the measurements into table lines: each line has every implementation's figure, its
// ratio to the best figure on that line, and, where the issue sets one, the target and whether
// it is met. Lower is better on every line.

export const COLUMNS = [
  ['ours', 'ours'], ['baseline', 'baseline'], ['veriff', 'Veriff'], ['persona', 'Persona'],
  ['sumsub', 'Sumsub'], ['penpal', 'Penpal'], ['iframeResizer', 'iframe-resizer'],
];

const SCRIPT_TAG_GZIP_TARGET = 32_000; // issue 16
const SCRIPT_TAG_GZIP_STRETCH = 19_500; // issue 16's stretch (below Persona), first set by issue 8
const LONGEST_TASK_MS = 5; // issue 16
const FIRST_MOUNT_MS = 1; // issue 16

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => n.toFixed(2);
const us = (n) => n.toFixed(2);

/** Builds the table lines from the results of every section. */
export function lines({ size, tti, task, click, msg, mem }) {
  const out = [];
  const pick = (f) => Object.fromEntries(COLUMNS.map(([id]) => [id, f(id)]).filter(([, v]) => v !== undefined && v !== null));
  // When our wasm is a separate file, the host ships it too: our figure is the sum.
  const extra = (m) => (size.ours.separateWasm ? size.ours.separateWasm[m] : 0);
  const peerSize = (kind, m) => (id) => (id === 'ours' ? size.ours[kind][m] + extra(m) : size[id] && size[id][kind][m]);
  const plus = size.ours.separateWasm ? ` + ${size.ours.separateWasm.files.map((f) => `\`${f}\``).join(' + ')}` : '';

  const S = 'Size (bytes)';
  out.push({ section: S, label: `ES entry (\`dist/index.js\`${plus}), minified`, fmt: int, values: pick(peerSize('es', 'min')) });
  out.push({ section: S, label: 'ES entry, gzip -9', fmt: int, values: pick(peerSize('es', 'gzip')) });
  out.push({ section: S, label: 'ES entry, brotli', fmt: int, values: pick(peerSize('es', 'brotli')) });
  out.push({ section: S, label: `script-tag file (\`dist/vlens.js\`${plus}), minified`, fmt: int, values: pick(peerSize('script', 'min')) });
  const scriptGz = pick(peerSize('script', 'gzip'));
  out.push({
    section: S, label: 'script-tag file, gzip -9, wasm included', fmt: int, values: scriptGz,
    target: {
      text: `≤ ${int(SCRIPT_TAG_GZIP_TARGET)} (stretch ≤ ${int(SCRIPT_TAG_GZIP_STRETCH)}: ${scriptGz.ours <= SCRIPT_TAG_GZIP_STRETCH ? 'met' : 'missed'})`,
      met: scriptGz.ours <= SCRIPT_TAG_GZIP_TARGET,
    },
  });
  out.push({ section: S, label: 'script-tag file, brotli', fmt: int, values: pick(peerSize('script', 'brotli')) });
  const parts = size.ours.script;
  if (parts.wasmBase64) {
    out.push({ section: S, label: 'of which the inlined wasm (base64 string), gzip -9', fmt: int, values: { ours: parts.wasmBase64.gzip } });
    out.push({ section: S, label: 'of which JavaScript (file without the wasm string), gzip -9', fmt: int, values: { ours: parts.js.gzip } });
  }
  if (size.ours.separateWasm) {
    out.push({ section: S, label: 'of which the separate wasm file, gzip -9', fmt: int, values: { ours: size.ours.separateWasm.gzip } });
  }
  if (size.ours.wasmBinary) {
    out.push({ section: S, label: 'wasm binary (`pkg/vlens_widget_bg.wasm`), raw', fmt: int, values: { ours: size.ours.wasmBinary.min } });
    out.push({ section: S, label: 'wasm binary, gzip -9', fmt: int, values: { ours: size.ours.wasmBinary.gzip } });
    out.push({ section: S, label: 'wasm binary, brotli', fmt: int, values: { ours: size.ours.wasmBinary.brotli } });
  }

  if (tti) {
    const T = `Time to iframe (ms, ${tti.ours.tti.n} fresh page loads each)`;
    const v = (f) => pick((id) => tti[id] && f(tti[id]));
    const med = v((x) => x.tti.median);
    const ratio = med.ours / med.baseline;
    out.push({
      section: T, label: 'script insertion → iframe with `src` in the DOM, median', fmt: ms, values: med,
      target: { text: '≤ 1.3× baseline', met: ratio <= 1.3, detail: `${ratio.toFixed(2)}×` },
    });
    out.push({ section: T, label: 'same, p10', fmt: ms, values: v((x) => x.tti.p10) });
    out.push({ section: T, label: 'same, p90', fmt: ms, values: v((x) => x.tti.p90) });
    const first = v((x) => x.first.median);
    out.push({
      section: T, label: 'first mount call (synchronous part only; ours compiles asynchronously, started when the script ran), median', fmt: ms, values: first,
      target: { text: `≤ ${FIRST_MOUNT_MS} ms`, met: first.ours <= FIRST_MOUNT_MS },
    });
    out.push({ section: T, label: 'a later mount call, median', fmt: ms, values: v((x) => x.later.median) });
  }

  if (task) {
    const T = `Longest main-thread task from script insertion to iframe (ms of thread time, Chrome trace, ${task.ours.n} fresh page loads each)`;
    const med = pick((id) => task[id] && task[id].median);
    out.push({
      section: T, label: 'longest task of the load, median over loads', fmt: ms, values: med,
      target: { text: `≤ ${LONGEST_TASK_MS} ms`, met: med.ours <= LONGEST_TASK_MS },
    });
    out.push({ section: T, label: 'same, worst load', fmt: ms, values: pick((id) => task[id] && task[id].max) });
  }

  if (click) {
    const C = `Modal: click → next paint (ms, a button whose handler mounts \`mode: 'modal'\`, module ready; ${click.ours.n} fresh pages each)`;
    const med = pick((id) => click[id] && click[id].median);
    const ratio = med.ours / med.baseline;
    out.push({
      section: C, label: 'click → first paint after the handler, median', fmt: ms, values: med,
      target: { text: '≤ 1.2× baseline', met: ratio <= 1.2, detail: `${ratio.toFixed(2)}×` },
    });
    out.push({ section: C, label: 'same, p90', fmt: ms, values: pick((id) => click[id] && click[id].p90) });
  }

  if (msg) {
    const M = `Message cost (µs of host main-thread time per message, ${int(msg.n)} messages, median of ${msg.reps} runs, no-widget run subtracted)`;
    const v = (key) => pick((id) => msg[id] && msg[id][key]);
    out.push({ section: M, label: 'accepted (`step` from the widget\'s iframe), all main-thread work', fmt: us, values: v('accepted_task') });
    out.push({ section: M, label: 'accepted, of which JavaScript + wasm', fmt: us, values: v('accepted_script') });
    const rej = v('rejected_task');
    const ratio = rej.ours / rej.baseline;
    out.push({
      section: M, label: 'rejected (wrong origin, not the widget\'s iframe), all main-thread work', fmt: us, values: rej,
      target: { text: '≤ 2 µs and ≤ 1.5× baseline', met: rej.ours <= 2 && ratio <= 1.5, detail: `${us(rej.ours)} µs, ${ratio.toFixed(2)}×` },
    });
    out.push({ section: M, label: 'rejected, of which JavaScript + wasm', fmt: us, values: v('rejected_script') });
  }

  if (mem) {
    const cycles = mem.ours.cycles;
    const X = `Memory after ${int(cycles)} mount/destroy cycles (left over / growth; DevTools protocol)`;
    const v = (k) => pick((id) => mem[id] && mem[id].delta[k]);
    const listeners = v('windowListeners');
    out.push({ section: X, label: 'window event listeners left', fmt: int, values: listeners, target: { text: '0', met: listeners.ours === 0 } });
    const nodes = v('nodes');
    out.push({ section: X, label: 'DOM nodes left (after GC)', fmt: int, values: nodes, target: { text: '0', met: nodes.ours <= 0 } });
    out.push({ section: X, label: 'JS heap growth after forced GC (bytes)', fmt: int, values: v('heap') });
    // The page captures the memory from WebAssembly.Instance; none captured = not measured.
    const wasm = mem.ours.before.wasm > 0 ? mem.ours.delta.wasm : undefined;
    out.push({
      section: X, label: 'wasm linear memory growth (bytes)', fmt: int, values: wasm === undefined ? {} : { ours: wasm },
      target: wasm === undefined ? { text: '≤ 65,536', met: false, detail: 'not measured: no WebAssembly.Memory captured' } : { text: '≤ 65,536', met: wasm <= 65_536 },
    });
  }
  return out;
}

function cell(line, id) {
  const v = line.values[id];
  if (v === undefined) return '—';
  const vals = Object.values(line.values);
  const best = Math.min(...vals);
  const text = line.fmt(v);
  // A ratio only means something when the figures are positive and there is a comparison.
  if (vals.length < 2 || best <= 0) return text;
  const r = v / best;
  return v === best ? `${text} (best)` : `${text} (${r.toFixed(r < 10 ? 2 : 1)}×)`;
}

function targetCell(line) {
  if (!line.target) return '';
  const { text, met, detail } = line.target;
  const ours = line.fmt(line.values.ours);
  return `${text}: ${met ? 'met' : '**MISSED**'} (ours ${detail || ours})`;
}

/** The Markdown table (also what the terminal shows). */
export function markdownTable(ls) {
  const head = ['line', ...COLUMNS.map(([, name]) => name), 'target'];
  const rows = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 || i === head.length - 1 ? '---' : '--:')).join('|')}|`];
  let section = null;
  for (const l of ls) {
    if (l.section !== section) {
      section = l.section;
      rows.push(`| **${section}** |${' |'.repeat(head.length - 1)}`);
    }
    rows.push(`| ${l.label} | ${COLUMNS.map(([id]) => cell(l, id)).join(' | ')} | ${targetCell(l)} |`);
  }
  return rows.join('\n');
}
