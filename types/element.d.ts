/**
 * vlens-widget/element: importing it defines `<vlens-verification>` (once; `dist/vlens.js`
 * defines it too).
 *
 * ```html
 * <vlens-verification token-url="/api/vlens/session" height="700"></vlens-verification>
 * ```
 * Attributes: `token-url`, `base-url`, `height`, `width`, `min-height`, `max-height`,
 * `auto-resize` (`"false"` turns it off), `allow`, `title`. It mounts when connected and a
 * provider is set, destroys on removal, remounts once when `token-url` or `base-url`
 * changes; `vlens:*` events bubble from it.
 * @packageDocumentation
 */
import type { TokenProvider, VlensEventMap, VlensOptions, VlensSession } from './index.js';

/** The `<vlens-verification>` element. */
export interface VlensVerificationElement extends HTMLElement {
  /** Any provider form; overrides the `token-url` attribute. Setting a new one (re)mounts. */
  tokenProvider: TokenProvider | undefined;
  /** Options (callbacks included), merged under the attributes; read when the session mounts. */
  options: VlensOptions;
  /** The mounted session, `null` when none. */
  readonly session: VlensSession | null;
  addEventListener<K extends keyof VlensEventMap>(type: K, listener: (this: VlensVerificationElement, ev: VlensEventMap[K]) => any, options?: boolean | AddEventListenerOptions): void;
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
