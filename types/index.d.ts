/**
 * vlens-widget: embed the Vlens identity verification and e-contracting flow
 * (registration, KYC with ID capture and liveness, contract signing) in a page.
 *
 * ```ts
 * import { mountVlens } from 'vlens-widget';
 *
 * const session = mountVlens('#kyc', '/api/vlens-token', {
 *   onComplete: ({ data }) => console.log('done', data),
 * });
 * const result = await session.result; // { status: 'completed' | 'cancelled' | 'destroyed', ... }
 * ```
 *
 * The Vlens `ApiKey` (and any admin token) stays on your server: the browser only
 * ever sees a session token, fetched through the `tokenProvider`.
 *
 * @packageDocumentation
 */

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * Code of a {@link VlensError} thrown synchronously by {@link mountVlens}: only programmer
 * errors throw (`INVALID_ARGUMENT`), never the environment (see `WASM_BLOCKED` in
 * {@link VlensErrorCode}).
 */
export type VlensErrorThrowCode = 'INVALID_ARGUMENT';

/**
 * Thrown synchronously by {@link mountVlens} for programmer errors, once the widget's module
 * is ready (see {@link preload}): a bad element, a bad token provider, a non-https `baseUrl`,
 * an option named `apiKey`/`ApiKey`, a provider URL on the Vlens API host; and, ready or not,
 * a call where there is no `document` (server-side rendering: mount from an effect such as
 * `useEffect` or `onMounted`). The message says what to fix.
 */
export declare class VlensError extends Error {
  constructor(code: VlensErrorThrowCode, message: string);
  /** Always `'VlensError'`. */
  name: 'VlensError';
  /** Machine-readable code. */
  readonly code: VlensErrorThrowCode;
}

/**
 * Code of a `vlens:error` event.
 *
 * - `TOKEN_PROVIDER_FAILED`: the provider failed (initial mount or `refresh()`), after retries.
 * - `TOKEN_INVALID`: the provider answered something that is not a token (empty, not a
 *   string, over 4096 characters, control characters, unexpected response body). Not recoverable.
 * - `TOKEN_TIMEOUT`: the last attempt exceeded `tokenTimeoutMs`.
 * - `TOKEN_REFRESH_FAILED`: the provider failed when the app reported `token-expired`.
 * - `LOAD_TIMEOUT`: the app did not report `ready` within `loadTimeoutMs` after the iframe got its `src`
 *   (the message says whether the iframe loaded at all: an error page or a refused frame still loads).
 * - `APP_ERROR`: the Vlens app reported an error (`source: 'app'`, see `appCode`).
 * - `CAMERA_BLOCKED`: the host page's own permissions policy forbids camera or microphone,
 *   so the iframe cannot get them and liveness cannot work. Stops the flow (`state` `'error'`,
 *   the iframe is removed); not recoverable.
 * - `WASM_BLOCKED`: the page cannot compile the widget's WebAssembly, almost always a
 *   Content-Security-Policy without `'wasm-unsafe-eval'` in `script-src` (or no WebAssembly at
 *   all). The session never starts: `state` `'error'`, the error screen, and `result` settles
 *   with {@link VlensErrorResult}. Not recoverable.
 * - `INVALID_ARGUMENT`: a call of {@link mountVlens} made before the module was ready had bad
 *   arguments (once it is ready, the same call throws {@link VlensError} instead). As for
 *   `WASM_BLOCKED`, without a screen. Also from the React and Vue components and
 *   `<vlens-verification>`, which never throw into the page: what `mountVlens` or `update()`
 *   threw for a bad prop, attribute or property (also logged with `console.error`). Not
 *   recoverable: fix the value.
 */
export type VlensErrorCode =
  | 'WASM_BLOCKED'
  | 'INVALID_ARGUMENT'
  | 'TOKEN_PROVIDER_FAILED'
  | 'TOKEN_INVALID'
  | 'TOKEN_TIMEOUT'
  | 'TOKEN_REFRESH_FAILED'
  | 'LOAD_TIMEOUT'
  | 'APP_ERROR'
  | 'CAMERA_BLOCKED';

// ---------------------------------------------------------------------------
// Token provider
// ---------------------------------------------------------------------------

