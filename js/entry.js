// Published entry of vlens-widget (bundled by scripts/build.mjs into dist/).
// Importing it does nothing but define functions: no window/document access, so server-side
// rendering can import it. The wasm is inlined (deflated, base64); `preload()` (or the first
// mountVlens()) inflates it with the browser's own DecompressionStream and compiles and
// instantiates it asynchronously, off the main thread, once per page: copies of this build
// (the script tag and an ES module, say) share one compile through a global keyed by its hash.
import init, { iframe, input, mount, state, update } from '../pkg/vlens_widget.js';
import wasmDeflated, { hash } from 'vlens:wasm';
import { VlensError } from './error.js';
import { emit } from './runtime.js';
import { open, show } from './ui.js';

export { VlensError };

const KEY = Symbol.for('vlens-widget ' + hash);
// What the page cannot run the widget for, in the user's language (en, ar); the modal's own
// labels are the engine's (src/ui.rs), repeated here since there is no engine to ask.
const BLOCKED = {
  en: ['This page’s security settings keep the verification from starting here. Please contact the site’s support.', 'Identity verification', 'Close'],
  ar: ['إعدادات الأمان في هذه الصفحة تمنع بدء التحقق هنا. يُرجى التواصل مع دعم الموقع.', 'التحقق من الهوية', 'إغلاق'],
};

let loading; // the promise preload() returns
let ready; // the module is instantiated, or `blocked` says why it cannot be
let blocked;
const queue = []; // what was asked before `ready`, in order

// A new task (MessageChannel: not faked by test suites' fake timers, unlike setTimeout).
const tick = () =>
  new Promise((r) => {
    const c = new MessageChannel();
    c.port1.onmessage = () => (c.port1.close(), r());
    c.port2.postMessage(0);
  });

const later = (f) => {
  if (ready) queueMicrotask(f);
  else queue.push(f), preload();
};

async function compile() {
  const b64 = wasmDeflated;
  const bytes = Uint8Array.fromBase64 ? Uint8Array.fromBase64(b64) : Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const inflate = new DecompressionStream('deflate-raw');
  const w = inflate.writable.getWriter();
  w.write(bytes);
  w.close();
  return WebAssembly.compile(await new Response(inflate.readable).arrayBuffer());
}

/**
 * Starts compiling the widget, if nothing has yet; resolves once `mountVlens` can mount (and
 * throw for bad arguments) synchronously. Never rejects: a page that cannot run WebAssembly
 * resolves too, and its sessions report `WASM_BLOCKED`.
 * @returns {Promise<void>}
 */
export function preload() {
  return (loading ||= (globalThis[KEY] ||= compile())
    .then((module) => init({ module_or_path: module }))
    .then(tick)
    // V8 compiles a wasm function on its first call, on the main thread. The largest (mount,
    // the engine, the dispatcher) are compiled here, in a task of their own, by a session in
    // an element outside the page that is destroyed before it starts: it calls no provider,
    // draws nothing, and its listener and events go with it.
    .then(() => {
      const none = () => {};
      try {
        input(mount(document.createElement('div'), none, { ui: false }, none), true);
      } catch {} // no document (server-side): nothing to warm
    })
    .then(tick)
    .catch((cause) => {
      // Almost always a Content-Security-Policy without 'wasm-unsafe-eval': say so.
      blocked = new VlensError('WASM_BLOCKED', `vlens-widget could not compile its WebAssembly (${cause && cause.message}): if the page sends a Content-Security-Policy, add 'wasm-unsafe-eval' to script-src`);
      blocked.cause = cause;
    })
    .then(() => {
      ready = 1;
      for (const f of queue.splice(0)) f();
    }));
}

/**
 * A session with no engine: its module is blocked or its arguments were found bad once the
 * module was ready (`err`, reported as the engine reports errors, with the error screen for a
 * blocked module), or it was destroyed before either was known (no `err`: nothing to report).
 * `close` is its destroy(), for the modal's close button; returns what destroy() then does.
 */
