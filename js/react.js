'use client';
// vlens-widget/react: <VlensVerification> and useVlens(). See types/react.d.ts.
import { createElement, forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { mountVlens } from './entry.js';
import { fail, follow, mountArgs, mountKey, stateFrom } from './state.js';

const INITIAL = { session: null, state: 'idle', step: null, error: null, result: null };

export function useVlens(tokenProvider, options) {
  const [el, ref] = useState(null);
  const [view, setView] = useState(INITIAL);
  // The latest props, read when a callback or a function provider is called.
  const latest = useRef(null);
  latest.current = { tokenProvider, options };
  // [session, the options it has, mountVlens's options (for reporting)] while mounted.
  const mounted = useRef(null);
  const key = mountKey(tokenProvider, options);
  const open = !options || options.open !== false;

  useEffect(() => {
    if (!el || !open) return undefined;
    let live = true; // false once this mount's cleanup ran: a destroyed session reports nothing
    let session = null;
    const update = (patch) => { if (live) setView((v) => ({ ...v, ...patch })); };
    const [provider, opts] = mountArgs(() => latest.current, (type, detail, call) => {
      if (!session) return;
      const patch = {};
      const next = stateFrom(type, detail);
      if (next) patch.state = next;
      if (type === 'vlens:step') patch.step = detail.step;
      if (type === 'vlens:error') patch.error = detail;
      if (Object.keys(patch).length) update(patch);
      // Ended by itself (the user closed the dialog, the flow ended it, destroy()): say so.
      if (type === 'vlens:destroy' && live) call('onOpenChange', false);
    });
    try {
      session = mountVlens(el, provider, opts);
    } catch (e) {
      update({ state: 'error', error: fail(e, opts) });
      return () => { live = false; setView(INITIAL); };
    }
    mounted.current = [session, latest.current.options, opts];
    setView({ ...INITIAL, session, state: session.state });
    session.result.then((result) => update({ result, state: session.state }));
    return () => {
      live = false;
      mounted.current = null;
      session.destroy();
      setView(INITIAL);
    };
  }, [el, key, open]);

  // After every render: options that changed reach the live session (or warn).
  useEffect(() => {
    const m = mounted.current;
    if (m && m[1] !== options) {
      follow(m[0], m[1], options, (e) => fail(e, m[2]));
      m[1] = options;
    }
  });

  return { ref, ...view };
}

const OWN = new Set(['tokenProvider', 'className', 'style', 'id', 'children']);

export const VlensVerification = forwardRef(function VlensVerification(props, forwarded) {
  const options = {};
  for (const name of Object.keys(props)) if (!OWN.has(name)) options[name] = props[name];
  const { ref, session } = useVlens(props.tokenProvider, options);
  useImperativeHandle(forwarded, () => session, [session]);
  return createElement('div', { ref, className: props.className, style: props.style, id: props.id });
});
