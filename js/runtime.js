// What the wasm executor does through JavaScript: one small function per job instead of a
// wasm-bindgen import per DOM call, which keeps the shipped module smaller.
// `bind` tags the page's one dispatcher with a session (a closure per callback would
// outlive its session); `settle` hands a provider's value or promise to two such callbacks;
// `fetchAnswer` reads a token endpoint's whole answer (and its Retry-After) in one promise.
export const bind = (dispatch, session, kind, arg) => (value) => dispatch(session, kind, arg, value);

// Messages from any other origin are dropped here, before they cost a call into wasm, which
// then checks sender window, exact origin and shape in full.
export const fromOrigin = (origin, listener) => (ev) => {
  if (ev.origin === origin) listener(ev);
};

export const settle = (value, ok, err) => {
  Promise.resolve(value).then(ok, err);
};

export const fetchAnswer = (url, init) =>
  fetch(url, init).then((r) =>
    r.text().then((text) => [r.status, r.headers.get('content-type') || '', text, r.headers.get('retry-after')]),
  );

// Parsed with the browser's URL parser: [href, protocol, hostname, origin, pathname, search,
// hash, hasCredentials], or null when `url` is not a URL.
export const parseUrl = (url, base) => {
  try {
    const u = new URL(url, base);
    return [u.href, u.protocol, u.hostname, u.origin, u.pathname, u.search, u.hash, !!(u.username || u.password)];
  } catch {
    return null;
  }
};

// The console first (errors as `CODE: message`, so they read well with no handler), then
// callbacks (a throwing one is reported, not fatal), then the DOM event.
export const emit = (target, name, detail, own, any, level) => {
  if (level) log(level, detail.code ? detail.code + ': ' + detail.message : name, detail);
  for (const [f, args] of [[own, [detail]], [any, [name, detail]]]) {
    try {
      if (f) f(...args);
    } catch (e) {
      console.error('vlens-widget: a callback threw', e);
    }
  }
  target.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail }));
};

export const log = (level, text, value) => {
  console[level]('vlens-widget: ' + text, ...(value === undefined ? [] : [value]));
};

export const now = () => performance.now();

// The page-wide registry of sessions by element, shared by every copy of the package on the
// page (a script tag and a bundle, say): taking an element releases (destroys) the session
// that held it, whichever copy made that one.
const sessions = (globalThis[Symbol.for('vlens-widget.sessions')] ||= new WeakMap());

// `take`: the element is this session's now (the one that held it is released); otherwise
// it is given up, if it is still this session's.
export const claim = (el, release, take) => {
  const before = sessions.get(el);
  if (take) sessions.set(el, release);
  else if (before === release) sessions.delete(el);
  if (take && before) before();
};

const css = (v) => (typeof v === 'number' ? v + 'px' : v);

// The iframe, sized through the CSSOM (never a style attribute, so a strict CSP needs no
// 'unsafe-inline'); its load listener goes with the element when it is removed.
export const frame = (container, allow, title, width, height, src, onload) => {
  const f = container.ownerDocument.createElement('iframe');
  f.setAttribute('allow', allow);
  f.title = title;
  Object.assign(f.style, { display: 'block', border: '0', width: css(width), height: css(height) });
  f.addEventListener('load', onload);
  f.src = src;
  container.appendChild(f);
  return f;
};

export const setHeight = (f, px) => {
  f.style.height = css(px);
};