function idle(err, element, options, resolve, close) {
  const o = options || {};
  let el = element;
  try {
    if (typeof el == 'string') el = document.querySelector(el);
  } catch {}
  el = el && el.nodeType == 1 ? el : null;
  const target = el || document.body;
  const modal = o.mode == 'modal';
  const signal = o.signal && o.signal.addEventListener ? o.signal : null;
  let down;
  const destroy = () => {
    if (down) down();
    if (signal) signal.removeEventListener('abort', close);
    emit(target, 'vlens:state', { state: 'destroyed' }, o.onStateChange, o.onEvent);
    emit(target, 'vlens:destroy', {}, null, o.onEvent);
    resolve({ status: 'destroyed' });
  };
  if (!err) return destroy;
  const { code, message } = err;
  console.error('vlens-widget: ' + message);
  if (signal) signal.addEventListener('abort', close);
  if (code == 'WASM_BLOCKED' && o.ui !== false && (el || modal)) {
    const lang = /^ar([-_]|$)/i.test(typeof o.locale == 'string' ? o.locale : document.documentElement.lang) ? 'ar' : 'en';
    const [text, label, closeLabel] = BLOCKED[lang];
    const parts = open(modal ? document.body : el, modal, lang, lang == 'ar' ? 'rtl' : 'ltr', o.width || '100%', label, closeLabel, close);
    down = parts[1];
    show(parts[0], 'error', text, '', null, modal ? '' : o.height || 700);
  }
  emit(target, 'vlens:error', { code, message, recoverable: false, source: 'widget' }, o.onError, o.onEvent);
  emit(target, 'vlens:state', { state: 'error' }, o.onStateChange, o.onEvent);
  resolve({ status: 'error', error: { code, message } });
  return destroy;
}

/**
 * Mount the Vlens iframe into `element`. See types/index.d.ts for the contract.
 * @param {Element | string | null} element
 * @param {unknown} tokenProvider
 * @param {object} [options]
 */
export function mountVlens(element, tokenProvider, options) {
  if (typeof document == 'undefined') {
    throw new VlensError('INVALID_ARGUMENT', 'mountVlens needs a browser document: call it in the browser, e.g. from useEffect or onMounted, not during server-side rendering');
  }
  let id = 0; // the engine's session, once there is one
  let own = 'token'; // the state while there is none
  let pending = 1; // asked before the module was ready, and not yet started
  let end; // what destroy() does for a session that could not start
  let resolve;
  const result = new Promise((r) => (resolve = r));
  const call = (destroy) => {
    if (pending) {
      if (destroy) own = 'destroyed';
      later(() => call(destroy));
    } else if (id) input(id, destroy);
    else if (destroy && end) end(), (end = null), (own = 'destroyed');
  };
  const session = {
    result,
    get state() {
      return id ? state(id) : own;
    },
    get iframe() {
      return id ? iframe(id) : null;
    },
    refresh: () => call(false),
    destroy: () => call(true),
    // Checked, applied or thrown at once on a started session; asked before then, it is
    // applied once the session starts, and a bad one is then logged (there is no caller left).
    update: (o) => {
      if (!pending) return void (id && update(id, o));
      later(() => {
        try {
          if (id) update(id, o);
        } catch (e) {
          console.error('vlens-widget: ' + e.message);
        }
      });
    },
  };
  if (ready && !blocked) {
    id = mount(element, tokenProvider, options, resolve);
    pending = 0;
  } else {
    later(() => {
      pending = 0;
      try {
        if (blocked) throw blocked;
        id = mount(element, tokenProvider, options, resolve);
      } catch (err) {
        // Destroyed before it could start: as on a ready module, nothing but the destroy.
        const early = own == 'destroyed';
        if (!early) own = 'error';
        end = idle(!early && err, element, options, resolve, session.destroy);
      }
    });
  }
  return session;
}
