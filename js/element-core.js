// <vlens-verification>: the custom element, shared by dist/element.js and dist/vlens.js.
// Defining it is a no-op without a DOM (Node) and when the name is already taken.
import { mountKey } from './state.js';

const ATTRS = {
  'token-url': null, 'base-url': 'baseUrl', height: 'height', width: 'width',
  'min-height': 'minHeight', 'max-height': 'maxHeight', 'auto-resize': 'autoResize',
  allow: 'allow', title: 'title',
};
const NUMBERS = new Set(['minHeight', 'maxHeight']);
const LENGTHS = new Set(['height', 'width']);

/** Defines `<vlens-verification>` (once) with this `mountVlens`; returns the element's class or `undefined`. */
export function defineVlensElement(mountVlens) {
  if (typeof customElements === 'undefined' || typeof HTMLElement === 'undefined') return undefined;
  const existing = customElements.get('vlens-verification');
  if (existing) return existing;

  class VlensVerificationElement extends HTMLElement {
    static get observedAttributes() { return Object.keys(ATTRS); }

    constructor() {
      super();
      this._provider = undefined;
      this._options = {};
      this._session = null;
      this._key = null;
    }

    get tokenProvider() { return this._provider; }
    set tokenProvider(p) {
      const changed = p !== this._provider;
      this._provider = p;
      if (changed) this._update(true);
    }

    get options() { return this._options; }
    set options(o) { this._options = o || {}; }

    get session() { return this._session; }

    _effective() {
      const provider = this._provider != null ? this._provider : this.getAttribute('token-url');
      const opts = { ...this._options };
      for (const [attr, name] of Object.entries(ATTRS)) {
        const v = this.getAttribute(attr);
        if (!name || v === null) continue;
        if (name === 'autoResize') opts.autoResize = v !== 'false';
        else if (NUMBERS.has(name)) opts[name] = Number(v);
        else if (LENGTHS.has(name)) opts[name] = /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
        else opts[name] = v;
      }
      return [provider, opts];
    }

    // (Re)mounts when connected with a provider, and when the provider or base URL changed.
    _update(force) {
      const [provider, opts] = this._effective();
      if (!this.isConnected || provider == null || provider === '') return this._stop();
      const key = mountKey(provider, opts);
      if (this._session && !force && key === this._key) return undefined;
      this._stop();
      this._key = key;
      this._session = mountVlens(this, provider, opts);
      return undefined;
    }

    _stop() {
      const s = this._session;
      this._session = null;
      this._key = null;
      if (s) s.destroy();
    }

    connectedCallback() {
      // Properties set before the element was defined shadow the accessors: re-set them.
      for (const p of ['tokenProvider', 'options']) {
        if (Object.prototype.hasOwnProperty.call(this, p)) {
          const v = this[p];
          delete this[p];
          this[p] = v;
        }
      }
      this._update(false);
    }
    disconnectedCallback() { this._stop(); }
    attributeChangedCallback(name, oldValue, newValue) {
      if (oldValue === newValue || !this.isConnected) return;
      if (name === 'token-url' || name === 'base-url') this._update(false);
    }
  }
  customElements.define('vlens-verification', VlensVerificationElement);
  return VlensVerificationElement;
}
