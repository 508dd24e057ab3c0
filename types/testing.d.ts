/**
 * vlens-widget/testing: make the widget's app "say" something in your own tests, with no
 * app loaded and no knowledge of the wire format. Works under jsdom, happy-dom and in real
 * browsers; importing it is safe without a DOM.
 *
 * ```ts
 * import { simulate } from 'vlens-widget/testing';
 *
 * simulate(session, 'step', { step: 'kyc' });
 * simulate(container, 'completed', { sessionId: 'abc' });
 * ```
 * @packageDocumentation
 */
import type { VlensSession } from './index.js';

/** What the widget's app can say: each becomes the widget's event of docs/protocol.md. */
export interface VlensSimulatedData {
  /** `vlens:ready`. */
  ready: unknown;
  /** `vlens:step`: the step's name, a non-empty string. */
  step: { step: string };
  /** `vlens:resize`: the app's content height in CSS pixels, above 0. */
  resize: { height: number };
  /** `vlens:complete` with this `data`; the session's `result` settles. */
  completed: unknown;
  /** `vlens:cancel` with this `data`; the session's `result` settles. */
  cancelled: unknown;
  /** `vlens:error` with `code: 'APP_ERROR'` and `appCode` = `code`. */
  error: { code?: string; message?: string; recoverable?: boolean };
  /** `vlens:token` (`reason: 'expired'`): the token provider is asked again. */
  'token-expired': unknown;
}

/** A type of message the app says. */
export type VlensSimulatedType = keyof VlensSimulatedData;

/**
 * A session, the element it was mounted in (or any element holding its one iframe), or a
 * `<vlens-verification>`.
 */
export type VlensSimulateTarget = VlensSession | Element;

/**
 * Dispatches, on the widget's window, the `message` event that the app's `postMessage` would
 * cause: from the widget iframe's own window and its exact origin, in the v1 envelope. The
 * widget handles it at once: its callbacks and events have run when this returns.
 *
 * @throws {Error} when `target` has no widget iframe yet (it is created once the token
 *   provider has answered: await it, e.g. `await waitFor(() => simulate(target, 'ready'))`),
 *   when its session has ended, for an unknown `type`, or for a `step` without `step` or a
 *   `resize` without a positive `height`.
 */
export function simulate<T extends 'step' | 'resize'>(target: VlensSimulateTarget, type: T, data: VlensSimulatedData[T]): void;
export function simulate<T extends Exclude<VlensSimulatedType, 'step' | 'resize'>>(target: VlensSimulateTarget, type: T, data?: VlensSimulatedData[T]): void;
