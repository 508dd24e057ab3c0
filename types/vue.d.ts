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

/**
 * Mounts the flow into `elRef`'s element in `onMounted` (and when the element appears),
 * destroys it in `onBeforeUnmount`. A change of `baseUrl` or of the provider's URL
 * remounts once; callbacks and a function provider are read when called; other options
 * when the session mounts.
 */
export declare function useVlens(
  elRef: MaybeRefOrGetter<HTMLElement | null | undefined>,
  tokenProvider: MaybeRef<TokenProvider>,
  options?: MaybeRefOrGetter<VlensOptions | undefined>,
): UseVlensReturn;

/** Props of {@link VlensVerification}: `tokenProvider` and every `mountVlens` option except the callbacks. */
export interface VlensVerificationProps
  extends Omit<VlensOptions, 'onReady' | 'onStep' | 'onResize' | 'onComplete' | 'onCancel' | 'onError' | 'onEvent' | 'apiKey' | 'ApiKey'> {
  tokenProvider: TokenProvider;
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
