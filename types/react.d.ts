/**
 * vlens-widget/react: the Vlens flow as a React component and a hook (React 18+).
 * The entry starts with `'use client'`; importing it on the server is safe, and the
 * widget mounts only in the browser, after commit.
 *
 * ```tsx
 * import { VlensVerification } from 'vlens-widget/react';
 *
 * <VlensVerification
 *   tokenProvider={{ url: '/api/vlens/session', body: { phoneNumber: '+201234567890', allowedContractTypeIds: [414] } }}
 *   onComplete={({ data }) => console.log(data)}
 * />
 * ```
 * @packageDocumentation
 */
import type { CSSProperties, ForwardRefExoticComponent, RefAttributes, RefCallback } from 'react';
import type {
  TokenProvider, VlensErrorDetail, VlensOptions, VlensResult, VlensSession, VlensState,
} from './index.js';

/** The session's state, or `'idle'` before it is mounted (and after it is unmounted). */
export type VlensHookState = VlensState | 'idle';

/** What {@link useVlens} returns; every field is React state. */
export interface UseVlensResult {
  /** Put it on the container element: `<div ref={ref} />`. */
  readonly ref: RefCallback<HTMLElement>;
  /** The mounted session, `null` before mount and after unmount. */
  readonly session: VlensSession | null;
  /** The session's state; `'idle'` before mount. */
  readonly state: VlensHookState;
  /** The last `vlens:step`, `null` before one. */
  readonly step: string | null;
  /** The last `vlens:error` detail, `null` before one. */
  readonly error: VlensErrorDetail | null;
  /** The settled result, `null` until the session completes or is cancelled. */
  readonly result: VlensResult | null;
}

/** Whether the flow runs, in the way of Radix's and Headless UI's dialogs. */
export interface VlensOpenProps {
  /**
   * `false`: no session (a modal is closed). Default `true`: the flow starts when the
   * component mounts. Going from `false` to `true` starts a new session.
   */
  open?: boolean;
  /**
   * Called with `false` when the session ends by itself: the user closed the dialog, the flow
   * completed or was cancelled in a modal (after `onComplete` / `onCancel`), or `destroy()`
   * was called. Not called when `open` is set to `false` by the host. Pass your state's
   * setter so `open` follows: `open={open} onOpenChange={setOpen}`.
   */
  onOpenChange?: (open: boolean) => void;
}

/**
 * Mounts the flow into the element that receives `ref`, after commit. New identities of
 * callbacks, of `parseMessage` or of a function/object `tokenProvider` never remount (the
 * latest is called); a change of the provider's kind or URL, or of `baseUrl`, `allow`, `ui`
 * or `mode`, destroys the session and mounts a new one; a change of another option applies
 * to the live session, or warns (README, "What a change does"). What a destroyed session
 * reports (StrictMode's first mount, a remount) never reaches the returned state.
 */
export declare function useVlens(tokenProvider: TokenProvider, options?: VlensOptions & VlensOpenProps): UseVlensResult;

/** Props of {@link VlensVerification}: `tokenProvider`, every `mountVlens` option, `open` and `onOpenChange`, and the container's `className`, `style`, `id`. */
export interface VlensVerificationProps extends VlensOptions, VlensOpenProps {
  /** Where session tokens come from (every form `mountVlens` accepts). */
  tokenProvider: TokenProvider;
  /** Class of the container `<div>`. */
  className?: string;
  /** Style of the container `<div>`. */
  style?: CSSProperties;
  /** Id of the container `<div>`. */
  id?: string;
}

/**
 * Renders one `<div>` and mounts the flow into it after commit. `ref` receives the
 * {@link VlensSession} (`null` before mount and after unmount). Change `key` to start over.
 */
export declare const VlensVerification: ForwardRefExoticComponent<VlensVerificationProps & RefAttributes<VlensSession | null>>;
