// Shorter names at the boundary between the wasm and its wasm-bindgen glue. wasm-bindgen names
// each import `__wbg_<name>_<16 hex digits>` and some exports after mangled Rust paths; every
// such name ships twice (in the wasm and in the glue) and its hash does not compress at all.
// Here both sides are renamed to one- or two-letter names, and the wasm's custom sections
// (`producers`, `target_features`: metadata nothing reads at run time) are dropped.
// Used by scripts/build.mjs before the wasm is inlined.

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** 'a', 'b', …, 'Z', 'aa', 'ab', …: the n-th short name. */
function short(n) {
  let s = LETTERS[n % LETTERS.length];
  for (n = Math.floor(n / LETTERS.length); n > 0; n = Math.floor(n / LETTERS.length) - 1) {
    s = LETTERS[(n - 1) % LETTERS.length] + s;
  }
  return s;
}

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

const name = (s) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([leb(b.length), b]);
};

/** A reader over a wasm buffer. */
function reader(buf, pos = 0) {
  return {
    get pos() { return pos; },
    seek(p) { pos = p; },
    byte: () => buf[pos++],
    u32() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = buf[pos++];
        result |= (b & 0x7f) << shift;
        if (!(b & 0x80)) return result >>> 0;
        shift += 7;
      }
    },
    str() {
      const len = this.u32();
      const s = buf.toString('utf8', pos, pos + len);
      pos += len;
      return s;
    },
    skipLimits() {
      const flags = this.byte();
      this.u32();
      if (flags & 1) this.u32();
    },
  };
}

/**
 * Renames the glue-owned imports (module `./<out-name>_bg.js`) and every export but `memory`
 * in both `wasm` (a Buffer) and `glue` (the glue's source text), and drops exports the glue
 * never uses; returns both.
 */
export function shortNames(wasm, glue) {
  const bg = /^\.\/[\w-]+_bg\.js$/;
  const out = [wasm.subarray(0, 8)];
  const renames = []; // [old, new] for the glue
  let next = 0;
  const r = reader(wasm, 8);
  while (r.pos < wasm.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    const body = wasm.subarray(start, start + size);
    const s = reader(wasm, start);
    if (id === 0) {
      // custom section: dropped
    } else if (id === 2) {
      const parts = [];
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        const module = s.str();
        const field = s.str();
        const descStart = s.pos;
        const kind = s.byte();
        if (kind === 0) s.u32();
        else if (kind === 1) { s.byte(); s.skipLimits(); }
        else if (kind === 2) s.skipLimits();
        else if (kind === 3) { s.byte(); s.byte(); }
        else throw new Error(`short-names: unknown import kind ${kind}`);
        let field2 = field;
        if (bg.test(module)) {
          field2 = short(next++);
          renames.push([field, field2]);
        }
        parts.push(name(module), name(field2), wasm.subarray(descStart, s.pos));
      }
      const section = Buffer.concat([leb(count), ...parts]);
      out.push(Buffer.from([id]), leb(section.length), section);
    } else if (id === 7) {
      const parts = [];
      let kept = 0;
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        const field = s.str();
        const descStart = s.pos;
        s.byte();
        s.u32();
        let field2 = field;
        if (field !== 'memory') {
          // An export the glue never uses (wasm-bindgen's abort hooks) is dropped.
          if (!new RegExp(`wasm\\.${field}\\b`).test(glue)) continue;
          field2 = short(next++);
          renames.push([`wasm.${field}`, `wasm.${field2}`]);
        }
        kept++;
        parts.push(name(field2), wasm.subarray(descStart, s.pos));
      }
      const section = Buffer.concat([leb(kept), ...parts]);
      out.push(Buffer.from([id]), leb(section.length), section);
    } else {
      out.push(Buffer.from([id]), leb(size), body);
    }
    r.seek(start + size);
  }
  let text = glue;
  for (const [from, to] of renames) {
    const re = new RegExp(`${from.replace(/[.$]/g, '\\$&')}\\b`, 'g');
    const before = text;
    text = text.replace(re, to);
    if (text === before) throw new Error(`short-names: the glue never names ${from}`);
  }
  return { wasm: Buffer.concat(out), glue: text };
}