/**
 * Why the token provider is called:
 * `'initial'` (first call of a mount), `'refresh'` ({@link VlensSession.refresh}),
 * `'expired'` (the app reported `token-expired`), `'retry'` (an attempt after a failure).
 */
export type VlensTokenReason = 'initial' | 'expired' | 'refresh' | 'retry';

/** Argument of a function {@link TokenProvider}. */
export interface TokenProviderContext {
  /** Why the token is requested. */
  readonly reason: VlensTokenReason;
  /**
   * Aborted when the attempt times out (`tokenTimeoutMs`) or the session is destroyed:
   * pass it to `fetch`.
   */
  readonly signal: AbortSignal;
}

/**
 * A function that returns a fresh Vlens session token, typically by calling your own
 * backend (which calls Vlens `CreateAuthSession` / `CreateInvitation` with the ApiKey).
 * A rejection counts as a failure and is retried.
 */
export type TokenProviderFunction = (ctx: TokenProviderContext) => string | Promise<string>;

/**
 * A request to your own backend endpoint that returns a token. The 2xx response body is
 * `{"token": "..."}`, `{"data": "..."}` (the Vlens response passed through) or a
 * `text/plain` token.
 */
export interface TokenProviderRequest {
  /** Your backend endpoint (never the Vlens API host: the ApiKey stays on the server). */
  url: string;
  /** HTTP method. Default `'POST'`. */
  method?: string;
  /** Extra request headers (an object, `[name, value]` pairs or a `Headers`), merged over the defaults (`Accept: application/json`). */
  headers?: HeadersInit;
  /**
   * Request body. A string is sent as is; any other value is sent as JSON with
   * `Content-Type: application/json`.
   */
  body?: unknown;
  /** Fetch credentials mode. Default `'same-origin'`. */
  credentials?: RequestCredentials;
}

/**
 * Where the widget gets session tokens:
 * - a URL string of your backend endpoint (`POST`, `credentials: 'same-origin'`,
 *   `Accept: application/json`);
 * - a {@link TokenProviderRequest} object, the same with control over the request;
 * - a {@link TokenProviderFunction}.
 *
 * Failures are retried (`retries`) for network errors, timeouts, HTTP 5xx, 408 and 429.
 */
export type TokenProvider = string | TokenProviderRequest | TokenProviderFunction;

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/** Detail of events that carry no data (`vlens:load`, `vlens:ready`, `vlens:destroy`). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface VlensEmptyDetail {}

/** Detail of `vlens:token`: a token is being requested. Never contains the token. */
export interface VlensTokenDetail {
  readonly reason: VlensTokenReason;
}

/** Detail of `vlens:step`: the app moved to another step. */
export interface VlensStepDetail {
  /** The app's step name. */
  readonly step: string;
}

/** Detail of `vlens:resize`. */
export interface VlensResizeDetail {
  /**
   * Height in CSS pixels: the height applied after clamping to `minHeight`/`maxHeight`,
   * or the app's requested height when `autoResize` is `false`.
   */
  readonly height: number;
}

/** Detail of `vlens:complete`: the user finished the flow. */
export interface VlensCompleteDetail {
  /** The result the app sent. */
  readonly data: unknown;
}

/** Detail of `vlens:cancel`: the user left the flow. */
export interface VlensCancelDetail {
  /**
   * What the app sent with the cancellation; `{ reason: 'closed' }` when the user closed
   * the modal ({@link VlensOptions.mode}).
   */
  readonly data: unknown;
}

/** Detail of a `vlens:error` raised by the widget itself. */
export interface VlensWidgetErrorDetail {
  readonly code: Exclude<VlensErrorCode, 'APP_ERROR'>;
  /** Human-readable explanation. */
  readonly message: string;
  /** `true` when {@link VlensSession.refresh} may help. */
  readonly recoverable: boolean;
  readonly source: 'widget';
  readonly appCode?: undefined;
}

/** Detail of a `vlens:error` reported by the Vlens app. */
export interface VlensAppErrorDetail {
  readonly code: 'APP_ERROR';
  /** The app's message. */
  readonly message: string;
  /** The app's own `recoverable` flag, `false` when it sends none. */
  readonly recoverable: boolean;
  readonly source: 'app';
  /** The app's own error code, when it sends one. */
  readonly appCode?: string;
}

