// What the wrappers share: the mount key, the arguments with the latest callbacks, following
// changed options on a live session, reporting what mountVlens throws, and `state`.
// Every byte here ships in each wrapper: keep it small.
import { OPTIONS } from './options.js';

/**
 * The one place that turns a session's events into the wrappers' `state`: the core's
 * `vlens:state` ({ state }) carries every change; other events leave it as it is.
 * @param {string} type
 * @param {any} detail
 * @returns {string | undefined} the new state, or undefined when `type` changes none
 */
export function stateFrom(type, detail) {
  return type === 'vlens:state' ? detail.state : undefined;
}

/**
 * What, besides the container, makes a wrapper destroy and mount anew: the provider's kind
 * and URL (a string provider, or an object provider's `url`), the options that need a new
 * iframe (`r` in ./options.js), and whether there is a `p` one. Anything else (callbacks,
 * a function's or object's identity, sizes, texts) is followed on the live session.
 * @param {any} p the token provider
 * @param {any} options
 */
export function mountKey(p, options) {
  const o = options || {};
  return JSON.stringify([typeof p, p && typeof p === 'object' ? p.url : typeof p === 'function' || p,
    ...Object.keys(OPTIONS).map((n) => (OPTIONS[n][0] === 'r' ? o[n] : OPTIONS[n][0] === 'p' && typeof o[n]))]);
}

/**
 * Arguments for `mountVlens` that always call the latest provider function and callbacks:
 * `latest()` returns `{ tokenProvider, options }` as the wrapper holds them now (`options`
 * may hold the wrappers' own `open` and `onOpenChange`, which never reach `mountVlens`).
 * `onEvent(type, detail, call)` is the wrapper's own listener, called after the user's;
 * `call(name, ...args)` calls the latest option `name`.
 * @param {() => { tokenProvider: any, options: any }} latest
 * @param {(type: string, detail: any, call: (name: string, ...args: any[]) => any) => void} onEvent
 */
export function mountArgs(latest, onEvent) {
  const { tokenProvider, options } = latest();
  const call = (name, ...args) => latest().options?.[name]?.(...args);
  // eslint-disable-next-line no-unused-vars
  const { open, onOpenChange, tokenProvider: own, ...opts } = options || {};
  for (const name in OPTIONS) {
    const c = OPTIONS[name][0];
    if (c === 'f' || (c === 'p' && typeof opts[name] === 'function')) opts[name] = (...args) => call(name, ...args);
  }
  opts.onEvent = (type, detail) => {
    try {
      call('onEvent', type, detail);
    } finally {
      onEvent(type, detail, call);
    }
  };
  // A provider that stops being a function changes the mount key: this one is never called then.
  return [typeof tokenProvider === 'function' ? (ctx) => latest().tokenProvider(ctx) : tokenProvider, opts];
}

/**
 * Brings a mounted session in line with changed options, as the README's table of options
 * says: `l` ones through `session.update()`, `w` ones (read when a session starts) with one
 * warning per change. `r` and `p` ones are in the mount key; callbacks are always the latest.
 * @param {{ update(o: object): void }} session
 * @param {any} before the options the session has
 * @param {any} after the options it should have
 * @param {(e: any) => void} report what update() (or a strange value) threw
 */
export function follow(session, before, after, report) {
  const b = before || {};
  const a = after || {};
  const live = {};
  let any = false;
  try {
    for (const n in OPTIONS) {
      const c = OPTIONS[n][0];
      // Equal values are no change: an inline `messages={{ ... }}` is a new object each render,
      // so live values compare as JSON (all are JSON data); `signal` is compared by identity.
      if (c === 'w' && b[n] !== a[n]) console.warn(`vlens-widget: ${n} is read at mount: remount to apply it`);
      if (c === 'l' && JSON.stringify([b[n]]) !== JSON.stringify([a[n]])) {
        live[n] = a[n];
        any = true;
      }
    }
    if (any) session.update(live);
  } catch (e) {
    report(e);
  }
}

/**
 * What `mountVlens` or `update()` threw, reported as a `vlens:error` (console.error, then the
 * latest onError and onEvent) instead of being thrown into the app or its framework.
 * Returns the event's detail.
 * @param {any} e
 * @param {{ onError: Function, onEvent: Function }} opts from mountArgs
 */
export function fail(e, opts) {
  const detail = { code: e.code || 'INVALID_ARGUMENT', message: e.message, recoverable: false, source: 'widget' };
  console.error(e);
  opts.onError(detail);
  opts.onEvent('vlens:error', detail);
  return detail;
}
