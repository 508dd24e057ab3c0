// vlens-widget/vue: <VlensVerification> and useVlens(). See types/vue.d.ts.
import { defineComponent, h, onBeforeUnmount, onMounted, shallowRef, toRef, toValue, unref, watch } from 'vue';
import { mountVlens } from './entry.js';
import { mountArgs, mountKey, stateFrom } from './state.js';

export function useVlens(elRef, tokenProvider, options) {
  const session = shallowRef(null);
  const state = shallowRef('idle');
  const step = shallowRef(null);
  const error = shallowRef(null);
  const result = shallowRef(null);
  // A function is a provider, not a getter: the provider is a plain value or a ref.
  const latest = () => ({ tokenProvider: unref(tokenProvider), options: toValue(options) });
  let stop = () => {};

  function mount(el) {
    let live = true; // false once destroyed by us: a destroyed session reports nothing
    let s = null;
    const [provider, opts] = mountArgs(latest, (type, detail) => {
      if (!live || !s) return;
      const next = stateFrom(type, detail);
      if (next) state.value = next;
      if (type === 'vlens:step') step.value = detail.step;
      if (type === 'vlens:error') error.value = detail;
    });
    s = mountVlens(el, provider, opts);
    session.value = s;
    state.value = s.state;
    step.value = error.value = result.value = null;
    s.result.then((r) => { if (live) { result.value = r; state.value = s.state; } });
    stop = () => {
      live = false;
      s.destroy();
      session.value = null;
      state.value = 'idle';
    };
  }

  let unwatch = null;
  onMounted(() => {
    unwatch = watch(
      () => [toValue(elRef), mountKey(latest().tokenProvider, latest().options)],
      ([el, key], prev) => {
        if (prev && el === prev[0] && key === prev[1]) return;
        stop();
        stop = () => {};
        if (el) mount(el);
      },
      { immediate: true, flush: 'post' },
    );
  });
  onBeforeUnmount(() => {
    if (unwatch) unwatch();
    stop();
    stop = () => {};
  });
  return { session, state, step, error, result };
}

const EVENTS = ['token', 'load', 'ready', 'step', 'resize', 'complete', 'cancel', 'error', 'destroy', 'message'];
const n = Number;
const s = String;

export const VlensVerification = defineComponent({
  name: 'VlensVerification',
  props: {
    tokenProvider: { type: [String, Object, Function], required: true },
    baseUrl: s,
    height: [n, s],
    width: [n, s],
    minHeight: n,
    maxHeight: n,
    autoResize: { type: Boolean, default: undefined },
    allow: [s, Array],
    title: s,
    tokenTimeoutMs: n,
    retries: n,
    loadTimeoutMs: n,
    signal: Object,
  },
  emits: [...EVENTS, 'state'],
  setup(props, { emit, expose }) {
    const el = shallowRef(null);
    const options = () => {
      const o = {};
      for (const [k, v] of Object.entries(props)) if (k !== 'tokenProvider' && v !== undefined) o[k] = v;
      o.onEvent = (type, detail) => emit(type.slice(6), detail);
      return o;
    };
    const v = useVlens(el, toRef(props, 'tokenProvider'), options);
    expose({
      get session() { return v.session.value; },
      refresh: () => v.session.value && v.session.value.refresh(),
      destroy: () => v.session.value && v.session.value.destroy(),
    });
    return () => h('div', { ref: el });
  },
});