/**
 * Detail of `vlens:error` (discriminated by `source`, or by `code === 'APP_ERROR'`).
 * Errors of a running session do not settle {@link VlensSession.result} (`refresh()` may
 * recover from them); the two of a session that never started (`WASM_BLOCKED`,
 * `INVALID_ARGUMENT`) settle it with {@link VlensErrorResult}.
 */
export type VlensErrorDetail = VlensWidgetErrorDetail | VlensAppErrorDetail;

/**
 * Detail of `vlens:message`: a message from the widget's own iframe and the exact Vlens
 * origin that no typed event covers. `type` is the v1 (or `parseMessage`-mapped) type of a
 * message of a type the widget does not know, with its `data` (`{}` when absent); `type`
 * is `null` for a message that is not v1 at all (nor mapped), with `data` exactly as the
 * app posted it (a string stays the string).
 */
export type VlensMessageDetail =
  | { readonly type: string; readonly data: unknown }
  | { readonly type: null; readonly data: unknown };

/**
 * What {@link VlensOptions.parseMessage} returns for a message: a v1 `type` (`'ready'`,
 * `'step'` with `data.step`, `'resize'` with `data.height`, `'completed'`, `'cancelled'`,
 * `'error'`, `'token-expired'`, or any other type for `vlens:message`) and its `data`; or
 * `null`/`undefined` to pass the message on raw (`vlens:message` with `type: null`).
 */
export type VlensParsedMessage = { type: string; data?: unknown } | null | undefined;

/** Detail of `vlens:state`: the session's new {@link VlensSession.state}. */
export interface VlensStateDetail {
  readonly state: VlensState;
}

/** The `detail` of each event, by event type. */
export interface VlensEventDetailMap {
  /**
   * The session's state changed. Fires right after the event that caused the change
   * (`'token'` first, after `mountVlens` returns; `'destroyed'` just before `vlens:destroy`).
   */
  'vlens:state': VlensStateDetail;
  /** The token provider is called (every call, including retries). */
  'vlens:token': VlensTokenDetail;
  /** The iframe fired `load`. */
  'vlens:load': VlensEmptyDetail;
  /** The app said it is ready (`state` becomes `'ready'`). */
  'vlens:ready': VlensEmptyDetail;
  /** The app moved to another step. */
  'vlens:step': VlensStepDetail;
  /** The app asked for a new height. */
  'vlens:resize': VlensResizeDetail;
  /** The flow completed (`state` becomes `'completed'`, `result` resolves). */
  'vlens:complete': VlensCompleteDetail;
  /** The flow was cancelled (`state` becomes `'cancelled'`, `result` resolves). */
  'vlens:cancel': VlensCancelDetail;
  /** A widget or app error. */
  'vlens:error': VlensErrorDetail;
  /** Any other well-formed message from the app. */
  'vlens:message': VlensMessageDetail;
  /** The session was destroyed; always the last event of a session. */
  'vlens:destroy': VlensEmptyDetail;
}

/** Type of an event the widget dispatches. */
export type VlensEventType = keyof VlensEventDetailMap;

/**
 * The DOM events dispatched on the container element (`CustomEvent`, `bubbles: true`,
 * `composed: true`). Also merged into `HTMLElementEventMap`, so
 * `el.addEventListener('vlens:complete', (e) => e.detail.data)` is typed.
 */
export interface VlensEventMap {
  'vlens:state': CustomEvent<VlensStateDetail>;
  'vlens:token': CustomEvent<VlensTokenDetail>;
  'vlens:load': CustomEvent<VlensEmptyDetail>;
  'vlens:ready': CustomEvent<VlensEmptyDetail>;
  'vlens:step': CustomEvent<VlensStepDetail>;
  'vlens:resize': CustomEvent<VlensResizeDetail>;
  'vlens:complete': CustomEvent<VlensCompleteDetail>;
  'vlens:cancel': CustomEvent<VlensCancelDetail>;
  'vlens:error': CustomEvent<VlensErrorDetail>;
  'vlens:message': CustomEvent<VlensMessageDetail>;
  'vlens:destroy': CustomEvent<VlensEmptyDetail>;
}

