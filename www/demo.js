// Demo page for vlens-widget.
//
// Loaded after /dist/vlens.js, which defines the global `Vlens` (`Vlens.mountVlens`,
// `Vlens.VlensError`). Everything here runs under a strict Content-Security-Policy
// (no inline scripts or styles), so all behaviour lives in this file.
//
// What the page expects from the server (same origin):
//   GET  /api/vlens/config   -> { "baseUrl": "http://localhost:8081", "mock": true, "mockProtocol": "v1" }
//                               (mockProtocol: what the mock app at baseUrl + '/session' posts; the
//                               mock also serves each dialect at baseUrl + '/v1' | '/silent' | '/foreign')
//   POST /api/vlens/session  <- { phoneNumber, allowedContractTypeIds, minimalSignatureFlow,
//                                 digitalIdentityOnly, prefill? }
//                            -> { "token": "..." }, or 400 { "error": "...", "field": "phoneNumber" }
'use strict';

(() => {
  const SESSION_ENDPOINT = '/api/vlens/session';
  const CONFIG_ENDPOINT = '/api/vlens/config';
  const MAX_LOG_ROWS = 500;
  const MAX_CONTRACTS = 20;
  const MAX_PREFILL_ROWS = 30;
  const MAX_KEY_LENGTH = 64;
  const MAX_VALUE_LENGTH = 500;
  const MAX_CONTRACT_ID = 2147483647;
  // E.164: a plus sign, a country code that does not start with 0, at most 15 digits in all.
  const E164 = /^\+[1-9]\d{6,14}$/;

  const $ = (id) => document.getElementById(id);
  const el = {
    badge: $('mode-badge'),
    form: $('session-form'),
    phone: $('phone'),
    contracts: $('contracts'),
    minimal: $('minimal'),
    digitalOnly: $('digital-only'),
    prefillEnabled: $('prefill-enabled'),
    prefillBody: $('prefill-body'),
    prefillContract: $('prefill-contract'),
    prefillRows: $('prefill-rows'),
    prefillAdd: $('prefill-add'),
    requestPreview: $('request-preview'),
    start: $('start'),
    destroy: $('destroy'),
    remount: $('remount'),
    refresh: $('refresh'),
    state: $('state'),
    alert: $('alert'),
    alertTitle: $('alert-title'),
    alertBody: $('alert-body'),
    placeholder: $('placeholder'),
    placeholderTitle: $('placeholder-title'),
    placeholderText: $('placeholder-text'),
    widget: $('widget'),
    widgetCard: document.querySelector('.area-widget'),
    dialectSection: $('dialect-section'),
    dialectCode: $('dialect-code'),
    result: $('result'),
    log: $('log'),
    logEmpty: $('log-empty'),
    logCount: $('log-count'),
    clearLog: $('clear-log'),
  };

  /**
   * The chosen value of the radio group `name` ('mode': inline | modal, 'locale': en | ar,
   * 'protocol': v1 | silent | foreign, what the mock app speaks).
   */
  const choice = (name) => el.form.elements[name].value;

  /** The mock app's dialects: what it posts to this page. */
  const DIALECTS = ['v1', 'silent', 'foreign'];

  /**
   * What each event of the mock's foreign dialect means to the widget, and the demo's
   * parseMessage for it: the page shows both as written here.
   */
  const FOREIGN_TYPES = {
    'verification.started': 'ready',
    'verification.step': 'step',
    'frame.resized': 'resize',
    'verification.completed': 'completed',
    'verification.cancelled': 'cancelled',
    'verification.error': 'error',
    'session.expired': 'token-expired',
  };
  const parseForeign = (message) => {
    const m = typeof message === 'string' ? JSON.parse(message) : message; // JSON text too
    const type = m && Object.hasOwn(FOREIGN_TYPES, m.event) ? FOREIGN_TYPES[m.event] : null;
    return type && { type, data: m.payload }; // null: unmapped, passed on raw
  };

  /** `{ baseUrl, mock, mockProtocol }` from the server, once loaded (mockProtocol null when not mock). */
  let config = null;
  /**
   * The mounted session: `{ n, session, request, mode, locale, ended }`, or null before the
   * first mount. `ended` is how the flow ended as far as the user is concerned:
   * 'completed', 'closed' (the dialog's close button or Escape), 'cancelled' (in the app).
   */
  let current = null;
  /** The last request mounted, reused by Remount. */
  let lastRequest = null;
  let mountCount = 0;
  let eventCount = 0;
  /** Once the user has pressed Start, the form re-validates as they type. */
  let showErrors = false;

  // ---------------------------------------------------------------------------
  // Configuration
  // ---------------------------------------------------------------------------

  async function loadConfig() {
    if (typeof window.Vlens === 'undefined' || typeof window.Vlens.mountVlens !== 'function') {
      setBadge('error', 'Widget missing');
      showAlert('The widget did not load',
        '/dist/vlens.js could not be loaded. Build it with "npm run build" and reload this page.');
      return;
    }
    try {
      const res = await fetch(CONFIG_ENDPOINT, { headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(`${CONFIG_ENDPOINT} answered HTTP ${res.status}`);
      const body = await res.json();
      if (!body || typeof body.baseUrl !== 'string' || body.baseUrl === '') {
        throw new Error(`${CONFIG_ENDPOINT} did not return a baseUrl`);
      }
      const mock = body.mock === true;
      const mockProtocol = mock && DIALECTS.includes(body.mockProtocol) ? body.mockProtocol : null;
      config = { baseUrl: body.baseUrl, mock, mockProtocol };
      if (config.mock) setBadge('mock', 'Local mock of Vlens');
      else setBadge('live', 'Vlens (live)');
      // The dialect switch is for the mock only, starting on what its /session speaks.
      el.dialectSection.hidden = mockProtocol === null;
      if (mockProtocol) el.form.elements.protocol.value = mockProtocol;
      showDialect();
      el.badge.title = `Vlens app: ${config.baseUrl}`;
    } catch (err) {
      setBadge('error', 'Not connected');
      showAlert('Could not reach the server', `${messageOf(err)}. Is the demo server running?`);
    }
    render();
  }

  /** Shows the note (and, for foreign, the code) of the dialect chosen. */
  function showDialect() {
    const chosen = choice('protocol');
    for (const note of el.dialectSection.querySelectorAll('[data-dialect]')) note.hidden = note.dataset.dialect !== chosen;
  }

  /** The code the page shows for the foreign dialect: the map and the function above, as written. */
  function foreignCode() {
    const entries = Object.entries(FOREIGN_TYPES).map(([event, type]) => `  '${event}': '${type}',`);
    return [
      'const FOREIGN_TYPES = {', ...entries, '};',
      'mountVlens(element, tokenProvider, {',
      `  parseMessage: ${parseForeign.toString()},`,
      '});',
    ].join('\n');
  }

  /**
   * Mount options for the dialect chosen: its own path on the mock (`/session` is the server's
   * default dialect, so that one keeps the plain baseUrl), and for foreign the parseMessage.
   */
  function dialectOptions() {
    if (!config.mockProtocol) return { protocol: null, options: { baseUrl: config.baseUrl } };
    const protocol = choice('protocol');
    const baseUrl = protocol === config.mockProtocol ? config.baseUrl : `${config.baseUrl}/${protocol}`;
    return { protocol, options: protocol === 'foreign' ? { baseUrl, parseMessage: parseForeign } : { baseUrl } };
  }

  function setBadge(mode, text) {
    el.badge.dataset.mode = mode;
    el.badge.className = `badge badge--${mode}`;
    el.badge.textContent = text;
  }

  // ---------------------------------------------------------------------------
  // The form
  // ---------------------------------------------------------------------------

  /** A table cell holding one compact text input of a pre-fill row. */
  function textCell(className, value, placeholder, label) {
    const cell = document.createElement('td');
    const input = document.createElement('input');
    input.className = `input input--compact ${className}`;
    input.type = 'text';
    input.value = value;
    input.placeholder = placeholder;
    input.autocomplete = 'off';
    input.setAttribute('aria-label', label);
    cell.append(input);
    return cell;
  }

  function addPrefillRow(key = '', value = '') {
    const index = el.prefillRows.children.length + 1;
    const row = document.createElement('tr');
    row.className = 'kv__row';

    const keyCell = textCell('kv__key', key, 'fieldKey', `Field name ${index}`);
    keyCell.firstChild.spellcheck = false;
    const valueCell = textCell('kv__value', value, 'value', `Value ${index}`);

    const removeCell = document.createElement('td');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'btn btn--icon';
    remove.setAttribute('aria-label', `Remove field ${index}`);
    remove.textContent = '×';
    remove.addEventListener('click', () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumberPrefillRows();
      (next ? next.querySelector('.kv__key') : el.prefillAdd).focus();
      formChanged();
    });
    removeCell.append(remove);

    row.append(keyCell, valueCell, removeCell);
    el.prefillRows.append(row);
    el.prefillAdd.disabled = el.prefillRows.children.length >= MAX_PREFILL_ROWS;
    return row;
  }

  function renumberPrefillRows() {
    [...el.prefillRows.children].forEach((row, i) => {
      row.querySelector('.kv__key').setAttribute('aria-label', `Field name ${i + 1}`);
      row.querySelector('.kv__value').setAttribute('aria-label', `Value ${i + 1}`);
      row.querySelector('.btn--icon').setAttribute('aria-label', `Remove field ${i + 1}`);
    });
    el.prefillAdd.disabled = el.prefillRows.children.length >= MAX_PREFILL_ROWS;
  }

  function isPositiveId(text) {
    return /^\d{1,10}$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_CONTRACT_ID;
  }

  /**
   * Reads the form into the JSON body of POST /api/vlens/session.
   * Returns `{ body, errors }`; `errors` maps an error slot id to its message.
   */
  function readForm() {
    const errors = new Map();

    const phoneNumber = el.phone.value.replace(/[\s\-().]/g, '');
    if (phoneNumber === '') {
      errors.set('phone', 'Enter your mobile number.');
    } else if (!E164.test(phoneNumber)) {
      errors.set('phone', 'Use international format: a + followed by the country code and number, e.g. +201234567890.');
    }

    const parts = el.contracts.value.split(/[\s,]+/).filter((p) => p !== '');
    const allowedContractTypeIds = [];
    if (parts.length === 0) {
      errors.set('contracts', 'Enter at least one contract type id.');
    } else {
      const bad = parts.find((p) => !isPositiveId(p));
      if (bad !== undefined) {
        errors.set('contracts', `"${bad}" is not a contract type id: use positive whole numbers separated by commas.`);
      } else {
        for (const p of parts) {
          const id = Number(p);
          if (!allowedContractTypeIds.includes(id)) allowedContractTypeIds.push(id);
        }
        if (allowedContractTypeIds.length > MAX_CONTRACTS) {
          errors.set('contracts', `At most ${MAX_CONTRACTS} contract types at once.`);
        }
      }
    }

    const body = {
      phoneNumber,
      allowedContractTypeIds,
      minimalSignatureFlow: el.minimal.checked,
      digitalIdentityOnly: el.digitalOnly.checked,
    };

    if (el.prefillEnabled.checked) {
      const contractId = el.prefillContract.value.trim();
      if (!isPositiveId(contractId)) {
        errors.set('prefill-contract', 'Enter the contract type id the fields belong to, a positive whole number.');
      }
      const fields = {};
      let count = 0;
      for (const row of el.prefillRows.children) {
        const key = row.querySelector('.kv__key').value.trim();
        const value = row.querySelector('.kv__value').value.trim();
        if (key === '' && value === '') continue;
        if (errors.has('prefill')) continue;
        if (key === '') errors.set('prefill', `Give a field name for the value "${value}".`);
        else if (key.length > MAX_KEY_LENGTH) errors.set('prefill', `Field names are at most ${MAX_KEY_LENGTH} characters.`);
        else if (Object.prototype.hasOwnProperty.call(fields, key)) errors.set('prefill', `The field "${key}" appears twice.`);
        else if (value.length > MAX_VALUE_LENGTH) errors.set('prefill', `The value of "${key}" is longer than ${MAX_VALUE_LENGTH} characters.`);
        else {
          fields[key] = value;
          count += 1;
        }
      }
      if (count === 0 && !errors.has('prefill')) {
        errors.set('prefill', 'Add at least one field to pre-fill, or turn pre-filling off.');
      }
      body.prefill = { [contractId]: fields };
    }

    return { body, errors };
  }

  const ERROR_SLOTS = {
    phone: { input: () => el.phone, message: $('phone-error'), hint: $('phone-hint') },
    contracts: { input: () => el.contracts, message: $('contracts-error'), hint: $('contracts-hint') },
    'prefill-contract': { input: () => el.prefillContract, message: $('prefill-contract-error') },
    prefill: { input: () => el.prefillRows.querySelector('.kv__key'), message: $('prefill-error') },
  };

  function showFieldErrors(errors) {
    for (const [slot, { input, message, hint }] of Object.entries(ERROR_SLOTS)) {
      const text = errors.get(slot);
      message.textContent = text || '';
      message.hidden = !text;
      if (hint) hint.hidden = Boolean(text); // the error replaces the hint
      const field = input();
      if (field) {
        if (text) field.setAttribute('aria-invalid', 'true');
        else field.removeAttribute('aria-invalid');
      }
    }
    if (!errors.has('prefill')) {
      for (const input of el.prefillRows.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    }
  }

  function focusFirstError(errors) {
    for (const slot of Object.keys(ERROR_SLOTS)) {
      if (!errors.has(slot)) continue;
      const field = ERROR_SLOTS[slot].input() || el.prefillAdd;
      field.focus();
      return;
    }
  }

  function formChanged() {
    const { body, errors } = readForm();
    el.requestPreview.textContent = JSON.stringify(body, null, 2);
    if (showErrors) showFieldErrors(errors);
  }

  // ---------------------------------------------------------------------------
  // Mounting
  // ---------------------------------------------------------------------------

  function start(event) {
    event.preventDefault();
    if (!config) return;
    showErrors = true;
    const { body, errors } = readForm();
    showFieldErrors(errors);
    if (errors.size > 0) {
      focusFirstError(errors);
      return;
    }
    mount({ url: SESSION_ENDPOINT, body });
    // A dialog comes to the user; the inline flow is further down on narrow screens.
    if (current && current.mode === 'inline' && window.matchMedia('(max-width: 959px)').matches) {
      const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      el.widgetCard.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'start' });
    }
  }

  /**
   * Mounts the widget as the switches say: into #widget (a session already there is
   * destroyed by the widget), or in a modal dialog over the page, with no element: the
   * events then reach this page through `onEvent` (and on document.body).
   */
  function mount(tokenProvider) {
    hideAlert();
    const mode = choice('mode') === 'modal' ? 'modal' : 'inline';
    const locale = choice('locale') === 'ar' ? 'ar' : 'en';
    // The widget replaces a session only in the same element: end any other one ourselves.
    if (current && (mode === 'modal' || current.mode !== mode)) current.session.destroy();
    const dialect = dialectOptions();
    const ref = { n: mountCount + 1, session: null, request: tokenProvider, mode, locale, protocol: dialect.protocol, ended: null };
    const options = {
      ...dialect.options,
      locale,
      onEvent: (type, detail) => onWidgetEvent(ref, type, detail),
    };
    let session;
    try {
      session = mode === 'modal'
        ? window.Vlens.mountVlens(null, tokenProvider, { ...options, mode: 'modal' })
        : window.Vlens.mountVlens(el.widget, tokenProvider, { ...options, height: 640, minHeight: 420, maxHeight: 1100 });
    } catch (err) {
      // Programmer errors (a bad option, a non-https baseUrl...) throw a VlensError at once.
      const isVlensError = err instanceof window.Vlens.VlensError;
      showAlert(isVlensError ? `The widget refused to start (${err.code})` : 'The widget failed to start', messageOf(err));
      render();
      return;
    }
    mountCount = ref.n;
    ref.session = session;
    current = ref;
    lastRequest = tokenProvider;
    setResult(null, ref);
    session.result.then((result) => {
      if (current === ref) setResult(result);
      render();
    });
    render();
  }

  function onWidgetEvent(ref, type, detail) {
    addLogRow(ref.n, type, detail);
    if (type === 'vlens:complete') ref.ended = 'completed';
    if (type === 'vlens:cancel') {
      ref.ended = detail && detail.data && detail.data.reason === 'closed' && ref.mode === 'modal' ? 'closed' : 'cancelled';
    }
    if (ref === current || current === null) {
      if (type === 'vlens:error') {
        showWidgetError(ref, detail);
      } else if (type === 'vlens:ready' || (type === 'vlens:token' && detail && detail.reason === 'refresh')) {
        hideAlert();
      } else if (type === 'vlens:destroy' && ref.mode === 'modal') {
        // The dialog is gone, and its error with it: the panel says how the flow ended.
        hideAlert();
      }
    }
    render();
  }

  function showWidgetError(ref, detail) {
    const code = detail && detail.code ? detail.code : 'ERROR';
    const message = detail && detail.message ? detail.message : 'Unknown error.';
    let advice = '';
    if (detail && detail.recoverable) {
      advice = ref.mode === 'modal' ? ' Press "Try again" in the dialog.' : ' Press "Try again" or "Refresh token".';
    }
    // The widget's messages do not always end a sentence: end it before the advice.
    const sentence = advice && !/[.!?]$/.test(message) ? `${message}.` : message;
    showAlert(`Verification error: ${code}`, sentence + advice);
  }

  // ---------------------------------------------------------------------------
  // Rendering
  // ---------------------------------------------------------------------------

  const PLACEHOLDERS = {
    none: ['Ready when you are', 'Check your details and press “Start verification”. The secure Vlens flow opens here.'],
    token: ['Connecting securely…', 'Creating your verification session.'],
    loading: ['Opening Vlens…', 'The verification flow is loading.'],
    error: ['Verification could not start', 'See the message above, then refresh the token or start again.'],
    destroyed: ['Session closed', 'Press “Start verification” or “Remount” to begin again.'],
    other: ['', ''],
  };

  /** The panel while the flow runs in a dialog, and after the dialog has closed. */
  const MODAL_PLACEHOLDERS = {
    none: ['Ready when you are', 'Check your details and press “Start verification”. The secure Vlens flow opens in a dialog over this page.'],
    open: ['Verification in progress', 'The secure Vlens flow is open in a dialog. Finish it there, or close the dialog to come back.'],
    completed: ['Verification complete', 'The dialog closed at the end of the flow. The result is below.'],
    closed: ['Verification cancelled', 'You closed the dialog before the end. Press “Start verification” to start again.'],
    cancelled: ['Verification cancelled', 'You left the flow before the end. Press “Start verification” to start again.'],
    destroyed: PLACEHOLDERS.destroyed,
  };

  /** `[key, title, text]` of the panel when nothing of the widget's is in #widget. */
  function placeholderFor(state) {
    const modal = current ? current.mode === 'modal' : choice('mode') === 'modal';
    if (!modal) return [state, ...(PLACEHOLDERS[state] || PLACEHOLDERS.other)];
    let key = 'none';
    if (current && current.ended) key = current.ended;
    else if (state === 'destroyed') key = 'destroyed';
    else if (state !== 'none') key = 'open';
    return [key, ...MODAL_PLACEHOLDERS[key]];
  }

  function render() {
    const session = current && current.session;
    const state = session ? session.state : 'none';
    el.state.textContent = session ? state : 'not started';
    el.state.dataset.state = state;
    el.state.title = session ? `Session #${current.n}` : '';

    const live = session !== null && state !== 'destroyed';
    el.start.disabled = !config;
    el.destroy.disabled = !live;
    el.refresh.disabled = !live;
    el.remount.disabled = !config || lastRequest === null;

    // The widget's own box (its loading and error screens, then the app) replaces the
    // placeholder as soon as it is there, before the iframe is.
    const hasBox = el.widget.firstElementChild !== null;
    el.placeholder.hidden = hasBox;
    if (!hasBox) {
      const [key, title, text] = placeholderFor(state);
      el.placeholder.dataset.state = key;
      el.placeholderTitle.textContent = title;
      el.placeholderText.textContent = text;
    }
  }

  /** Shows the session's result, or while there is none (`null`) what to expect of `ref`'s app. */
  function setResult(result, ref) {
    if (result === null) {
      el.result.dataset.status = 'pending';
      el.result.textContent = ref && ref.protocol === 'silent'
        ? 'Pending — this app posts nothing, so this page never learns that the flow ended (only destroy() settles it). Confirm the outcome on your server.'
        : 'Pending — settles when the session completes, is cancelled or is destroyed.';
    } else {
      el.result.dataset.status = result.status;
      el.result.textContent = JSON.stringify(result, null, 2);
    }
  }

  function messageOf(err) {
    return err && typeof err.message === 'string' && err.message !== '' ? err.message : String(err);
  }

  function showAlert(title, body) {
    el.alertTitle.textContent = title;
    el.alertBody.textContent = body;
    el.alert.hidden = false;
  }

  function hideAlert() {
    el.alert.hidden = true;
  }

  // ---------------------------------------------------------------------------
  // Event log
  // ---------------------------------------------------------------------------

  function clock(date) {
    const p = (n, w = 2) => String(n).padStart(w, '0');
    return `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.${p(date.getMilliseconds(), 3)}`;
  }

  function compactJson(value) {
    if (value === undefined) return '{}';
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }

  function addLogRow(sessionNumber, type, detail) {
    const now = new Date();
    const short = type.startsWith('vlens:') ? type.slice('vlens:'.length) : type;

    const row = document.createElement('li');
    row.className = 'log__row';
    row.dataset.type = type;
    row.dataset.session = String(sessionNumber);
    if (type === 'vlens:error') row.classList.add('log__row--error');

    const time = document.createElement('time');
    time.className = 'log__time';
    time.dateTime = now.toISOString();
    time.textContent = clock(now);

    const pill = document.createElement('span');
    pill.className = `pill pill--${short.replace(/[^a-z-]/g, '')}`;
    const prefix = document.createElement('span');
    prefix.className = 'pill__prefix';
    prefix.textContent = 'vlens:';
    pill.append(prefix, short);

    const session = document.createElement('span');
    session.className = 'log__session';
    session.title = `Session #${sessionNumber}`;
    session.textContent = `#${sessionNumber}`;

    const code = document.createElement('code');
    code.className = 'log__detail';
    if (type === 'vlens:message' && detail && detail.type === null) {
      // Not a v1 message: its data exactly as the app posted it, a string as itself (not
      // escaped inside JSON), after what kind of value it is.
      const data = detail.data;
      const kind = data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data;
      row.dataset.raw = kind;
      const label = document.createElement('span');
      label.className = 'log__raw';
      label.textContent = `raw ${kind}`;
      code.append(label, ' ', typeof data === 'string' ? data : data === undefined ? 'undefined' : compactJson(data));
    } else {
      code.textContent = compactJson(detail);
    }
    // An empty detail shares the line with the time and type; others get a line of their own.
    if (code.textContent === '{}') row.classList.add('log__row--inline');

    row.append(time, pill, session, code);
    el.log.prepend(row);
    while (el.log.children.length > MAX_LOG_ROWS) el.log.lastElementChild.remove();

    eventCount += 1;
    updateLogCount();
  }

  function updateLogCount() {
    el.logCount.textContent = `${eventCount} ${eventCount === 1 ? 'event' : 'events'}`;
    el.logEmpty.hidden = el.log.children.length > 0;
  }

  function clearLog() {
    el.log.replaceChildren();
    eventCount = 0;
    updateLogCount();
  }

  // ---------------------------------------------------------------------------
  // Wiring
  // ---------------------------------------------------------------------------

  addPrefillRow('fullName', 'Sara Ahmed');
  addPrefillRow('monthlyIncome', '25000');

  el.form.addEventListener('submit', start);
  el.form.addEventListener('input', formChanged);
  el.form.addEventListener('change', formChanged);
  // Before a session, the panel says where the flow will open.
  el.form.addEventListener('change', (event) => {
    if (event.target.name === 'mode' && current === null) render();
    if (event.target.name === 'protocol') showDialect();
  });
  el.prefillEnabled.addEventListener('change', () => {
    el.prefillBody.hidden = !el.prefillEnabled.checked;
  });
  el.prefillAdd.addEventListener('click', () => {
    addPrefillRow().querySelector('.kv__key').focus();
    formChanged();
  });

  el.destroy.addEventListener('click', () => {
    if (current) current.session.destroy();
    render();
  });
  el.remount.addEventListener('click', () => {
    if (config && lastRequest) mount(lastRequest);
  });
  el.refresh.addEventListener('click', () => {
    if (current) current.session.refresh();
    render();
  });
  el.clearLog.addEventListener('click', clearLog);

  // The widget's box comes and goes between two events: follow it directly.
  new MutationObserver(render).observe(el.widget, { childList: true });

  el.prefillBody.hidden = !el.prefillEnabled.checked;
  el.dialectCode.textContent = foreignCode();
  formChanged();
  updateLogCount();
  render();
  loadConfig();
})();
