// CommonJS consumer (node16 resolution): `require` of every entry is typed.
import core = require('vlens-widget');
import react = require('vlens-widget/react');
import vue = require('vlens-widget/vue');
import element = require('vlens-widget/element');

const s = core.mountVlens(document.body, '/api/vlens/session', { height: 700 });
s.refresh();
console.log(typeof react.useVlens, typeof vue.useVlens, element.VlensVerificationElement);
// @ts-expect-error: no such export
core.mount;