/**
 * Arguments of {@link VlensOptions.onEvent}: a union of `[type, detail]` pairs, so
 * checking `type` narrows `detail`.
 */
export type VlensEventArgs = {
  [K in VlensEventType]: [type: K, detail: VlensEventDetailMap[K]];
}[VlensEventType];

// ---------------------------------------------------------------------------
// Options, session, result
// ---------------------------------------------------------------------------

/** Options of {@link mountVlens}; all optional. */
export interface VlensOptions {
  /**
   * Origin (optionally with a path) of the Vlens app. Default `'https://app.vlenseg.com'`.
   * Must be `https:` except for `localhost`, `127.0.0.1` and `[::1]`; no credentials,
   * query or fragment; a trailing `/` is removed. Messages are accepted from its origin only.
   */
  baseUrl?: string;
  /** Iframe height: a number of pixels or a CSS length. Default `700`. */
  height?: number | string;
  /** Iframe width: a number of pixels or a CSS length. Default `'100%'`. */
  width?: number | string;
  /** Lower bound, in pixels, for heights requested by the app. */
  minHeight?: number;
  /** Upper bound, in pixels, for heights requested by the app. */
  maxHeight?: number;
  /** Follow the app's `resize` messages. Default `true`. */
  autoResize?: boolean;
  /**
   * Extra permission-policy features for the iframe, as `"fullscreen; clipboard-write"`
   * or `['fullscreen', 'clipboard-write']`. `camera` and `microphone` are always present.
   */
  allow?: string | readonly string[];
  /** Iframe title, for accessibility. Default `'Vlens identity verification'`. */
  title?: string;
  /** Timeout of each token request attempt, in ms. Default `15000`. */
  tokenTimeoutMs?: number;
  /**
   * Retries after a failed token request (network error, timeout, HTTP 5xx, 408, 429,
   * rejected function provider), with exponential backoff and jitter. Default `2`.
   */
  retries?: number;
  /** Time allowed for the app to report `ready` after the iframe gets its `src`, in ms. Default `30000`. */
  loadTimeoutMs?: number;
  /** Aborting this signal destroys the session (like {@link VlensSession.destroy}). */
  signal?: AbortSignal;
  /**
   * Language of the built-in loading and error screens and of the modal's labels.
   * `'ar'` renders right to left. Default: `'ar'` when the page's `<html lang>` is Arabic,
   * else `'en'`. Region tags (`'ar-EG'`) are accepted.
   */
  locale?: 'en' | 'ar' | `en-${string}` | `ar-${string}`;
  /** Replaces any built-in text; see {@link VlensMessages}. */
  messages?: VlensMessages;
  /**
   * Draw the built-in loading and error screens. Default `true`. With `false` nothing of
   * ours is drawn around the iframe: follow {@link VlensOptions.onStateChange} instead.
   */
  ui?: boolean;
  /**
   * `'inline'` (default): the flow is shown in `element`. `'modal'`: in a dialog over the
   * page (full screen below 640 px), with a close button; `element` may be `null`, and
   * events then go to `document.body`. The user closing it cancels the session with
   * `{ reason: 'closed' }`; completion or cancellation in the app closes it too. Either
   * way the session is destroyed when the dialog closes.
   */
  mode?: 'inline' | 'modal';
  /**
   * When the app counts as ready (shown, `state: 'ready'`, `vlens:ready`). `'load'`
   * (default): at the iframe's first `load` event or the app's v1 `ready` message,
   * whichever comes first, so an app that posts nothing is usable at once. `'message'`:
   * only at the v1 `ready` message (the loading screen stays until then, and
   * `LOAD_TIMEOUT` catches a dead app); choose it when the app is known to speak v1.
   */
  readyOn?: 'load' | 'message';
  /**
   * Maps the app's own messages onto the widget's events, replacing the v1 parser. Called
   * only for messages from the widget's iframe and the exact Vlens origin, with the message
   * as posted. A throw is logged and the message passes on raw.
   */
  parseMessage?: (data: unknown) => VlensParsedMessage;
  /**
   * Also log, with `console.debug`, every message from the app (after the sender and origin
   * checks), every state change and every event. Errors are logged whatever this says.
   */
  debug?: boolean;

