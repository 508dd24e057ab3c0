// The same renders through `require` (CommonJS builds of the entries).
const { createElement } = require('react');
const { renderToString } = require('react-dom/server');
const { createSSRApp, h } = require('vue');
const { renderToString: vueRender } = require('vue/server-renderer');
const { VlensVerification } = require('vlens-widget/react');
const V = require('vlens-widget/vue');

(async () => {
  console.log(JSON.stringify({
    react: renderToString(createElement(VlensVerification, { tokenProvider: '/api/vlens/session', className: 'kyc', id: 'vlens' })),
    vue: await vueRender(createSSRApp({ render: () => h(V.VlensVerification, { tokenProvider: '/api/vlens/session', class: 'kyc', id: 'vlens' }) })),
  }));
})();
