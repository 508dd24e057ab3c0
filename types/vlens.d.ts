/**
 * vlens-widget/script (`dist/vlens.js`): the classic script. Loading it defines the global
 * `Vlens` and `<vlens-verification>`. Script-tag users get these types with
 * `/// <reference types="vlens-widget/script" />` (or `import type {} from 'vlens-widget/script'`).
 * @packageDocumentation
 */
import type { mountVlens, preload, VlensError } from './index.js';
import type {} from './element.js';

/** The global that `dist/vlens.js` defines. */
export interface VlensGlobal {
  mountVlens: typeof mountVlens;
  preload: typeof preload;
  VlensError: typeof VlensError;
}

declare global {
  /** Defined by `<script src=".../vlens.js">`. */
  // eslint-disable-next-line no-var
  var Vlens: VlensGlobal;
}
