// vlens-widget/testing: lets a host app's own tests make the widget's app "say" something,
// with no app loaded and no knowledge of the wire format. Importing it touches no DOM (it is
// safe in Node and server-side rendering); it never imports the core, so it adds nothing to
// an app's bundle beyond itself.
import { APP_TYPES, appMessage } from './protocol.js';

const fail = (what) => new Error(`vlens-widget/testing: simulate(): ${what}`);

const NOT_YET =
  'await the iframe first: it is created once the token provider has answered, so stub your token endpoint in a test ' +
  '(e.g. Testing Library\'s `await waitFor(() => simulate(target, \'ready\'))`, or wait until `session.iframe` is set)';

/** The widget's iframe for a session, a container or a `<vlens-verification>`. */
function widgetFrame(target) {
  if (target === null || typeof target !== 'object') {
    throw fail(`target must be a VlensSession (what mountVlens returns), the element you mounted it in, or a <vlens-verification>; got ${target === null ? 'null' : typeof target}`);
  }
  // A session, or the custom element's session.
  const session = typeof target.destroy === 'function' && 'iframe' in target ? target : target.session;
  if (session && typeof session === 'object' && 'iframe' in session) {
    if (session.iframe) return session.iframe;
    const { state } = session;
    if (state === 'error') {
      throw fail("the session stopped on an error before it had an iframe (state 'error'; its vlens:error says why, in a test often an unstubbed token endpoint): stub the endpoint or pass a function provider, then call session.refresh()");
    }
    if (state === 'destroyed' || state === 'completed' || state === 'cancelled') {
      throw fail(`the session has ended (state '${state}') and has no iframe: mount a new one`);
    }
    throw fail(`the session has no iframe yet (state '${state}'): ${NOT_YET}`);
  }
  if (typeof target.querySelectorAll !== 'function') {
    throw fail('target must be a VlensSession (what mountVlens returns), the element you mounted it in, or a <vlens-verification>');
  }
  if (String(target.localName).toLowerCase() === 'vlens-verification') {
    throw fail(`this <vlens-verification> has no session: it mounts once it is in the document with a token provider (token-url or tokenProvider); then ${NOT_YET}`);
  }
  const frames = target.querySelectorAll('iframe');
  if (frames.length === 1) return frames[0];
  if (frames.length > 1) {
    throw fail(`this element holds ${frames.length} iframes: pass the session, or the element the widget was mounted in`);
  }
  throw fail(`no widget iframe in this element yet (a modal's is in its dialog: pass the session or document.body): ${NOT_YET}`);
}

/**
 * happy-dom loads no iframe page unless `enableIframePageLoading` is set, and then an iframe
 * has no window at all (`contentWindow` is null), so the widget could accept nothing from it.
 * The iframe gets a window of its own for the rest of its life: the one thing the widget does
 * with it is `postMessage` (the new token after `token-expired`), which goes nowhere, as it
 * would to an app that is not loaded. jsdom and browsers have a real window for every iframe.
 */
function standIn(frame) {
  const win = { postMessage() {} };
  Object.defineProperty(frame, 'contentWindow', { configurable: true, get: () => win });
  return win;
}

function checkData(type, data) {
  if (type === 'step' && !(data && typeof data.step === 'string' && data.step !== '')) {
    throw fail("'step' needs its name: simulate(target, 'step', { step: 'kyc' })");
  }
  if (type === 'resize' && !(data && typeof data.height === 'number' && Number.isFinite(data.height) && data.height > 0)) {
    throw fail("'resize' needs a height in CSS pixels above 0: simulate(target, 'resize', { height: 900 })");
  }
}

/**
 * Makes the widget's app say `type` (with `data`): dispatches, on the widget's window, the
 * `message` event the app's `postMessage` would cause, from the iframe's own window and its
 * exact origin, so the widget accepts it as the app's. Synchronous: the widget's callbacks and
 * events have run when it returns. Throws when the target has no widget iframe yet.
 * @param {object} target a VlensSession, the element it was mounted in, or a <vlens-verification>
 * @param {string} type ready | step | resize | completed | cancelled | error | token-expired
 * @param {unknown} [data]
 */
export function simulate(target, type, data) {
  if (!APP_TYPES.includes(type)) {
    throw fail(`unknown type ${JSON.stringify(type)}: the app says one of ${APP_TYPES.join(', ')} (it says 'completed', the widget then fires vlens:complete)`);
  }
  checkData(type, data);
  const frame = widgetFrame(target);
  const doc = frame.ownerDocument;
  const win = doc && doc.defaultView;
  if (!frame.isConnected || !win) throw fail('the widget iframe is no longer in a document: the session was destroyed');
  const source = frame.contentWindow || standIn(frame);
  const origin = new URL(frame.getAttribute('src') || '', doc.baseURI).origin;
  win.dispatchEvent(new win.MessageEvent('message', { data: appMessage(type, data), origin, source }));
}