  /** Called on `vlens:ready`. Callbacks run before the DOM event is dispatched. */
  onReady?: (detail: VlensEmptyDetail) => void;
  /** Called on `vlens:step`. */
  onStep?: (detail: VlensStepDetail) => void;
  /** Called on `vlens:resize`. */
  onResize?: (detail: VlensResizeDetail) => void;
  /** Called on `vlens:complete`. */
  onComplete?: (detail: VlensCompleteDetail) => void;
  /** Called on `vlens:cancel`. */
  onCancel?: (detail: VlensCancelDetail) => void;
  /** Called on `vlens:error`. */
  onError?: (detail: VlensErrorDetail) => void;
  /** Called on `vlens:state`: every change of {@link VlensSession.state}. */
  onStateChange?: (detail: VlensStateDetail) => void;
  /**
   * Called for every event with its full type (`'vlens:complete'`) and detail.
   * Checking `type` narrows `detail`.
   */
  onEvent?: (...args: VlensEventArgs) => void;

  /**
   * Never pass your Vlens ApiKey to the browser: it stays on your server, which creates
   * session tokens. `mountVlens` throws if an option of this name is present.
   */
  apiKey?: never;
  /** See {@link VlensOptions.apiKey}. */
  ApiKey?: never;
}

/**
 * The options {@link VlensSession.update} takes: what can change on a mounted session without
 * a new iframe. An option given as `undefined` goes back to its default.
 */
export type VlensLiveOptions = {
  [K in
    | 'height' | 'width' | 'minHeight' | 'maxHeight' | 'autoResize' | 'title' | 'tokenTimeoutMs'
    | 'retries' | 'loadTimeoutMs' | 'locale' | 'messages' | 'debug']?: VlensOptions[K] | undefined;
};

/** Texts of the built-in screens, each replacing the locale's own; each must be a non-empty string. */
export interface VlensMessages {
  /** Loading screen. English: "Preparing secure verification…". */
  loading?: string;
  /** The token could not be had (provider failure, invalid token, timeout). */
  tokenError?: string;
  /** The app did not load or did not report ready (`LOAD_TIMEOUT`). */
  loadError?: string;
  /** The page's permissions policy keeps the camera from the iframe (`CAMERA_BLOCKED`). */
  cameraError?: string;
  /** The button that calls `refresh()` after a recoverable error. English: "Try again". */
  retry?: string;
  /** Accessible name of the modal's close button. English: "Close". */
  close?: string;
  /** Accessible name of the modal dialog. English: "Identity verification". */
  dialogLabel?: string;
}

/**
 * Lifecycle state of a session:
 * `'token'` (requesting a token), `'loading'` (iframe loading), `'ready'` (the app is ready),
 * `'completed'`, `'cancelled'`, `'error'` (a token or load failure stopped the flow;
 * `refresh()` may recover), `'destroyed'`.
 */
export type VlensState =
  | 'token'
  | 'loading'
  | 'ready'
  | 'completed'
  | 'cancelled'
  | 'error'
  | 'destroyed';

/** The flow completed; `data` is what the app sent. */
export interface VlensCompletedResult {
  readonly status: 'completed';
  readonly data: unknown;
}

/** The user cancelled; `data` is what the app sent. */
export interface VlensCancelledResult {
  readonly status: 'cancelled';
  readonly data: unknown;
}

/** The session was destroyed before it completed or was cancelled. */
export interface VlensDestroyedResult {
  readonly status: 'destroyed';
}

/**
 * The session could not start: the page cannot run the widget's WebAssembly
 * (`WASM_BLOCKED`), or a call made before the module was ready had bad arguments
 * (`INVALID_ARGUMENT`). The same `code` and `message` as the `vlens:error` event.
 */
export interface VlensErrorResult {
  readonly status: 'error';
  readonly error: { readonly code: 'WASM_BLOCKED' | 'INVALID_ARGUMENT'; readonly message: string };
}

/** How a session ended, discriminated by `status`. */
export type VlensResult = VlensCompletedResult | VlensCancelledResult | VlensDestroyedResult | VlensErrorResult;

