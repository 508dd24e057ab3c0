/** Thrown synchronously by `mountVlens` for programmer errors; `code` is machine-readable. */
export class VlensError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'VlensError';
    this.code = code;
  }
}
