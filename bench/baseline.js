// The bench's yardstick: the minimum of vlens-widget's contract in plain JavaScript, written
// for `npm run bench` only (never shipped). It is what a careful host developer could write
// by hand, so the widget's size, time and per-message cost are judged against it.
// Kept deliberately honest: same origin + source check, same message shape check, same events.

const DEFAULT_BASE = 'https://app.vlenseg.com';
const EVENTS = { ready: 'ready', step: 'step', resize: 'resize', completed: 'complete', cancelled: 'cancel', error: 'error' };
const CALLBACKS = { ready: 'onReady', step: 'onStep', resize: 'onResize', complete: 'onComplete', cancel: 'onCancel', error: 'onError' };

async function fetchToken(url) {
  const res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
  if (!(res.headers.get('content-type') || '').includes('json')) return res.text();
  const body = await res.json();
  return body.token ?? body.data;
}

/**
 * Mount the Vlens iframe into `element` (an Element or a selector).
 * @param {Element | string} element
 * @param {string | ((ctx: {reason: string}) => string | Promise<string>)} tokenProvider
 * @param {{ baseUrl?: string, height?: number | string, title?: string, onEvent?: Function,
 *   onReady?: Function, onStep?: Function, onResize?: Function, onComplete?: Function, onCancel?: Function, onError?: Function }} [options]
 */
export function mountVlens(element, tokenProvider, options = {}) {
  // mode: 'modal': a native dialog over the page, opened at once, holding the iframe.
  const dialog = options.mode === 'modal' ? document.body.appendChild(document.createElement('dialog')) : null;
  if (dialog) dialog.showModal();
  const el = dialog || (typeof element === 'string' ? document.querySelector(element) : element);
  if (!(el instanceof Element)) throw new TypeError('mountVlens: element not found');
  if (typeof tokenProvider !== 'string' && typeof tokenProvider !== 'function') {
    throw new TypeError('mountVlens: tokenProvider must be a URL or a function');
  }
  const base = new URL(options.baseUrl || DEFAULT_BASE);
  const origin = base.origin;
  let iframe = null;
  let destroyed = false;
  let state = 'token';
  let settle;
  const result = new Promise((resolve) => { settle = resolve; });

  const emit = (name, detail) => {
    el.dispatchEvent(new CustomEvent(`vlens:${name}`, { detail, bubbles: true, composed: true }));
    const cb = options[CALLBACKS[name]];
    if (typeof cb === 'function') cb(detail);
    if (typeof options.onEvent === 'function') options.onEvent(name, detail);
  };
  const end = (status, data) => {
    if (state === 'completed' || state === 'cancelled' || state === 'destroyed') return;
    state = status;
    settle(data === undefined ? { status } : { status, data });
  };

  const onMessage = (event) => {
    // Source first: it is the cheapest test and rejects every other frame's traffic.
    if (!iframe || event.source !== iframe.contentWindow || event.origin !== origin) return;
    const m = event.data;
    if (!m || typeof m !== 'object' || m.source !== 'vlens' || m.version !== 1 || typeof m.type !== 'string' || !m.type) return;
    const data = m.data ?? {};
    const name = EVENTS[m.type];
    if (name === 'step') {
      if (typeof data.step === 'string' && data.step) emit('step', { step: data.step });
    } else if (name === 'resize') {
      if (Number.isFinite(data.height) && data.height > 0) {
        iframe.style.height = `${data.height}px`;
        emit('resize', { height: data.height });
      }
    } else if (name === 'error') {
      emit('error', { code: 'APP_ERROR', message: String(data.message ?? ''), recoverable: data.recoverable === true, source: 'app', appCode: data.code });
    } else if (name) {
      if (name === 'ready') state = 'ready';
      if (name === 'complete') end('completed', data);
      if (name === 'cancel') end('cancelled', data);
      emit(name, name === 'ready' ? {} : { data });
    } else {
      emit('message', { type: m.type, data });
    }
  };

  const fail = (err) => {
    if (destroyed) return;
    state = 'error';
    emit('error', { code: 'TOKEN_PROVIDER_FAILED', message: String(err && err.message), recoverable: true, source: 'token' });
  };

  window.addEventListener('message', onMessage);
  Promise.resolve()
    .then(() => (typeof tokenProvider === 'function' ? tokenProvider({ reason: 'initial' }) : fetchToken(tokenProvider)))
    .then((token) => {
      if (destroyed) return;
      if (typeof token !== 'string' || !token) throw new Error('token provider gave no token');
      iframe = document.createElement('iframe');
      iframe.src = `${base.href.replace(/\/$/, '')}/session?token=${encodeURIComponent(token)}`;
      iframe.allow = 'camera; microphone';
      iframe.title = options.title || 'Vlens identity verification';
      iframe.style.border = '0';
      iframe.style.width = '100%';
      iframe.style.height = typeof options.height === 'string' ? options.height : `${options.height || 700}px`;
      el.replaceChildren(iframe);
      state = 'loading';
    })
    .catch(fail);

  return {
    result,
    get iframe() {
      return iframe;
    },
    get state() {
      return state;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      window.removeEventListener('message', onMessage);
      if (iframe) iframe.remove();
      if (dialog) dialog.remove();
      iframe = null;
      end('destroyed');
      state = 'destroyed';
      emit('destroy', {});
    },
  };
}
