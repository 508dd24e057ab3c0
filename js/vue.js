// vlens-widget/vue: <VlensVerification> and useVlens(). See types/vue.d.ts.
import { defineComponent, h, onBeforeUnmount, onMounted, shallowRef, toRef, toValue, unref, watchEffect } from 'vue';
import { mountVlens } from './entry.js';
import { OPTIONS } from './options.js';
import { fail, follow, mountArgs, mountKey, stateFrom } from './state.js';

export function useVlens(elRef, tokenProvider, options) {
  const session = shallowRef(null);
  const state = shallowRef('idle');
  const step = shallowRef(null);
  const error = shallowRef(null);
  const result = shallowRef(null);
  // A function is a provider, not a getter: the provider is a plain value or a ref.
  const latest = () => ({ tokenProvider: unref(tokenProvider), options: toValue(options) });
  let stop = () => {};
  let at; // [element, mount key, open] of the session running now
  let m; // [session, the options it has, mountVlens's options]

  // Runs (after render) whenever the element, the provider or an option changes.
  const sync = () => {
    const { tokenProvider: p, options: o } = latest();
    const now = [toValue(elRef), mountKey(p, o), !o || o.open !== false];
    if (at && now.every((x, i) => x === at[i])) {
      // The same session: options that changed reach it (or warn).
      if (m) follow(m[0], m[1], o, (e) => fail(e, m[2]));
      if (m) m[1] = o;
      return;
    }
    at = now;
    stop();
    stop = () => {};
    m = null;
    if (!now[0] || !now[2]) return;
    let live = true; // false once destroyed by us: a destroyed session reports nothing
    let s = null;
    const [provider, opts] = mountArgs(latest, (type, detail, call) => {
      if (!live || !s) return;
      const next = stateFrom(type, detail);
      if (next) state.value = next;
      if (type === 'vlens:step') step.value = detail.step;
      if (type === 'vlens:error') error.value = detail;
      // Ended by itself (the user closed the dialog, the flow ended it, destroy()): say so.
      if (type === 'vlens:destroy') call('onOpenChange', false);
    });
    step.value = error.value = result.value = null;
    try {
      s = mountVlens(now[0], provider, opts);
    } catch (e) {
      error.value = fail(e, opts);
      state.value = 'error';
    }
    stop = () => {
      live = false;
      if (s) s.destroy();
      session.value = null;
      state.value = 'idle';
    };
    if (!s) return;
    m = [s, o, opts];
    session.value = s;
    state.value = s.state;
    s.result.then((r) => { if (live) { result.value = r; state.value = s.state; } });
  };

  let unwatch;
  onMounted(() => { unwatch = watchEffect(sync, { flush: 'post' }); });
  onBeforeUnmount(() => {
    unwatch();
    stop();
  });
  return { session, state, step, error, result };
}

// `<VlensVerification debug>` is `true`, and a boolean left out stays undefined (the default).
const BOOL = { type: Boolean, default: undefined };
// (tokenProvider's forms are checked by mountVlens, reported as an `error` event.)
const props = { tokenProvider: { required: true }, open: BOOL };
// Every option but the callbacks, which are events here.
for (const name in OPTIONS) if (OPTIONS[name][0] !== 'f') props[name] = OPTIONS[name][1] === 'b' ? BOOL : null;

export const VlensVerification = defineComponent({
  props,
  // Events: each `vlens:*` event's detail (`step`, `complete`…), `state` ({ state }) and
  // `update:open` (v-model:open), typed in types/vue.d.ts. No runtime `emits` list, to stay
  // within the wrappers' 1.5 KB: its listeners then fall through to the <div> as DOM listeners
  // of names nothing dispatches there (the core's DOM events are `vlens:*`), and `emit`
  // reaches them all the same.
  setup(props, { emit, expose }) {
    const el = shallowRef(null);
    // (mountArgs leaves `tokenProvider` out; an option left out is `undefined`, its default.)
    const options = () => ({
      ...props,
      onEvent: (type, detail) => emit(type.slice(6), detail),
      onOpenChange: (open) => emit('update:open', open),
    });
    const v = useVlens(el, toRef(props, 'tokenProvider'), options);
    expose({
      get session() { return v.session.value; },
      refresh() { this.session?.refresh(); },
      destroy() { this.session?.destroy(); },
    });
    return () => h('div', { ref: el });
  },
});
