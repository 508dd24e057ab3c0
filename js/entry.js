// Published entry of vlens-widget (bundled by scripts/build.mjs into dist/).
// Importing it does nothing but define functions: no window/document access,
// so server-side rendering can import it. The wasm is inlined (deflated, base64) and
// inflated and instantiated synchronously on the first mountVlens() call.
import { initSync, mountVlens as mountVlensWasm } from '../pkg/vlens_widget.js';
import inflate from 'tiny-inflate';
import wasmDeflated, { size as wasmSize } from 'vlens:wasm';

import { VlensError } from './error.js';

export { VlensError };

let initialised = false;

function decodeBase64(b64) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(b64);
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function ensureInit() {
  if (initialised) return;
  try {
    initSync({ module: inflate(decodeBase64(wasmDeflated), new Uint8Array(wasmSize)) });
  } catch (cause) {
    // Almost always a Content-Security-Policy without 'wasm-unsafe-eval': say so.
    const err = new VlensError(
      'WASM_BLOCKED',
      `vlens-widget could not compile its WebAssembly (${cause && cause.message}): if the page sends a Content-Security-Policy, add 'wasm-unsafe-eval' to script-src`,
    );
    err.cause = cause;
    throw err;
  }
  initialised = true;
}

/**
 * Mount the Vlens iframe into `element`. See types/index.d.ts for the contract.
 * @param {Element | string} element
 * @param {unknown} tokenProvider
 * @param {object} [options]
 */
export function mountVlens(element, tokenProvider, options) {
  ensureInit();
  return mountVlensWasm(element, tokenProvider, options);
}
