// The one place that turns a session's events into the wrappers' `state`: the core's
// `vlens:state` ({ state }) carries every change; other events leave it as it is.
/**
 * @param {string} type
 * @param {any} detail
 * @returns {string | undefined} the new state, or undefined when `type` changes none
 */
export function stateFrom(type, detail) {
  return type === 'vlens:state' && detail && typeof detail.state === 'string' ? detail.state : undefined;
}

/** Option names that are callbacks (the wrappers always pass their own, calling the latest). */
export const CALLBACKS = ['onReady', 'onStep', 'onResize', 'onComplete', 'onCancel', 'onError', 'onStateChange'];

/**
 * What, besides the container, makes a wrapper destroy and mount anew: the `baseUrl`,
 * and the provider's URL (a string provider, or an object provider's `url`) or kind.
 * Anything else (callbacks, a function's or object's identity, sizes) is read at mount
 * or, for callbacks and function providers, at call time.
 * @param {unknown} tokenProvider
 * @param {{ baseUrl?: string } | undefined | null} options
 */
export function mountKey(tokenProvider, options) {
  const p = tokenProvider;
  const provider = typeof p === 'string' ? 's:' + p
    : typeof p === 'function' ? 'f'
    : p && typeof p === 'object' ? 'o:' + String(/** @type {any} */ (p).url) : 'none:' + String(p);
  return JSON.stringify([provider, options && options.baseUrl != null ? String(options.baseUrl) : null]);
}

/**
 * Arguments for `mountVlens` that always call the latest provider function and callbacks:
 * `latest()` returns `{ tokenProvider, options }` as the wrapper holds them now.
 * `onEvent(type, detail)` is the wrapper's own listener, called after the user's.
 * @param {() => { tokenProvider: any, options: any }} latest
 * @param {(type: string, detail: any) => void} onEvent
 */
export function mountArgs(latest, onEvent) {
  const { tokenProvider, options } = latest();
  const opts = { ...(options || {}) };
  for (const name of CALLBACKS) {
    opts[name] = (detail) => {
      const fn = (latest().options || {})[name];
      if (typeof fn === 'function') fn(detail);
    };
  }
  opts.onEvent = (type, detail) => {
    try {
      const fn = (latest().options || {}).onEvent;
      if (typeof fn === 'function') fn(type, detail);
    } finally {
      onEvent(type, detail);
    }
  };
  const provider = typeof tokenProvider === 'function'
    ? (ctx) => {
        const p = latest().tokenProvider;
        return typeof p === 'function' ? p(ctx) : tokenProvider(ctx);
      }
    : tokenProvider;
  return [provider, opts];
}
