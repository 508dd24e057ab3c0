// The HTML of the bench pages. Inline scripts on purpose: the host pages are fixtures that
// only measure, and keeping each page in one string keeps what is measured easy to read.
//
// Every implementation is driven through the same `mount(impl, element, baseUrl)` with a token
// provider that resolves at once; Veriff's SDK has no token provider, it is given the URL.

const src = (impl) => (impl === 'ours' ? '/dist/vlens.js' : `/js/${impl}.js`);

const common = (o) => `
const ORIGINS = ${JSON.stringify(o)};
function mount(impl, el, baseUrl, extra) {
  if (impl === 'ours') return Vlens.mountVlens(el, async () => 'tok', { baseUrl, ...extra });
  if (impl === 'baseline') return (window.Baseline || BenchLib).mountVlens(el, async () => 'tok', { baseUrl, ...extra });
  if (impl === 'veriff') {
    const f = BenchLib.createVeriffFrame({ url: baseUrl + '/session?token=tok', embedded: true, embeddedOptions: { rootElementID: el.id } });
    return { destroy: () => f.close() };
  }
  throw new Error('unknown implementation ' + impl);
}
// Resolves once session.iframe (or the element's first iframe) is in the document.
function iframeOf(session, el) {
  const find = () => { const f = session.iframe || el.querySelector('iframe'); return f && f.isConnected ? f : null; };
  return new Promise((resolve, reject) => {
    if (find()) return resolve(find());
    const mo = new MutationObserver(() => { const f = find(); if (f) { mo.disconnect(); clearTimeout(t); resolve(f); } });
    mo.observe(el, { childList: true, subtree: true });
    const t = setTimeout(() => { mo.disconnect(); reject(new Error('no iframe within 5 s')); }, 5000);
  });
}`;

