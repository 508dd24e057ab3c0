/**
 * vlens-widget/vue: the Vlens flow as a Vue component and a composable (Vue 3.3+).
 *
 * ```vue
 * <VlensVerification
 *   :token-provider="{ url: '/api/vlens/session', body: { phoneNumber: '+201234567890', allowedContractTypeIds: [414] } }"
 *   @complete="({ data }) => console.log(data)"
 * />
 * ```
 *
 * Importing this entry (even only its types) also types `vlens:*` listeners in
 * templates: `<div @vlens:complete="(e) => e.detail.data">`.
 * @packageDocumentation
 */
import type { ComponentOptionsMixin, DefineComponent, MaybeRef, MaybeRefOrGetter, ShallowRef } from 'vue';
import type {
  TokenProvider, VlensCancelDetail, VlensCompleteDetail, VlensEmptyDetail, VlensErrorDetail,
  VlensEventMap, VlensMessageDetail, VlensOptions, VlensResizeDetail, VlensResult, VlensSession,
  VlensState, VlensStepDetail, VlensTokenDetail,
} from './index.js';

/** The session's state, or `'idle'` before it is mounted (and after it is unmounted). */
export type VlensComposableState = VlensState | 'idle';

/** What {@link useVlens} returns, as refs. */
export interface UseVlensReturn {
  readonly session: Readonly<ShallowRef<VlensSession | null>>;
  readonly state: Readonly<ShallowRef<VlensComposableState>>;
  readonly step: Readonly<ShallowRef<string | null>>;
  readonly error: Readonly<ShallowRef<VlensErrorDetail | null>>;
  readonly result: Readonly<ShallowRef<VlensResult | null>>;
}

/** Whether the flow runs (`useVlens`'s options; the component has the `open` prop and `update:open`). */
export interface VlensOpenOptions {
  /** `false`: no session (a modal is closed). Default `true`. From `false` to `true`: a new session. */
  open?: boolean;
  /** Called with `false` when the session ends by itself (see the component's `update:open`). */
  onOpenChange?: (open: boolean) => void;
}

/**
 * Mounts the flow into `elRef`'s element in `onMounted` (and when the element appears),
 * destroys it in `onBeforeUnmount`. A change of the provider's kind or URL, or of
 * `baseUrl`, `allow`, `ui` or `mode`, remounts once; callbacks, `parseMessage` and a
 * function provider are the latest when called; a change of another option applies to the
 * live session, or warns (README, "What a change does").
 */
export declare function useVlens(
  elRef: MaybeRefOrGetter<HTMLElement | null | undefined>,
  tokenProvider: MaybeRef<TokenProvider>,
  options?: MaybeRefOrGetter<(VlensOptions & VlensOpenOptions) | undefined>,
): UseVlensReturn;

/** Props of {@link VlensVerification}: `tokenProvider`, `open`, and every `mountVlens` option except the callbacks (which are events). */
export interface VlensVerificationProps
  extends Omit<VlensOptions, 'onReady' | 'onStep' | 'onResize' | 'onComplete' | 'onCancel' | 'onError' | 'onStateChange' | 'onEvent' | 'apiKey' | 'ApiKey'> {
  tokenProvider: TokenProvider;
  /**
   * `false`: no session (a modal is closed). Default `true`: the flow starts when the
   * component mounts. From `false` to `true`: a new session. With `v-model:open`, it
   * follows when the session ends by itself (see `update:open`).
   */
  open?: boolean;
}

/** Events of {@link VlensVerification}: each `vlens:*` event's `detail`, and `state`. */
export type VlensVerificationEmits = {
  token: (detail: VlensTokenDetail) => void;
  load: (detail: VlensEmptyDetail) => void;
  ready: (detail: VlensEmptyDetail) => void;
  step: (detail: VlensStepDetail) => void;
  resize: (detail: VlensResizeDetail) => void;
  complete: (detail: VlensCompleteDetail) => void;
  cancel: (detail: VlensCancelDetail) => void;
  error: (detail: VlensErrorDetail) => void;
  destroy: (detail: VlensEmptyDetail) => void;
  message: (detail: VlensMessageDetail) => void;
  state: (detail: { state: VlensComposableState }) => void;
  /**
   * `false` when the session ended by itself: the user closed the dialog, the flow completed
   * or was cancelled in a modal (after `complete` / `cancel`), or `destroy()` was called.
   * Not emitted when the host sets `open` to `false`. Makes `v-model:open` work.
   */
  'update:open': (open: boolean) => void;
};

/** What a template ref on {@link VlensVerification} exposes. */
export interface VlensVerificationExposed {
  /** The mounted session, `null` before mount and after unmount. */
  readonly session: VlensSession | null;
  refresh(): void;
  destroy(): void;
}

/** `<VlensVerification :token-provider="…" @complete="…" />`: one `<div>`, the flow mounted into it. */
export declare const VlensVerification: DefineComponent<
  VlensVerificationProps,
  VlensVerificationExposed,
  {}, {}, {}, ComponentOptionsMixin, ComponentOptionsMixin,
  VlensVerificationEmits
>;

type VlensTemplateEvents = { [K in keyof VlensEventMap as `on${Capitalize<K>}`]: VlensEventMap[K] };

declare module '@vue/runtime-dom' {
  // `@vlens:complete="(e) => …"` on an element: `e` is `CustomEvent<VlensCompleteDetail>`.
  // eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
  interface Events extends VlensTemplateEvents {}
}
