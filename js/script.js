// dist/vlens.js (classic script, global `Vlens`): the core and <vlens-verification>. A page
// that loads this script will verify, so the module starts compiling now, off the main thread.
import { mountVlens, preload, VlensError } from './entry.js';
import { defineVlensElement } from './element-core.js';

defineVlensElement(mountVlens);
if (typeof document != 'undefined') preload();
export { mountVlens, preload, VlensError };
