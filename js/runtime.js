// The browser calls the wasm executor makes through JavaScript, because a closure
// per call would outlive its session: `bind` turns the page's one dispatcher into a
// listener/timer/promise callback tagged with its session; `settle` hands a provider's
// value or promise to two such callbacks; `fetchAnswer` reads a token endpoint's whole
// answer in one promise.
export const bind = (dispatch, session, kind, arg) => (value) => dispatch(session, kind, arg, value);

export const settle = (value, ok, err) => {
  Promise.resolve(value).then(ok, err);
};

export const fetchAnswer = (url, init) =>
  fetch(url, init).then((r) => r.text().then((text) => [r.status, r.headers.get('content-type') || '', text]));
