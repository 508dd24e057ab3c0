// One mount under a DOM emulation, as a component test would do:
//   node dom.mjs <jsdom|happy-dom> <import|require>
// The emulated window's globals are copied onto globalThis (what Vitest's environments do).
import { createRequire } from 'node:module';

const [env, how] = process.argv.slice(2);
let win;
let close = () => {};
if (env === 'jsdom') {
  const { JSDOM } = await import('jsdom');
  win = new JSDOM('<!doctype html><div id="kyc"></div>', { url: 'http://localhost:3000/' }).window;
  close = () => win.close();
} else {
  const { Window } = await import('happy-dom');
  win = new Window({ url: 'http://localhost:3000/', settings: { disableIframePageLoading: true } });
  win.document.body.innerHTML = '<div id="kyc"></div>';
  close = () => win.happyDOM.close();
}
for (const k of Object.getOwnPropertyNames(win)) {
  if (!(k in globalThis)) { try { globalThis[k] = win[k]; } catch { /* read-only */ } }
}
for (const k of ['window', 'document', 'HTMLElement', 'Element', 'Node', 'Event', 'CustomEvent', 'EventTarget', 'HTMLIFrameElement', 'MessageEvent']) {
  Object.defineProperty(globalThis, k, { value: k === 'window' ? win : win[k], configurable: true, writable: true });
}
for (const k of ['addEventListener', 'removeEventListener', 'dispatchEvent']) globalThis[k] = win[k].bind(win);

process.on('uncaughtException', (e) => { console.log('ERROR', e.code, e.message); process.exit(1); });
// The module compiles asynchronously on the first mount: wait for what should appear.
const until = async (f) => { for (let i = 0; i < 250 && !f(); i++) await new Promise((r) => setTimeout(r, 20)); };
const { mountVlens } = how === 'require' ? createRequire(import.meta.url)('vlens-widget') : await import('vlens-widget');
const seen = [];
const el = document.getElementById('kyc');
el.addEventListener('vlens:token', (e) => seen.push(['dom', e.type, e.detail.reason]));
const session = mountVlens(el, ({ reason }) => { seen.push(['provider', reason]); return 'token-123'; }, {
  baseUrl: 'http://localhost:8081',
  onEvent: (type) => seen.push(['event', type]),
});
await until(() => el.querySelector('iframe'));
const iframe = el.querySelector('iframe');
const out = { state: session.state, src: iframe && iframe.getAttribute('src'), allow: iframe && iframe.getAttribute('allow'), seen: seen.slice() };
session.destroy();
out.result = await session.result;
out.after = el.querySelectorAll('iframe').length;

// The error screen (it focuses its message and scrolls it into view where the DOM can), then
// "Try again", and a modal closed by its button: none of it may throw where the emulation
// lacks constructed stylesheets, scrollIntoView or showModal.
let fail = true;
const retried = mountVlens(el, () => (fail ? Promise.reject(new Error('down')) : 'token-456'), { baseUrl: 'http://localhost:8081', retries: 0 });
await new Promise((r) => setTimeout(r, 50));
out.error = [retried.state, el.querySelector('.vlens-message') && el.querySelector('.vlens-message').textContent];
fail = false;
el.querySelector('.vlens-retry').click();
await new Promise((r) => setTimeout(r, 50));
out.retried = [retried.state, !!el.querySelector('iframe')];
retried.destroy();
const modal = mountVlens(null, () => 'token-789', { baseUrl: 'http://localhost:8081', mode: 'modal' });
await new Promise((r) => setTimeout(r, 50));
document.querySelector('.vlens-close').click();
out.modal = [await modal.result, document.querySelectorAll('dialog').length];
console.log(JSON.stringify(out));
await close();
