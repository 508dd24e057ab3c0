// dist/vlens.js (classic script, global `Vlens`): the core and <vlens-verification>.
import { mountVlens, VlensError } from './entry.js';
import { defineVlensElement } from './element-core.js';

defineVlensElement(mountVlens);
export { mountVlens, VlensError };