export const pages = {
  // Section 2: one fresh page load measures one implementation.
  tti: (o, q) => `<!doctype html><html><head><meta charset="utf-8"><title>time to iframe</title></head>
<body><div id="c"></div><script>${common(o)}
const impl = ${JSON.stringify(q.get('impl'))};
const scriptSrc = ${JSON.stringify(src(q.get('impl')))};
const base = ORIGINS.app + '/nocontent';
window.result = new Promise((resolve, reject) => {
  const el = document.getElementById('c');
  let t0, session, first;
  const hasIframe = () => [...document.getElementsByTagName('iframe')].some((f) => f.getAttribute('src'));
  const mo = new MutationObserver(() => {
    if (!hasIframe()) return;
    const tti = performance.now() - t0;
    performance.mark('vlens-bench:iframe'); // the trace's window (longest task) ends here
    mo.disconnect();
    // Then, in a task of its own (outside the traced window), a later mount's cost: the code
    // is loaded (and for ours the wasm instantiated). Ten mounts into ten elements, timed
    // together: one call is near the 0.1 ms resolution of performance.now() in a page that is
    // not cross-origin isolated.
    setTimeout(() => {
      session.destroy();
      const els = Array.from({ length: 10 }, (_, i) => document.body.appendChild(Object.assign(document.createElement('div'), { id: 'later' + i })));
      const a = performance.now();
      const again = els.map((e) => mount(impl, e, base));
      const later = (performance.now() - a) / els.length;
      for (const s of again) s.destroy();
      resolve({ tti, first, later });
    });
  });
  mo.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['src'] });
  const s = document.createElement('script');
  s.src = scriptSrc;
  s.onerror = () => reject(new Error('could not load ' + scriptSrc));
  s.onload = () => {
    const a = performance.now();
    session = mount(impl, el, base); // for ours: decode + compile + instantiate + mount
    first = performance.now() - a;
  };
  performance.mark('vlens-bench:t0');
  t0 = performance.now();
  document.head.appendChild(s);
});
</script></body></html>`,

  // Section 2b: one fresh page per sample; the implementation is loaded (and, for ours, its
  // module ready, as it is by the time a user clicks), then Node clicks the button, whose
  // handler mounts a modal. Click (the event's own time stamp) → the first paint after it:
  // a task posted from requestAnimationFrame runs once that frame is painted.
  click: (o, q) => `<!doctype html><html><head><meta charset="utf-8"><title>click to paint</title>
<script src="${src(q.get('impl'))}"></script></head>
<body><button id="verify" type="button">Verify my identity</button><script>${common(o)}
const impl = ${JSON.stringify(q.get('impl'))};
let session;
window.result = new Promise((resolve) => {
  document.getElementById('verify').addEventListener('click', (e) => {
    session = mount(impl, null, ORIGINS.app + '/nocontent', { mode: 'modal' });
    requestAnimationFrame(() => {
      const mc = new MessageChannel();
      mc.port1.onmessage = () => resolve({ paint: performance.now() - e.timeStamp, modal: !!document.querySelector('dialog[open]') });
      mc.port2.postMessage(0);
    });
  });
});
window.loaded = impl === 'ours' ? Vlens.preload() : Promise.resolve();
</script></body></html>`,

  // Section 3: the host side; Node drives B.setup/run/teardown and reads CDP metrics around run.
  msg: (o) => `<!doctype html><html><head><meta charset="utf-8"><title>message cost</title>
<script src="${src('ours')}"></script><script src="${src('baseline')}"></script><script>window.Baseline = BenchLib;</script>
</head><body><div id="c"></div><script>${common(o)}
let waiting = null;
let counting = null;
// The bench's own listener, present in every configuration so it cancels out. While
// messages are measured it only counts them by source and never reads event.data: reading it
// deserialises the message, a cost that must stay with the widget (which should skip it for
// messages from the wrong source or origin).
addEventListener('message', (e) => {
  if (counting) {
    if (e.source === counting.from && --counting.left === 0) { counting.resolve(); counting = null; }
  } else if (waiting && e.source === waiting.from() && e.data === waiting.what) {
    waiting.resolve();
    waiting = null;
  }
});
const wait = (what, from) => new Promise((resolve) => { waiting = { what, from, resolve }; });
const el = document.getElementById('c');
const other = document.createElement('iframe');
let appFrame = null;
let session = null;
window.B = {
  async init() {
    const loaded = wait('bench:loaded', () => other.contentWindow);
    other.src = ORIGINS.other + '/sender';
    document.body.append(other);
    await loaded;
  },
  // impl: 'none' (a plain iframe on the app origin, no widget), 'ours' or 'baseline'
  async setup(impl) {
    const loaded = wait('bench:loaded', () => appFrame && appFrame.contentWindow);
    if (impl === 'none') {
      appFrame = document.createElement('iframe');
      appFrame.src = ORIGINS.app + '/sender/session?token=tok';
      el.append(appFrame);
    } else {
      session = mount(impl, el, ORIGINS.app + '/sender');
      appFrame = await iframeOf(session, el);
    }
    await loaded;
  },
  // accepted: the app frame posts n well-formed messages; rejected: the other origin does.
  async run(kind, n) {
    const from = (kind === 'accepted' ? appFrame : other).contentWindow;
    // n messages, then the sender's 'bench:done'
    const done = new Promise((resolve) => { counting = { from, left: n + 1, resolve }; });
    from.postMessage({ bench: 'go', n }, '*');
    await done;
  },
  // Counts vlens:step events during a short run: proves accepted ones are accepted.
  async count(kind, n) {
    let steps = 0;
    const on = () => steps++;
    el.addEventListener('vlens:step', on);
    await this.run(kind, n);
    await new Promise((r) => setTimeout(r, 20));
    el.removeEventListener('vlens:step', on);
    return steps;
  },
  teardown() {
    if (session) session.destroy(); else appFrame.remove();
    session = null;
    appFrame = null;
  },
};
</script></body></html>`,

  // The fake app's sender (on the app origin and on the wrong one).
  sender: () => `<!doctype html><html><head><meta charset="utf-8"><title>sender</title></head><body><script>
const step = { source: 'vlens', version: 1, type: 'step', data: { step: 'x' } };
addEventListener('message', (e) => {
  if (e.source !== parent || !e.data || e.data.bench !== 'go') return;
  for (let i = 0; i < e.data.n; i++) parent.postMessage(step, '*');
  parent.postMessage('bench:done', '*');
});
parent.postMessage({ source: 'vlens', version: 1, type: 'ready' }, '*');
parent.postMessage('bench:loaded', '*');
</script></body></html>`,

  // Section 4: capture the wasm memory (from WebAssembly.instantiate, or new WebAssembly.Instance)
  // before the widget's script runs, then Node runs the cycles and reads CDP counters.
  mem: (o, q) => `<!doctype html><html><head><meta charset="utf-8"><title>memory</title><script>
window.wasmMemories = [];
const keep = (instance) => {
  for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) wasmMemories.push(v);
  return instance;
};
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) { return keep(new Instance(module, imports)); };
WebAssembly.Instance.prototype = Instance.prototype;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = (...a) => instantiate(...a).then((r) => (r instanceof Instance ? keep(r) : (keep(r.instance), r)));
</script><script src="${src(q.get('impl') === 'ours' ? 'ours' : 'baseline')}"></script>
</head><body><div id="c"></div><script>${common(o)}
const impl = ${JSON.stringify(q.get('impl'))};
window.wasmBytes = () => wasmMemories.reduce((n, m) => n + m.buffer.byteLength, 0);
window.cycles = async (n) => {
  if (impl === 'ours') await Vlens.preload();
  const el = document.getElementById('c');
  for (let i = 0; i < n; i++) {
    const s = mount(impl, el, ORIGINS.app + '/nocontent');
    await iframeOf(s, el);
    s.destroy();
  }
  await new Promise((r) => setTimeout(r, 50)); // let the last destroy's tasks run
  return document.getElementsByTagName('iframe').length;
};
</script></body></html>`,
};
