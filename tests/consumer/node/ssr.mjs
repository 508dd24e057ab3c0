// Server-side rendering in Node: React's renderToString and vue/server-renderer.
import { createElement, StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { createSSRApp, h } from 'vue';
import { renderToString as vueRender } from 'vue/server-renderer';
import { VlensVerification, useVlens } from 'vlens-widget/react';
import * as V from 'vlens-widget/vue';

function Hooked() {
  const v = useVlens('/api/vlens/session', {});
  return createElement('div', { ref: v.ref, id: 'hooked', 'data-state': v.state });
}
const provider = { url: '/api/vlens/session', body: { phoneNumber: '+201234567890' } };
const out = {
  react: renderToString(createElement(StrictMode, null, createElement(VlensVerification, { tokenProvider: provider, className: 'kyc', id: 'vlens', style: { maxWidth: 720 }, onComplete: () => {} }))),
  reactHook: renderToString(createElement(Hooked)),
  vue: await vueRender(createSSRApp({ render: () => h(V.VlensVerification, { tokenProvider: provider, class: 'kyc', id: 'vlens', onComplete: () => {} }) })),
  vueComposable: await vueRender(createSSRApp({
    setup() {
      const el = { value: null };
      const v = V.useVlens(el, '/api/vlens/session');
      return () => h('div', { id: 'c', 'data-state': v.state.value });
    },
  })),
};
console.log(JSON.stringify(out));
