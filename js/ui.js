// What the user sees around the iframe, drawn as the wasm engine decides (src/ui.rs picks
// the screen and its texts). No style attribute and no <style> element: one constructed
// stylesheet per document, so a strict CSP needs no 'unsafe-inline'. Each rule is one class
// strong and comes after the page's own sheets: element and attribute resets (`button`,
// `[type=button]`, `p`) cannot undo the screens, and a host rule one class stronger
// (`.app .vlens-retry`) restyles them. Listeners sit on our own elements and go with them.

const CSS = `
.vlens{position:relative;display:block;color:var(--vlens-fg,#1f2937);font:var(--vlens-font,16px/1.5 system-ui,sans-serif)}
.vlens-busy>iframe{visibility:hidden}
.vlens-state{position:absolute;inset:0;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:16px;padding:24px;text-align:center;background:var(--vlens-bg,#fff);border-radius:var(--vlens-radius,12px)}
.vlens-message{margin:0;max-width:32em;outline:0}
.vlens-message:lang(ar){font-size:1.125em}
.vlens-spinner{width:32px;height:32px;border:4px solid var(--vlens-track,#e5e7eb);border-top-color:var(--vlens-accent,#1d4ed8);border-radius:50%;animation:vlens-spin 1s linear infinite}
@keyframes vlens-spin{to{transform:rotate(1turn)}}
@media (prefers-reduced-motion:reduce){.vlens-spinner{animation:none;border-color:var(--vlens-accent,#1d4ed8)}}
.vlens-retry{font:inherit;padding:10px 24px;border:0;border-radius:8px;background:var(--vlens-accent,#1d4ed8);color:var(--vlens-accent-fg,#fff);cursor:pointer}
.vlens-modal{width:min(100vw - 32px,520px);height:min(100dvh - 32px,800px);max-width:none;max-height:none;padding:0;border:0;border-radius:var(--vlens-radius,12px);background:var(--vlens-bg,#fff);overflow:hidden}
.vlens-modal[open]{display:flex;flex-direction:column}
.vlens-modal::backdrop{background:var(--vlens-backdrop,rgb(15 23 42/.6))}
.vlens-modal>.vlens{flex:1;min-height:0}
.vlens-bar{display:flex;justify-content:flex-end;padding:4px}
.vlens-close{width:44px;height:44px;border:0;border-radius:8px;background:none;color:inherit;font:28px/1 system-ui,sans-serif;cursor:pointer}
@media (max-width:639.98px){.vlens-modal{width:100vw;height:100dvh;margin:0;border-radius:0}}
`;

const css = (v) => (typeof v === 'number' ? v + 'px' : v);

// Shared by every copy of the package on the page (a script tag and a bundle, say): the
// documents already styled, each document's scroll lock, and where each dialog's focus goes back.
const page = (globalThis[Symbol.for('vlens-widget.page')] ||= { styled: new WeakSet(), locks: new WeakMap() });
const RETURN = Symbol.for('vlens-widget.return');

// Once per document (or shadow root); where constructed stylesheets are missing (jsdom),
// the screens are still there, unstyled.
const style = (node) => {
  const root = node.getRootNode();
  const target = 'adoptedStyleSheets' in root ? root : node.ownerDocument;
  const styled = page.styled;
  if (styled.has(target)) return;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    target.adoptedStyleSheets = [...target.adoptedStyleSheets, sheet];
    styled.add(target);
  } catch {}
};

const el = (doc, tag, cls, attrs, parent) => {
  const e = doc.createElement(tag);
  e.className = cls;
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
};

// The page's scroll lock, counted across dialogs and copies: the first takes overflow-x and
// overflow-y (with their priority) and the last gives back each that is still ours; a value
// the host set meanwhile is the host's.
const lock = (doc, on) => {
  const html = doc.documentElement;
  const s = html.style;
  const l = page.locks.get(doc) || { n: 0 };
  page.locks.set(doc, l);
  if (on ? l.n++ : !l.n || --l.n) return;
  if (on) l.had = html.hasAttribute('style');
  ['overflow-x', 'overflow-y'].forEach((p, i) => {
    if (on) {
      l[i] = [s.getPropertyValue(p), s.getPropertyPriority(p)];
      s.setProperty(p, 'hidden', 'important');
    } else if (s.getPropertyValue(p) == 'hidden' && s.getPropertyPriority(p)) {
      s.setProperty(p, ...l[i]);
    }
  });
  // Reading the attribute first: Chromium writes a changed inline style back lazily.
  if (!on && !l.had && html.getAttribute('style') === '') html.removeAttribute('style');
};

// Where a dialog's focus goes back: what had it when the dialog opened, or, if that has
// gone with a dialog closed since, where that dialog's focus went back.
const back = (dialog) => {
  let to = dialog[RETURN];
  while (to && !to.isConnected) to = (to.closest('dialog') || {})[RETURN];
  return to;
};

