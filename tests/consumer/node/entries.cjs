// Every entry by `require` in Node without a DOM.
const core = require('vlens-widget');
const react = require('vlens-widget/react');
const vue = require('vlens-widget/vue');
const element = require('vlens-widget/element');
const script = require('vlens-widget/script');
const pkg = require('vlens-widget/package.json');

console.log(JSON.stringify({
  core: Object.keys(core).sort(), react: Object.keys(react).sort(), vue: Object.keys(vue).sort(),
  element: Object.keys(element).sort(), script: Object.keys(script).sort(), version: pkg.version,
  element_class: typeof element.VlensVerificationElement, global: typeof globalThis.Vlens,
}));
