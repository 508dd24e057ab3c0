/**
 * vlens-widget/element: importing it defines `<vlens-verification>` (once; `dist/vlens.js`
 * defines it too).
 *
 * ```html
 * <vlens-verification token-url="/api/vlens/session" height="700"></vlens-verification>
 * ```
 * Attributes: `token-url`, `open`, and every option of `mountVlens` that is a string, number
 * or boolean, in kebab-case (`base-url`, `height`, `width`, `min-height`, `max-height`,
 * `auto-resize`, `allow`, `title`, `token-timeout-ms`, `retries`, `load-timeout-ms`,
 * `locale`, `ui`, `mode`, `ready-on`, `debug`; a boolean is `false` only as `"false"`).
 * It mounts when connected, open and given a provider; a change applies to the live session,
 * starts a new one or warns, as the README's table of options says. It ends its session
 * when removed (not when moved), or when `open="false"`; when the session ends by itself
 * (the user closed the dialog, the flow ended a modal) it sets `open="false"` and fires
 * `vlens:openchange` (`{ open: false }`). It never throws into the page: a bad attribute
 * or property is a `vlens:error` (`INVALID_ARGUMENT`) on it. `vlens:*` events bubble from it.
 * @packageDocumentation
 */
import type { TokenProvider, VlensEventMap, VlensOptions, VlensSession } from './index.js';

/** Detail of `vlens:openchange`, fired when the session ended by itself. */
export interface VlensOpenChangeDetail {
  readonly open: false;
}

/** The element's own events, besides the `vlens:*` events of its session. */
export interface VlensElementEventMap extends VlensEventMap {
  'vlens:openchange': CustomEvent<VlensOpenChangeDetail>;
}

/** The `<vlens-verification>` element. */
export interface VlensVerificationElement extends HTMLElement {
  /**
   * Any provider form; overrides the `token-url` attribute. A change of its kind or URL
   * starts a new session; a new function is the one called next time.
   */
  tokenProvider: TokenProvider | undefined;
  /**
   * Options (callbacks included), merged under the attributes. Setting a new object applies
   * its changes as the attributes' do; the latest callbacks are the ones called.
   */
  options: VlensOptions;
  /** The mounted session, `null` when none. */
  readonly session: VlensSession | null;
  addEventListener<K extends keyof VlensElementEventMap>(type: K, listener: (this: VlensVerificationElement, ev: VlensElementEventMap[K]) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: VlensVerificationElement, ev: HTMLElementEventMap[K]) => any, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/** The element's class (`undefined` where there is no DOM, e.g. in Node). */
export declare const VlensVerificationElement: { new (): VlensVerificationElement; prototype: VlensVerificationElement } | undefined;

declare global {
  interface HTMLElementTagNameMap {
    'vlens-verification': VlensVerificationElement;
  }
}
