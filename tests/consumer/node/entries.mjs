// Every entry by `import` in Node without a DOM: nothing throws, exports as documented.
import * as core from 'vlens-widget';
import * as react from 'vlens-widget/react';
import * as vue from 'vlens-widget/vue';
import * as element from 'vlens-widget/element';
import * as script from 'vlens-widget/script';
import pkg from 'vlens-widget/package.json' with { type: 'json' };

console.log(JSON.stringify({
  core: Object.keys(core).sort(), react: Object.keys(react).sort(), vue: Object.keys(vue).sort(),
  element: Object.keys(element).sort(), script: Object.keys(script).sort(), version: pkg.version,
  element_class: typeof element.VlensVerificationElement, global: typeof globalThis.Vlens,
}));
