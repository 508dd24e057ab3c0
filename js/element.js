// vlens-widget/element: importing it defines <vlens-verification> (once).
import { mountVlens } from './entry.js';
import { defineVlensElement } from './element-core.js';

export const VlensVerificationElement = defineVlensElement(mountVlens);