/**
 * A mounted widget, returned by {@link mountVlens} at once, before the widget's module is
 * ready if it is not yet: `state` is then `'token'`, `iframe` `null`, and `refresh()` and
 * `destroy()` take effect in order once it is (`destroy()` sets `state` to `'destroyed'` at
 * once).
 */
export interface VlensSession {
  /** Current lifecycle state. */
  readonly state: VlensState;
  /** The iframe, or `null` before it is inserted and after `destroy()`. */
  readonly iframe: HTMLIFrameElement | null;
  /** Request a new token (reason `'refresh'`) and reload the iframe. */
  refresh(): void;
  /**
   * Changes options on the mounted session, in the same iframe: sizes, `title`, `locale` and
   * `messages` are redrawn at once; the bounds apply at once to the height the app asked
   * for; timeouts, `retries` and `debug` apply from the next token request, iframe or
   * message. Checked as `mountVlens` checks them (`undefined` is the default again); throws
   * {@link VlensError} `INVALID_ARGUMENT` for a bad value or for an option that needs a new
   * session (`baseUrl`, `allow`, `ui`, `mode`, `readyOn`, `signal`, `parseMessage`, the
   * callbacks). Does nothing once the session is destroyed.
   */
  update(options: VlensLiveOptions): void;
  /**
   * Remove the iframe, every listener and timer, and abort a pending token request.
   * Idempotent. Fires `vlens:destroy` once, as the session's last event.
   */
  destroy(): void;
  /**
   * Settles when the session ends: completed, cancelled or destroyed, or when it could not
   * start ({@link VlensErrorResult}). Never rejects; errors of a running session do not
   * settle it, because `refresh()` can recover from them.
   */
  readonly result: Promise<VlensResult>;
}

/**
 * Starts loading the widget's module (inflating and compiling its WebAssembly off the main
 * thread), if nothing has yet; call it early, on hover or route entry, so the first mount has
 * nothing left to wait for. `dist/vlens.js` calls it itself when the page loads it; an ES
 * import does nothing until `preload()` or the first {@link mountVlens}. Resolves once the
 * module is ready, after which {@link mountVlens} throws {@link VlensError} synchronously for
 * bad arguments. Never rejects: where WebAssembly is blocked it resolves too, and sessions then
 * report `WASM_BLOCKED`. Every call returns the same promise.
 */
export declare function preload(): Promise<void>;

/**
 * Mount the Vlens flow in an iframe inside `element`. Synchronous: returns the session at
 * once, then requests a token and loads the iframe; progress is reported through events, none
 * of which fires before this returns. Once the widget's module is ready ({@link preload}) it
 * validates its arguments first, throwing {@link VlensError} on programmer errors; a call made
 * before is checked as soon as the module is ready and a bad one is then reported
 * (`vlens:error` `INVALID_ARGUMENT`, `state` `'error'`, {@link VlensErrorResult}), never thrown.
 * A page that cannot run the module gets a session that reports `WASM_BLOCKED`: nothing about
 * the environment ever throws. Mounting into an element that already holds a session destroys
 * that session first.
 *
 * @param element The container: an `Element` or a CSS selector; may be `null` with
 *   `mode: 'modal'`.
 * @param tokenProvider Where session tokens come from; see {@link TokenProvider}.
 * @param options See {@link VlensOptions}.
 * @throws {VlensError} `INVALID_ARGUMENT` for programmer errors, once the module is ready.
 */
export declare function mountVlens(
  element: Element | string,
  tokenProvider: TokenProvider,
  options?: VlensOptions,
): VlensSession;
/** A modal needs no element: its events then go to `document.body`. */
export declare function mountVlens(
  element: null | undefined,
  tokenProvider: TokenProvider,
  options: VlensOptions & { mode: 'modal' },
): VlensSession;

declare global {
  // Typed `addEventListener('vlens:...')` on elements (the events bubble from the container).
  // eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
  interface ElementEventMap extends VlensEventMap {}
  // eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends VlensEventMap {}
  // The events are `bubbles: true, composed: true`, so they reach the document and the window too.
  // eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
  interface DocumentEventMap extends VlensEventMap {}
  // eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
  interface WindowEventMap extends VlensEventMap {}
}
