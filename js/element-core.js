// <vlens-verification>: the custom element, shared by dist/element.js and dist/vlens.js.
// Defining it is a no-op without a DOM (Node) and when the name is already taken.
// Nothing it does throws into the page: what mountVlens or update() throws for a bad
// attribute or property is a `vlens:error` on the element.
import { OPTIONS } from './options.js';
import { fail, follow, mountArgs, mountKey } from './state.js';

// Attribute name (the option's name in kebab-case) → option name, for every option with an attribute kind.
const ATTRS = {};
for (const name in OPTIONS) if (OPTIONS[name][1]) ATTRS[name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())] = name;

const fire = (el, type, detail) => el.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));

/** Defines `<vlens-verification>` (once) with this `mountVlens`; returns the element's class or `undefined`. */
export function defineVlensElement(mountVlens) {
  if (typeof customElements === 'undefined' || typeof HTMLElement === 'undefined') return undefined;
  const existing = customElements.get('vlens-verification');
  if (existing) return existing;

  class VlensVerificationElement extends HTMLElement {
    static get observedAttributes() { return ['token-url', 'open', ...Object.keys(ATTRS)]; }

    // Short names, as they are not minified: _p the tokenProvider property, _o the options
    // property, _s the session, _k its mount key, _n { tokenProvider, options } as it should
    // have them, _a mountVlens's options; _u() updates, _x() stops.

    get tokenProvider() { return this._p; }
    set tokenProvider(p) {
      this._p = p;
      this._u();
    }

    get options() { return (this._o ??= {}); }
    set options(o) {
      this._o = o;
      this._u();
    }

    get session() { return this._s || null; }

    // (Re)mounts when connected with a provider and open, and when the mount key changed;
    // otherwise brings the live session in line with the attributes and options.
    _u() {
      const tokenProvider = this._p ?? this.getAttribute('token-url');
      let options = this._o ?? {};
      if (typeof options === 'object') {
        options = { ...options };
        for (const attr in ATTRS) {
          const v = this.getAttribute(attr);
          const name = ATTRS[attr];
          const kind = OPTIONS[name][1];
          if (v !== null) options[name] = kind === 'b' ? v !== 'false' : kind === 'n' && v > '' && !isNaN(v) ? +v : v;
        }
      }
      if (!this.isConnected || !tokenProvider || this.getAttribute('open') === 'false') return this._x();
      const key = mountKey(tokenProvider, options);
      const before = this._n?.options;
      this._n = { tokenProvider, options };
      const report = (e) => fire(this, 'vlens:error', fail(e, this._a));
      if (this._s && key === this._k) return follow(this._s, before, options, report);
      this._x();
      this._k = key;
      let s;
      const [provider, args] = mountArgs(() => this._n, (type) => {
        // Ended by itself (the user closed the dialog, the flow ended it, destroy()), not by
        // _x(): the `open` attribute follows, as a <dialog>'s does, and `vlens:openchange` says so.
        if (type === 'vlens:destroy' && this._s === s) {
          queueMicrotask(() => {
            this.setAttribute('open', 'false');
            fire(this, 'vlens:openchange', { open: false });
          });
        }
      });
      this._a = args;
      try {
        // Options that are not an object: mountVlens says what is wrong (a vlens:error).
        s = this._s = mountVlens(this, provider, typeof options === 'object' ? args : options);
      } catch (e) {
        report(e);
      }
      return undefined;
    }

    _x() {
      const s = this._s;
      this._s = this._k = null;
      s?.destroy();
    }

    connectedCallback() {
      // Properties set before the element was defined shadow the accessors: re-set them.
      for (const p of ['tokenProvider', 'options']) {
        if (this.hasOwnProperty(p)) {
          const v = this[p];
          delete this[p];
          this[p] = v;
        }
      }
      this._u();
    }
    // moveBefore(): the session and its iframe stay exactly as they are.
    connectedMoveCallback() {}
    // Any other move is a removal and an insertion in the same task: the session stays.
    disconnectedCallback() {
      queueMicrotask(() => this._u());
    }
    attributeChangedCallback(name, oldValue, newValue) {
      if (oldValue !== newValue) this._u();
    }
  }
  customElements.define('vlens-verification', VlensVerificationElement);
  return VlensVerificationElement;
}
