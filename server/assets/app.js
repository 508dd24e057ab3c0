// Mock Vlens app: the page the widget's iframe loads from the mock origin.
//
// It speaks one of three dialects to its parent, as the server says in the page's config
// (`protocol`: MOCK_APP_PROTOCOL for /session, the prefix for /v1|silent|foreign/session):
// v1, the wire protocol of docs/protocol.md:
//   app -> host  { source: 'vlens', version: 1, type, data }
//     ready, step {step}, resize {height}, completed {sessionId, contractTypeIds, phoneNumber},
//     cancelled {step}, error {code, message, recoverable}, token-expired {}
//   host -> app  { source: 'vlens-host', version: 1, type: 'token', data: { token } }
// silent: posts nothing and listens to nothing (an app that does not talk to its parent);
// foreign: the same moments in a shape of its own (FOREIGN below), some as JSON strings;
//   it still takes the v1 token message, the only thing the widget ever sends.
// Messages go to the origin that embedded the page (an exact targetOrigin, never a wildcard), and the token
// message is accepted only from that origin and from window.parent.
(function () {
  'use strict';

  var PROTOCOL_VERSION = 1;
  var root = document.getElementById('app');

  function readConfig() {
    try {
      var el = document.getElementById('vlens-config');
      var value = JSON.parse(el ? el.textContent : 'null');
      if (value && typeof value === 'object') return value;
    } catch (e) { /* fall through */ }
    return { error: { code: 'APP_ERROR', message: 'The session page is damaged.' } };
  }

  // --- Talking to the parent -------------------------------------------------

  var parentWindow = window.parent && window.parent !== window ? window.parent : null;

  function embeddingOrigin() {
    try {
      var ancestors = window.location.ancestorOrigins;
      if (ancestors && ancestors.length > 0 && ancestors[0] && ancestors[0] !== 'null') return ancestors[0];
    } catch (e) { /* not supported */ }
    try {
      if (document.referrer) {
        var origin = new URL(document.referrer).origin;
        if (origin && origin !== 'null') return origin;
      }
    } catch (e) { /* no usable referrer */ }
    return null;
  }

  var config = readConfig();
  var dialect = config.protocol === 'silent' || config.protocol === 'foreign' ? config.protocol : 'v1';
  var hostOrigin = parentWindow ? embeddingOrigin() : null;
  var sent = [];
  var debug = { hostOrigin: hostOrigin, dialect: dialect, sent: sent, state: null };
  window.__vlensMock = debug;

  // The foreign dialect: each v1 type's event name, and whether it goes as JSON text.
  // `screen` (each screen shown) has no v1 counterpart: only this dialect posts it.
  var FOREIGN = {
    ready: ['verification.started', true],
    step: ['verification.step', false],
    resize: ['frame.resized', true],
    completed: ['verification.completed', false],
    cancelled: ['verification.cancelled', false],
    error: ['verification.error', false],
    'token-expired': ['session.expired', true],
    screen: ['ui.screen', false],
  };

  // The message for `type` in this page's dialect, or null when it posts none.
  function encode(type, data) {
    if (dialect === 'v1') return type === 'screen' ? null : { source: 'vlens', version: PROTOCOL_VERSION, type: type, data: data || {} };
    if (dialect === 'silent') return null;
    var message = { event: FOREIGN[type][0] };
    if (data && Object.keys(data).length > 0) message.payload = data;
    return FOREIGN[type][1] ? JSON.stringify(message) : message;
  }

  function post(type, data) {
    var message = encode(type, data);
    if (message === null) return;
    sent.push(message);
    if (sent.length > 200) sent.shift();
    if (!parentWindow || !hostOrigin) return;
    try {
      parentWindow.postMessage(message, hostOrigin);
    } catch (e) { /* parent gone */ }
  }

  // --- Height reporting ------------------------------------------------------

  // The body's height, not documentElement.scrollHeight: the latter never drops
  // below the iframe's own height, so the frame could grow but never shrink.
  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height > 0 && height !== lastHeight) {
      lastHeight = height;
      post('resize', { height: height });
    }
  }
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(reportHeight).observe(document.body);
  } else {
    window.addEventListener('resize', reportHeight);
  }

  // --- DOM helpers -----------------------------------------------------------

  // h('div', {class: 'x', 'data-testid': 'y', onclick: fn}, child, 'text', ...)
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === undefined || value === null || value === false) return;
        if (key.slice(0, 2) === 'on' && typeof value === 'function') el.addEventListener(key.slice(2), value);
        else if (key === 'text') el.textContent = value;
        else if (value === true) el.setAttribute(key, '');
        else el.setAttribute(key, String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(el, c); });
    else el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  function brand() {
    return h('div', { class: 'brand' },
      h('span', { class: 'brand__mark', 'aria-hidden': 'true', text: 'V' }),
      h('span', { class: 'brand__name', text: 'Vlens' }),
      h('span', { class: 'badge', title: 'A local stand-in for Vlens', text: 'mock' }));
  }

  window.addEventListener('load', reportHeight);

  // --- Error page (unknown or expired token) ---------------------------------

  if (config.error) {
    post('error', { code: String(config.error.code), message: String(config.error.message), recoverable: true });
    reportHeight();
    return;
  }

  // --- The flow --------------------------------------------------------------

  var permissions = config.permissions || {};
  var minimal = permissions.minimalSignatureFlow === true;
  var kycOnly = permissions.digitalIdentityOnly === true;
  var contractIds = Array.isArray(permissions.allowedContractTypeIds) ? permissions.allowedContractTypeIds : [];
  var prefill = config.prefill && typeof config.prefill === 'object' ? config.prefill : {};

  // Screens in order; several screens can share one protocol step.
  var screens = kycOnly ? ['kyc'] : minimal ? ['registration', 'kyc', 'sign'] : ['registration', 'kyc', 'review', 'sign'];
  var stepOf = { registration: 'registration', kyc: 'kyc', review: 'contract', sign: 'contract', done: 'done' };
  var steps = kycOnly ? ['kyc'] : ['registration', 'kyc', 'contract'];
  var stepLabels = { registration: 'Your details', kyc: 'Identity check', contract: 'Contract' };

  var state = {
    token: String(config.token || ''),
    sessionId: String(config.sessionId || ''),
    screenIndex: -1,
    screen: null,
    step: null,
    busy: false,
    finished: false,
    awaitingToken: false,
    pending: null,
    verifying: false,
    queuedToken: null,
    expiryTimer: 0,
    stream: null,
    banner: null,
    fullName: firstPrefilled(['fullName', 'name', 'FullName']) || '',
    email: firstPrefilled(['email', 'Email']) || '',
    agreed: false,
    signature: '',
  };
  debug.state = state;

  function firstPrefilled(keys) {
    var ids = Object.keys(prefill);
    for (var i = 0; i < ids.length; i++) {
      var fields = prefill[ids[i]] || {};
      for (var k = 0; k < keys.length; k++) {
        if (typeof fields[keys[k]] === 'string' && fields[keys[k]]) return fields[keys[k]];
      }
    }
    return '';
  }

  function api(path, body) {
    return fetch('/session/api/' + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    }).then(function (res) {
      return res.json().then(
        function (json) { return { status: res.status, ok: res.ok, json: json || {} }; },
        function () { return { status: res.status, ok: res.ok, json: {} }; });
    });
  }

  // --- Token lifetime --------------------------------------------------------

  function scheduleExpiry(ms) {
    clearTimeout(state.expiryTimer);
    if (typeof ms !== 'number' || !isFinite(ms) || ms < 0) return;
    state.expiryTimer = setTimeout(function () { tokenExpired(null); }, Math.min(ms + 50, 2147483647));
  }

  // The token has expired: ask the host for a new one and remember what to redo. A silent
  // app cannot ask: like a real app that does not talk to its parent, it sends the user back.
  function tokenExpired(retry) {
    if (state.finished) return;
    if (retry) state.pending = retry;
    if (state.awaitingToken) return;
    state.awaitingToken = true;
    clearTimeout(state.expiryTimer);
    if (dialect === 'silent') showBanner('error', 'Your session expired', 'Start again from the page you came from.');
    else showBanner('info', 'Your session expired', 'Getting a fresh one from the page you are on. You will continue where you left off.');
    render();
    post('token-expired', {});
  }

  function onHostMessage(event) {
    if (!hostOrigin || event.origin !== hostOrigin || event.source !== parentWindow) return;
    var message = event.data;
    if (typeof message === 'string') {
      if (message.length > 65536) return;
      try { message = JSON.parse(message); } catch (e) { return; }
    }
    if (!message || typeof message !== 'object') return;
    if (message.source !== 'vlens-host' || message.version !== PROTOCOL_VERSION || message.type !== 'token') return;
    var token = message.data && message.data.token;
    if (typeof token !== 'string' || token === '' || token.length > 4096) return;
    acceptToken(token);
  }
  if (dialect !== 'silent') window.addEventListener('message', onHostMessage);

  function acceptToken(token) {
    if (state.finished) return;
    if (state.verifying) { state.queuedToken = token; return; }
    state.verifying = true;
    api('verify', { token: token, previousToken: state.token }).then(function (res) {
      if (res.ok) {
        state.token = token;
        if (typeof res.json.sessionId === 'string') state.sessionId = res.json.sessionId;
        scheduleExpiry(res.json.expiresInMs);
        var wasWaiting = state.awaitingToken;
        state.awaitingToken = false;
        if (wasWaiting) showBanner('ok', 'Session renewed', 'You can carry on.');
        var pending = state.pending;
        state.pending = null;
        render();
        if (pending) pending();
      } else {
        var code = res.json.code === 'TOKEN_MISMATCH' ? 'TOKEN_MISMATCH' : 'TOKEN_INVALID';
        var text = res.json.message || 'The new session token was refused.';
        showBanner('error', 'Could not renew the session', text);
        render();
        post('error', { code: code, message: text, recoverable: true });
      }
    }, function () {
      showBanner('error', 'Connection problem', 'Could not check the new session. Check your connection.');
      render();
      post('error', { code: 'NETWORK_ERROR', message: 'Could not check the new session token.', recoverable: true });
    }).then(function () {
      state.verifying = false;
      if (state.queuedToken) {
        var next = state.queuedToken;
        state.queuedToken = null;
        acceptToken(next);
      }
    });
  }

  // --- Moving through the flow -----------------------------------------------

  function goTo(index) {
    if (state.finished || state.busy) return;
    var screen = index >= screens.length ? 'done' : screens[index];
    var step = stepOf[screen];
    if (step === state.step) { // another screen of the same step: nothing to record
      show(index, screen);
      return;
    }
    state.busy = true;
    render();
    api('step', { token: state.token, step: step }).then(function (res) {
      state.busy = false;
      if (res.status === 401) {
        tokenExpired(function () { goTo(index); });
        return;
      }
      if (!res.ok) {
        var text = res.json.message || 'Something went wrong (HTTP ' + res.status + ').';
        showBanner('error', 'Could not continue', text);
        render();
        post('error', { code: res.json.code || 'APP_ERROR', message: text, recoverable: res.status !== 409 });
        return;
      }
      scheduleExpiry(res.json.expiresInMs);
      clearBanner();
      state.step = step;
      show(index, screen);
      post('step', { step: step });
      if (screen === 'done') {
        var result = res.json.result || {};
        finish();
        post('completed', {
          sessionId: result.sessionId || state.sessionId,
          contractTypeIds: Array.isArray(result.contractTypeIds) ? result.contractTypeIds : [],
          phoneNumber: result.phoneNumber || config.phoneNumber,
        });
        state.result = result;
        render();
      }
    }, function () {
      state.busy = false;
      showBanner('error', 'Connection problem', 'Could not reach Vlens. Check your connection and try again.');
      render();
      post('error', { code: 'NETWORK_ERROR', message: 'Could not reach the Vlens server.', recoverable: true });
    });
  }

  function show(index, screen) {
    if (state.screen === 'kyc' && screen !== 'kyc') stopCamera();
    state.screenIndex = index;
    state.screen = screen;
    render();
    post('screen', { screen: screen });
    if (screen === 'kyc') startCamera();
    // Move focus to the new heading after the user's own click, never on load (the
    // app must not pull focus away from the host page).
    var heading = index > 0 ? root.querySelector('h1') : null;
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({ preventScroll: true }); }
  }

  function finish() {
    state.finished = true;
    clearTimeout(state.expiryTimer);
    stopCamera();
  }

  function cancel() {
    if (state.finished) return;
    finish();
    state.cancelled = true;
    clearBanner();
    render();
    post('cancelled', { step: state.step });
  }

  function simulateError() {
    var message = 'A simulated error from the mock Vlens app (the "Simulate error" link).';
    showBanner('error', 'Simulated error', 'The page you are on was sent an error message. You can carry on.');
    render();
    post('error', { code: 'SIMULATED_ERROR', message: message, recoverable: true });
  }

  function expireToken() {
    if (state.finished || state.awaitingToken) return;
    api('expire', { token: state.token }).then(function () { tokenExpired(null); }, function () { tokenExpired(null); });
  }

  // --- Camera ----------------------------------------------------------------

  var camera = { box: null, video: null, note: null };

  function cameraNote(text) {
    state.cameraText = text;
    if (camera.note) {
      camera.note.textContent = text;
      camera.note.hidden = false;
    }
    if (camera.video) camera.video.hidden = true;
  }

  function startCamera() {
    var devices = navigator.mediaDevices;
    if (!devices || typeof devices.getUserMedia !== 'function') {
      cameraNote('No camera available here. In this mock you can continue without it.');
      return;
    }
    if (state.stream) { attachStream(); return; }
    cameraNote('Waiting for camera permission… You can continue without it.');
    devices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } }, audio: false })
      .then(function (stream) {
        if (state.screen !== 'kyc' || state.finished) {
          stream.getTracks().forEach(function (t) { t.stop(); });
          return;
        }
        state.stream = stream;
        attachStream();
      }, function (err) {
        var denied = err && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
        cameraNote((denied ? 'Camera access was not allowed.' : 'No camera was found.') + ' In this mock you can continue without it.');
      });
  }

  function attachStream() {
    if (!camera.video || !state.stream) return;
    camera.video.srcObject = state.stream;
    camera.video.hidden = false;
    if (camera.note) camera.note.hidden = true;
    var playing = camera.video.play();
    if (playing && typeof playing.catch === 'function') playing.catch(function () {});
  }

  function stopCamera() {
    if (state.stream) {
      state.stream.getTracks().forEach(function (t) { t.stop(); });
      state.stream = null;
    }
  }

  // --- Rendering -------------------------------------------------------------

  function showBanner(kind, title, text) { state.banner = { kind: kind, title: title, text: text }; }
  function clearBanner() { state.banner = null; }

  function render() {
    var keepCamera = state.screen === 'kyc' && camera.box;
    var content = renderScreen();
    var tools = renderTools();
    var children = [renderTop(), state.finished ? null : renderProgress(), renderBanner(), content,
      state.finished ? null : renderActions(), state.finished ? null : tools];
    root.textContent = '';
    children.forEach(function (c) { if (c) root.appendChild(c); });
    if (keepCamera && state.stream) attachStream();
    reportHeight();
  }

  function renderTop() {
    return h('header', { class: 'top' }, brand(),
      h('span', { class: 'step-chip', 'data-testid': 'step', 'data-step': state.step || '', title: 'Current step', text: state.step || 'starting' }));
  }

  function renderProgress() {
    var current = steps.indexOf(state.step);
    return h('ol', { class: 'progress', 'aria-label': 'Progress' }, steps.map(function (step, i) {
      var cls = i < current ? 'is-done' : i === current ? 'is-current' : '';
      return h('li', { class: cls, 'aria-current': i === current ? 'step' : null, text: stepLabels[step] });
    }));
  }

  function renderBanner() {
    if (!state.banner) return null;
    var b = state.banner;
    return h('div', { class: 'banner banner--' + b.kind, role: b.kind === 'error' ? 'alert' : 'status', 'data-testid': 'banner' },
      h('strong', { text: b.title }), b.text);
  }

  function field(label, input, hint) {
    return h('label', { class: 'field' }, h('span', { class: 'field__label', text: label }), input,
      hint ? h('span', { class: 'field__hint', text: hint }) : null);
  }

  function prefillCards() {
    var ids = Object.keys(prefill);
    if (!config.invitation || ids.length === 0) return null;
    return h('div', { 'data-testid': 'prefill' },
      h('h2', { text: 'Details your provider already gave us' }),
      ids.map(function (id) {
        var fields = prefill[id] || {};
        return h('div', { class: 'card card--soft', 'data-contract': id },
          h('div', { class: 'card__title' }, h('span', { text: 'Contract type #' + id }), h('span', { class: 'muted', text: 'pre-filled' })),
          h('dl', { class: 'kv' }, Object.keys(fields).map(function (key) {
            return [h('dt', { text: key }), h('dd', { 'data-field': key, text: String(fields[key]) })];
          })));
      }));
  }

  function renderScreen() {
    var screen = state.screen;
    if (state.cancelled) {
      return h('section', { class: 'screen screen--final', 'data-testid': 'screen', 'data-screen': 'cancelled' },
        h('div', { class: 'icon icon--muted', 'aria-hidden': 'true', text: '×' }),
        h('h1', { text: 'Verification cancelled' }),
        h('p', { class: 'lead', text: 'Nothing was signed. You can start again from the page you are on.' }));
    }
    if (!screen) {
      return h('section', { class: 'screen', 'data-testid': 'screen', 'data-screen': 'loading' },
        h('p', { class: 'loading', text: 'Loading your session…' }));
    }
    var section = h('section', { class: 'screen', 'data-testid': 'screen', 'data-screen': screen });
    if (screen === 'registration') {
      append(section, [
        h('h1', { text: 'Confirm your details' }),
        h('p', { class: 'lead', text: minimal ? 'Check your name, then continue.' : 'We use these details to create your verified identity.' }),
        field('Mobile number', h('input', { type: 'tel', readonly: true, value: config.phoneNumber || '', 'data-testid': 'phone' })),
        field('Full name', h('input', {
          type: 'text', autocomplete: 'name', value: state.fullName, placeholder: 'As written on your ID', 'data-testid': 'full-name',
          oninput: function (e) { state.fullName = e.target.value; },
        })),
        minimal ? null : field('Email (optional)', h('input', {
          type: 'email', autocomplete: 'email', value: state.email, placeholder: 'you@example.com',
          oninput: function (e) { state.email = e.target.value; },
        }), 'For a copy of your signed contract.'),
        prefillCards(),
      ]);
    } else if (screen === 'kyc') {
      camera.video = h('video', { autoplay: true, muted: true, playsinline: true, hidden: true, 'aria-label': 'Camera preview' });
      camera.video.muted = true;
      camera.note = h('div', { class: 'camera__placeholder', 'data-testid': 'camera-placeholder', text: state.cameraText || 'Starting the camera…' });
      camera.box = h('div', { class: 'camera', 'data-testid': 'camera' }, camera.video, camera.note, h('div', { class: 'camera__oval', 'aria-hidden': 'true' }));
      append(section, [
        h('h1', { text: 'Verify your identity' }),
        h('p', { class: 'lead', text: 'Hold your face inside the oval. In the real service this is the liveness check; this mock only shows the preview.' }),
        camera.box,
      ]);
    } else if (screen === 'review') {
      append(section, [
        h('h1', { text: 'Review your contract' }),
        h('p', { class: 'lead', text: 'Read the terms of each contract before you sign.' }),
        contractIds.map(function (id) {
          var fields = prefill[String(id)] || {};
          var keys = Object.keys(fields);
          return h('div', { class: 'card', 'data-contract': String(id) },
            h('div', { class: 'card__title' }, h('span', { text: 'Contract type #' + id }), h('span', { class: 'muted', text: 'sample terms' })),
            h('p', { class: 'muted', text: 'This is placeholder contract text shown by the mock. The real Vlens shows the contract your business configured for this type.' }),
            keys.length ? h('dl', { class: 'kv' }, keys.map(function (k) { return [h('dt', { text: k }), h('dd', { text: String(fields[k]) })]; })) : null);
        }),
        h('label', { class: 'check' },
          h('input', { type: 'checkbox', checked: state.agreed, 'data-testid': 'agree', onchange: function (e) { state.agreed = e.target.checked; } }),
          h('span', { text: 'I have read the terms and agree to them.' })),
      ]);
    } else if (screen === 'sign') {
      var names = contractIds.map(function (id) { return '#' + id; }).join(', ');
      append(section, [
        h('h1', { text: minimal ? 'Sign your contract' : 'Sign' }),
        h('p', { class: 'lead', text: 'You are signing contract type' + (contractIds.length > 1 ? 's ' : ' ') + names + ' as ' + (state.fullName || config.phoneNumber) + '.' }),
        minimal ? null : field('Type your full name to sign', h('input', {
          type: 'text', value: state.signature, placeholder: state.fullName || 'Full name', 'data-testid': 'signature',
          oninput: function (e) { state.signature = e.target.value; },
        })),
      ]);
    } else if (screen === 'done') {
      var result = state.result || {};
      var signed = Array.isArray(result.contractTypeIds) ? result.contractTypeIds : [];
      append(section, h('div', { class: 'screen--final' },
        h('div', { class: 'icon icon--ok', 'aria-hidden': 'true', text: '✓' }),
        h('h1', { text: 'All done' }),
        h('p', { class: 'lead', text: kycOnly ? 'Your identity is verified.' : 'Your identity is verified and your contract is signed.' }),
        h('dl', { class: 'kv', 'data-testid': 'result' },
          h('dt', { text: 'Session' }), h('dd', { text: result.sessionId || state.sessionId }),
          h('dt', { text: 'Contracts' }), h('dd', { text: signed.length ? signed.join(', ') : 'none (identity only)' }))));
    }
    return section;
  }

  function nextLabel() {
    if (state.busy) return 'Please wait…';
    if (state.awaitingToken) return dialect === 'silent' ? 'Session expired' : 'Renewing session…';
    var screen = state.screen;
    if (screen === 'kyc' && kycOnly) return 'Finish';
    if (screen === 'review') return 'Continue to signing';
    if (screen === 'sign') return 'Sign and finish';
    return 'Continue';
  }

  function renderActions() {
    var blocked = state.busy || state.awaitingToken || !state.screen;
    return h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn--secondary', 'data-testid': 'cancel', onclick: cancel, text: 'Cancel' }),
      h('button', {
        type: 'button', class: 'btn btn--primary', 'data-testid': 'next', disabled: blocked, 'aria-busy': blocked ? 'true' : null,
        onclick: function () { goTo(state.screenIndex + 1); }, text: nextLabel(),
      }));
  }

  var DIALECT_NOTES = { v1: 'Posts v1 messages.', silent: 'Posts nothing (silent).', foreign: 'Posts its own format (foreign).' };

  function renderTools() {
    var note = !parentWindow ? 'Not embedded: no messages are sent.'
      : !hostOrigin ? 'Embedding page unknown: no messages are sent.' : DIALECT_NOTES[dialect] + ' Demo tools:';
    return h('div', { class: 'tools', 'aria-label': 'Demo tools' },
      h('span', { 'data-testid': 'dialect', 'data-dialect': dialect, text: note }),
      h('button', { type: 'button', class: 'link', 'data-testid': 'simulate-error', disabled: state.finished, onclick: simulateError, text: 'Simulate error' }),
      h('button', { type: 'button', class: 'link', 'data-testid': 'expire-token', disabled: state.finished || state.awaitingToken, onclick: expireToken, text: 'Expire token now' }));
  }

  // --- Start -----------------------------------------------------------------

  post('ready', { sessionId: state.sessionId });
  render();
  scheduleExpiry(config.expiresInMs);
  goTo(0);
})();
