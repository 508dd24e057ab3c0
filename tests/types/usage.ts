// Compile-only test of types/index.d.ts (`npm run test:types`, i.e. `tsc -p tests/types`).
// Correct usages must compile; every `@ts-expect-error` line must be rejected
// (tsc fails if an expected error does not happen).
import {
  mountVlens,
  preload,
  VlensError,
  type TokenProvider,
  type TokenProviderContext,
  type VlensErrorCode,
  type VlensErrorDetail,
  type VlensEventMap,
  type VlensEventType,
  type VlensOptions,
  type VlensResult,
  type VlensSession,
  type VlensState,
} from 'vlens-widget';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

declare const el: HTMLDivElement;
declare const anyElement: Element;

// --- mountVlens: element and provider forms -------------------------------------------
const s1: VlensSession = mountVlens('#kyc', '/api/vlens-token');
mountVlens(el, { url: '/api/vlens-token' });
mountVlens(anyElement, {
  url: '/api/vlens-token',
  method: 'PUT',
  headers: { 'X-CSRF-Token': 'abc' },
  body: { phoneNumber: '+201234567890' },
  credentials: 'include',
});
mountVlens(el, { url: '/api/vlens-token', body: 'raw' });
mountVlens(el, async ({ reason, signal }) => {
  const r = await fetch(`/api/token?reason=${reason}`, { signal });
  return r.text();
});
mountVlens(el, () => 'tok');
mountVlens(el, (ctx: TokenProviderContext) => (ctx.reason === 'expired' ? 'a' : 'b'));

// @ts-expect-error a number is not an element
mountVlens(42, '/api/vlens-token');
// @ts-expect-error null is not an element
mountVlens(null, '/api/vlens-token');
// @ts-expect-error the provider is required
mountVlens(el);
// @ts-expect-error a provider must return a string (or a Promise of one)
mountVlens(el, () => 42);
// @ts-expect-error a provider must resolve to a string
mountVlens(el, async () => ({ token: 'x' }));
// @ts-expect-error the object provider needs a url
mountVlens(el, { method: 'POST' });
// @ts-expect-error credentials is a RequestCredentials value
mountVlens(el, { url: '/t', credentials: 'always' });
mountVlens(el, (ctx) => {
  // @ts-expect-error not a token reason
  const bad: typeof ctx.reason = 'manual';
  return String(bad);
});
mountVlens(el, (ctx) => {
  // @ts-expect-error comparing with an impossible reason
  if (ctx.reason === 'manual') return 'x';
  return 'y';
});

// --- options ------------------------------------------------------------------------------
const controller = new AbortController();
const options: VlensOptions = {
  baseUrl: 'https://app.vlenseg.com',
  height: 700,
  width: '100%',
  minHeight: 400,
  maxHeight: 1200,
  autoResize: true,
  allow: ['fullscreen', 'clipboard-write'],
  title: 'Verify your identity',
  tokenTimeoutMs: 15000,
  retries: 2,
  loadTimeoutMs: 30000,
  signal: controller.signal,
  onReady: (d) => void d,
  onStep: ({ step }) => step.toUpperCase(),
  onResize: ({ height }) => height.toFixed(0),
  onComplete: ({ data }) => console.log(data),
  onCancel: ({ data }) => console.log(data),
  onError: (d) => {
    const code: VlensErrorCode = d.code;
    const recoverable: boolean = d.recoverable;
    const msg: string = d.message;
    if (d.source === 'app') {
      assertType<Equal<typeof d.code, 'APP_ERROR'>>();
      const appCode: string | undefined = d.appCode;
      void appCode;
    } else {
      // @ts-expect-error a widget error is never APP_ERROR
      if (d.code === 'APP_ERROR') return;
    }
    void code, recoverable, msg;
  },
  onStateChange: ({ state }) => {
    const s: 'token' | 'loading' | 'ready' | 'completed' | 'cancelled' | 'error' | 'destroyed' = state;
    // @ts-expect-error not a state
    if (state === 'idle') return;
    void s;
  },
  onEvent: (type, detail) => {
    if (type === 'vlens:state') detail.state.toUpperCase();
    if (type === 'vlens:complete') console.log(detail.data);
    if (type === 'vlens:step') detail.step.trim();
    if (type === 'vlens:resize') detail.height.toFixed();
    if (type === 'vlens:token') {
      const r: 'initial' | 'expired' | 'refresh' | 'retry' = detail.reason;
      void r;
    }
    if (type === 'vlens:message') console.log(detail.type, detail.data);
    if (type === 'vlens:error') console.log(detail.code, detail.source);
    if (type === 'vlens:ready') {
      // @ts-expect-error vlens:ready has an empty detail
      console.log(detail.step);
    }
    // @ts-expect-error not an event type
    if (type === 'vlens:done') return;
  },
};
mountVlens(el, '/t', options);
mountVlens(el, '/t', { allow: 'fullscreen; clipboard-write', height: '80vh', width: 480 });
const readonlyAllow = ['fullscreen'] as const;
mountVlens(el, '/t', { allow: readonlyAllow });

