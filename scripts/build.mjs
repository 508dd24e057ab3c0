// Bundles the wasm-pack output (pkg/) into dist/:
//   dist/index.js   ES module exporting mountVlens and VlensError
//   dist/vlens.js   classic script defining the global `Vlens`
//   dist/index.d.ts copied from types/index.d.ts
// The wasm is inlined as base64 (virtual module `vlens:wasm`) and instantiated
// synchronously by js/entry.js, so consumers need no bundler configuration.
// Run after `wasm-pack build ... --out-dir pkg --out-name vlens_widget`.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, rmSync, copyFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = join(root, 'pkg');
const distDir = join(root, 'dist');
const wasmPath = join(pkgDir, 'vlens_widget_bg.wasm');
const gluePath = join(pkgDir, 'vlens_widget.js');

for (const f of [wasmPath, gluePath]) {
  if (!existsSync(f)) {
    console.error(`build.mjs: ${relative(root, f)} is missing; run wasm-pack build first (npm run build does both).`);
    process.exit(1);
  }
}

const wasmBase64 = readFileSync(wasmPath).toString('base64');

/** @type {import('esbuild').Plugin} */
const vlensPlugin = {
  name: 'vlens',
  setup(b) {
    // (a) the inlined wasm
    b.onResolve({ filter: /^vlens:wasm$/ }, () => ({ path: 'wasm', namespace: 'vlens-wasm' }));
    b.onLoad({ filter: /.*/, namespace: 'vlens-wasm' }, () => ({
      contents: `export default ${JSON.stringify(wasmBase64)};`,
      loader: 'js',
    }));
    // (b) wasm-bindgen copies `#[wasm_bindgen(module = "/js/x.js")]` files to
    // pkg/snippets/<crate>-<hash>/js/x.js. Point those imports back at the source
    // file, so the class the wasm throws (js/error.js) is the very class the entry
    // re-exports and `instanceof VlensError` holds. Inline snippets (no source
    // file at the crate root) are left alone.
    b.onResolve({ filter: /(^|\/)snippets\/vlens-widget-[0-9a-f]+\// }, (args) => {
      const abs = resolve(args.resolveDir, args.path);
      const m = /[\\/]snippets[\\/]vlens-widget-[0-9a-f]+[\\/](.+)$/.exec(abs);
      if (!m) return undefined;
      const source = join(root, m[1]);
      return existsSync(source) ? { path: source } : undefined;
    });
  },
};

const common = {
  absWorkingDir: root,
  entryPoints: [join(root, 'js', 'entry.js')],
  bundle: true,
  minify: true,
  target: 'es2020',
  platform: 'neutral',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [vlensPlugin],
  // The glue's default async init (never called: we use initSync) computes
  // `new URL('vlens_widget_bg.wasm', import.meta.url)`. It is tree-shaken away;
  // the define keeps the iife build free of import.meta in any case.
  define: { 'import.meta.url': '"about:blank"' },
};

rmSync(distDir, { recursive: true, force: true });
mkdirSync(distDir, { recursive: true });

await build({ ...common, format: 'esm', outfile: join(distDir, 'index.js') });
await build({
  ...common,
  format: 'iife',
  globalName: 'Vlens',
  outfile: join(distDir, 'vlens.js'),
});
copyFileSync(join(root, 'types', 'index.d.ts'), join(distDir, 'index.d.ts'));

const fmt = (n) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const rows = [wasmPath, join(distDir, 'index.js'), join(distDir, 'vlens.js')].map((f) => {
  const buf = readFileSync(f);
  return [relative(root, f), fmt(statSync(f).size), fmt(gzipSync(buf, { level: 9 }).length)];
});
const w = Math.max(...rows.map((r) => r[0].length));
console.log(`${'file'.padEnd(w)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}`);
for (const [f, raw, gz] of rows) console.log(`${f.padEnd(w)}  ${raw.padStart(10)}  ${gz.padStart(10)}`);
