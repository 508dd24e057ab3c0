// Script-tag consumer: the global `Vlens` that dist/vlens.js defines.
/// <reference types="vlens-widget/script" />
const s = Vlens.mountVlens(document.body, '/api/vlens/session');
s.destroy();
const e: Error = new Vlens.VlensError('INVALID_ARGUMENT', 'x');
// @ts-expect-error: not a function of the global
Vlens.mount(document.body, '/x');
console.log(e);
export {};