// @ts-expect-error unknown option
mountVlens(el, '/t', { heigth: 700 });
// @ts-expect-error the ApiKey never goes to the browser
mountVlens(el, '/t', { apiKey: 'secret' });
// @ts-expect-error the ApiKey never goes to the browser
mountVlens(el, '/t', { ApiKey: 'secret' });
// @ts-expect-error height is a number or a CSS length string
mountVlens(el, '/t', { height: true });
// @ts-expect-error minHeight is a number of pixels
mountVlens(el, '/t', { minHeight: '10px' });
// @ts-expect-error allow takes strings
mountVlens(el, '/t', { allow: [1, 2] });
// @ts-expect-error signal is an AbortSignal
mountVlens(el, '/t', { signal: controller });
// @ts-expect-error onComplete receives {data}, not a step detail
mountVlens(el, '/t', { onComplete: (d: { step: string }) => d.step });
// @ts-expect-error onStep's detail has no data
mountVlens(el, '/t', { onStep: (d) => d.data });
// @ts-expect-error onResize's height is a number
mountVlens(el, '/t', { onResize: (d: { height: string }) => d.height });
// @ts-expect-error onEvent's detail does not correlate with a wrong type
mountVlens(el, '/t', { onEvent: (type: 'vlens:complete', detail: { step: string }) => [type, detail] });
mountVlens(el, '/t', {
  onEvent: (type, detail) => {
    if (type === 'vlens:complete') {
      // @ts-expect-error vlens:complete has no step
      detail.step;
    }
  },
});

// --- session and result -----------------------------------------------------------------
const state: VlensState = s1.state;
const frame: HTMLIFrameElement | null = s1.iframe;
s1.refresh();
s1.destroy();
s1.update({ locale: 'ar', messages: { retry: 'Again' }, height: '80vh', width: undefined, maxHeight: 900, debug: true });
// @ts-expect-error mode needs a new session: update() does not take it
s1.update({ mode: 'modal' });
// @ts-expect-error a height is a number or a CSS length
s1.update({ height: true });
// @ts-expect-error state is read-only
s1.state = 'ready';
// @ts-expect-error iframe is read-only
s1.iframe = null;
// @ts-expect-error not a state
const badState: VlensState = 'done';
void state, frame, badState;

async function results(): Promise<string> {
  const r: VlensResult = await s1.result;
  switch (r.status) {
    case 'completed':
      return JSON.stringify(r.data);
    case 'cancelled':
      return String(r.data);
    case 'destroyed':
      // @ts-expect-error a destroyed result has no data
      return String(r.data);
    case 'error': {
      const code: 'WASM_BLOCKED' | 'INVALID_ARGUMENT' = r.error.code;
      // @ts-expect-error an error result has no data
      return String(r.data) + code + r.error.message;
    }
    default: {
      const never: never = r;
      return never;
    }
  }
}
void results;

// --- preload ---------------------------------------------------------------------------------
const loaded: Promise<void> = preload();
void loaded;

// --- VlensError -------------------------------------------------------------------------------
try {
  mountVlens('#missing', '/t');
} catch (e) {
  if (e instanceof VlensError) {
    const code: 'INVALID_ARGUMENT' = e.code;
    // @ts-expect-error the environment (WASM_BLOCKED) is reported, never thrown
    const env: 'WASM_BLOCKED' = e.code;
    void env;
    // @ts-expect-error the code is one of the documented ones
    const wrong: 'OTHER' = e.code;
    void wrong;
    const isError: Error = e;
    void code, isError;
    // @ts-expect-error code is read-only
    e.code = 'INVALID_ARGUMENT';
  }
}