// The box the iframe goes in, in `container` or in a modal dialog; returns it and the
// function that takes everything down again (the modal closes, focus and scrolling return).
// However the dialog ends (our button, Escape, the host's close() or requestClose(), its
// removal from the page), `onClose` says so; Escape a host prevented is left alone.
export const open = (container, modal, lang, dir, width, label, closeLabel, onClose) => {
  const doc = container.ownerDocument;
  if (!modal) {
    const box = el(doc, 'div', 'vlens', { lang, dir }, container);
    box.style.width = css(width);
    style(box);
    return [box, () => box.remove()];
  }
  const dialog = el(doc, 'dialog', 'vlens-modal', { lang, dir, 'aria-label': label, 'aria-modal': 'true' });
  dialog[RETURN] = doc.activeElement;
  // Tab past either end lands on a guard, which sends focus round to the other end: key
  // events inside the cross-origin iframe never reach this page, focus does.
  const guard = el(doc, 'span', 'vlens-guard', { tabindex: 0 }, dialog);
  const bar = el(doc, 'div', 'vlens-bar', {}, dialog);
  const close = el(doc, 'button', 'vlens-close', { type: 'button', 'aria-label': closeLabel, autofocus: '' }, bar);
  close.textContent = '×';
  const box = el(doc, 'div', 'vlens', {}, dialog);
  const end = el(doc, 'span', 'vlens-guard', { tabindex: 0 }, dialog);
  const stops = () => [...dialog.querySelectorAll('button, .vlens:not(.vlens-busy)>iframe')];
  guard.addEventListener('focus', () => stops().pop().focus());
  end.addEventListener('focus', () => close.focus());
  close.addEventListener('click', onClose);
  // requestClose() and the browser's own close requests end in `close` too.
  dialog.addEventListener('close', onClose);
  dialog.addEventListener('keydown', (e) => {
    if (e.key != 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    e.stopPropagation();
    onClose();
  });
  const gone = new MutationObserver(() => dialog.isConnected || onClose());
  doc.body.appendChild(dialog);
  for (const node of [doc.documentElement, doc.body]) gone.observe(node, { childList: true });
  style(dialog);
  try {
    dialog.showModal();
  } catch {
    dialog.setAttribute('open', '');
  }
  close.focus();
  lock(doc, 1);
  return [
    box,
    () => {
      gone.disconnect();
      const active = doc.activeElement;
      const ours = !active || active === doc.body || dialog.contains(active);
      if (dialog.open && dialog.close) dialog.close();
      dialog.remove();
      lock(doc);
      // The dialog on top keeps the focus; else it goes back where it was, if it was ours.
      if (ours && !doc.querySelector('dialog.vlens-modal[open]')) {
        const to = back(dialog);
        if (to && to.focus) to.focus();
      }
    },
  ];
};

// After session.update(): the language and labels of our box (a modal's are on its dialog),
// the iframe's size (a modal's fills the dialog) and title.
export const restyle = (box, frame, modal, lang, dir, label, closeLabel, width, height, title) => {
  if (box) {
    const root = modal ? box.parentNode : box;
    root.lang = lang;
    root.dir = dir;
    if (modal) {
      root.setAttribute('aria-label', label);
      root.querySelector('.vlens-close').setAttribute('aria-label', closeLabel);
    } else {
      box.style.width = css(width);
      if (!frame) box.style.minHeight = css(height);
    }
  }
  if (frame) {
    frame.title = title;
    if (!modal) {
      frame.style.height = css(height);
      if (!box) frame.style.width = css(width);
    }
  }
};

// Screens by the names the engine gives them (src/ui.rs, Screen::name): 'loading', 'error'
// (with "Try again" when `retry` is a text) and 'app' (nothing of ours: the app is on show).
export const show = (box, screen, text, retry, onRetry, minHeight) => {
  const doc = box.ownerDocument;
  const frame = box.querySelector('iframe');
  const old = box.querySelector('.vlens-state');
  // Focus on a screen that goes (after "Try again", say) moves on with it, not to <body>.
  const focused = old && old.contains(doc.activeElement);
  if (old) old.remove();
  const app = screen == 'app';
  box.classList.toggle('vlens-busy', !app);
  // Holds the iframe's place while there is none, so the page does not jump.
  box.style.minHeight = frame ? '' : css(minHeight);
  if (app) {
    if (focused && frame) frame.focus();
    return;
  }
  const error = screen == 'error';
  const layer = el(doc, 'div', 'vlens-state vlens-' + screen, { role: error ? 'alert' : 'status' }, box);
  if (!error) el(doc, 'span', 'vlens-spinner', { 'aria-hidden': 'true' }, layer);
  const message = el(doc, 'p', 'vlens-message', { tabindex: -1 }, layer);
  message.textContent = text;
  if (retry) {
    const button = el(doc, 'button', 'vlens-retry', { type: 'button' }, layer);
    button.textContent = retry;
    button.addEventListener('click', onRetry);
  }
  // An error is announced (role="alert") wherever the user is, but takes focus only from the
  // widget itself or from nowhere (the body): what they are typing elsewhere stays theirs.
  const active = doc.activeElement;
  const ours = !active || active === doc.body || (box.closest('dialog') || box).contains(active);
  if (focused || (error && ours)) {
    // The least scrolling that shows it: a plain focus() would put it at the top of the window.
    message.focus({ preventScroll: true });
    if (message.scrollIntoView) message.scrollIntoView({ block: 'nearest' });
  }
};