// --- DOM events -----------------------------------------------------------------------------
el.addEventListener('vlens:complete', (e) => console.log(e.detail.data));
el.addEventListener('vlens:token', (e) => {
  assertType<Equal<typeof e, CustomEvent<{ readonly reason: 'initial' | 'expired' | 'refresh' | 'retry' }>>>();
  // @ts-expect-error the token itself is never in an event
  console.log(e.detail.token);
});
el.addEventListener('vlens:error', (e) => {
  const d: VlensErrorDetail = e.detail;
  console.log(d.code, d.message, d.recoverable, d.source, d.appCode);
  // @ts-expect-error no such field
  console.log(e.detail.nope);
});
el.addEventListener('vlens:message', (e) => console.log(e.detail.type, e.detail.data));
el.addEventListener('vlens:step', (e) => e.detail.step.length);
el.addEventListener('vlens:resize', (e) => e.detail.height + 1);
el.addEventListener('vlens:load', (e) => {
  // @ts-expect-error vlens:load has an empty detail
  console.log(e.detail.nope);
});
anyElement.addEventListener('vlens:cancel', (e) => console.log(e.detail.data));
document.addEventListener('vlens:destroy', (e) => console.log(e.detail));
document.querySelector<HTMLElement>('#kyc')?.addEventListener('vlens:ready', (e) => e.detail);
el.removeEventListener('vlens:complete', (e) => e.detail.data);

// Every event type is in the map, and the map has exactly the eleven documented events.
assertType<
  Equal<
    VlensEventType,
    | 'vlens:state'
    | 'vlens:token'
    | 'vlens:load'
    | 'vlens:ready'
    | 'vlens:step'
    | 'vlens:resize'
    | 'vlens:complete'
    | 'vlens:cancel'
    | 'vlens:error'
    | 'vlens:message'
    | 'vlens:destroy'
  >
>();
assertType<Equal<keyof VlensEventMap, VlensEventType>>();
assertType<
  Equal<
    VlensErrorCode,
    | 'WASM_BLOCKED'
    | 'INVALID_ARGUMENT'
    | 'TOKEN_PROVIDER_FAILED'
    | 'TOKEN_INVALID'
    | 'TOKEN_TIMEOUT'
    | 'TOKEN_REFRESH_FAILED'
    | 'LOAD_TIMEOUT'
    | 'APP_ERROR'
    | 'CAMERA_BLOCKED'
    | 'INVALID_ARGUMENT'
  >
>();
// @ts-expect-error a wrong union is caught by the equality helper
assertType<Equal<VlensState, 'token' | 'ready'>>();

const provider: TokenProvider = '/api/vlens-token';
void provider;

// The built-in screens and the modal.
mountVlens(null, '/api/vlens-token', { mode: 'modal', locale: 'ar', ui: false, messages: { retry: 'أعد المحاولة', dialogLabel: 'KYC' } });
mountVlens(el, '/api/vlens-token', { mode: 'inline', locale: 'ar-EG', messages: { loading: 'One moment…' } });
// @ts-expect-error only a modal may do without an element
mountVlens(null, '/api/vlens-token', { mode: 'inline' });
// @ts-expect-error only English and Arabic are built in
mountVlens(el, '/api/vlens-token', { locale: 'fr' });
// @ts-expect-error messages has fixed keys
mountVlens(el, '/api/vlens-token', { messages: { retyr: 'x' } });
// @ts-expect-error mode is inline or modal
mountVlens(el, '/api/vlens-token', { mode: 'popup' });

// readyOn, parseMessage (its return type) and debug; a raw vlens:message has `type: null`.
mountVlens(el, '/api/vlens-token', {
  readyOn: 'message',
  debug: true,
  parseMessage: (m) => {
    const e = m as { event?: string; payload?: unknown } | null;
    return e && e.event === 'done' ? { type: 'completed', data: e.payload } : null;
  },
  onEvent: (type, detail) => {
    if (type === 'vlens:message') {
      const t: string | null = detail.type;
      void t;
    }
  },
});
mountVlens(el, '/api/vlens-token', { parseMessage: () => undefined, readyOn: 'load' });
// @ts-expect-error readyOn is 'load' or 'message'
mountVlens(el, '/api/vlens-token', { readyOn: 'ready' });
// @ts-expect-error parseMessage returns { type, data? } | null | undefined
mountVlens(el, '/api/vlens-token', { parseMessage: () => 'completed' });
// @ts-expect-error debug is a boolean
mountVlens(el, '/api/vlens-token', { debug: 'yes' });
