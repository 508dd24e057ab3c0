// Bundles the wasm-pack output (pkg/, and pkg-dev/ for the development build) into dist/:
//   dist/index.js / index.cjs   the core (mountVlens, preload, VlensError) as ES module / CommonJS
//   dist/vlens.js               classic script: the global `Vlens` and <vlens-verification>
//   dist/react.js|vue.js|element.js (+ .cjs)  the wrappers, importing the core next to them
//   dist/*.dev.js|*.dev.cjs     the same from pkg-dev/ (the `development` export condition)
//   dist/*.d.ts (+ .d.cts)      copied from types/
// The wasm is inlined, deflated then base64 (virtual module `vlens:wasm`), and compiled and
// instantiated asynchronously by js/entry.js, so consumers need no bundler configuration.
// Run after `wasm-pack build ... --out-dir pkg[-dev] --out-name vlens_widget` (npm run build).
import { deflateAsync } from '@gfx/zopfli';
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shortNames } from './short-names.mjs';
import { createHash } from 'node:crypto';
import { gzipSync, inflateRawSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(root, 'dist');
const js = (name) => join(root, 'js', name);

/**
 * The build of one wasm-pack output: `pkg/` (features `tiny`) gives the shipped files,
 * `pkg-dev/` (features `tiny dev`: argument errors explained at length, src/error.rs) gives
 * the same files named `*.dev.*`, which the `development` export condition selects.
 */
async function variant(pkgDir, suffix) {
  const wasmPath = join(pkgDir, 'vlens_widget_bg.wasm');
  const gluePath = join(pkgDir, 'vlens_widget.js');
  for (const f of [wasmPath, gluePath]) {
    if (!existsSync(f)) {
      console.error(`build.mjs: ${relative(root, f)} is missing; run wasm-pack build first (npm run build does both).`);
      process.exit(1);
    }
  }

  const { wasm, glue } = shortNames(readFileSync(wasmPath), readFileSync(gluePath, 'utf8'));
  // Deflated before base64: gzip cannot see through base64, so a host serving the bundle
  // compressed ships about 10 KB less this way; js/entry.js inflates it with DecompressionStream.
  // Zopfli writes plain deflate about 7% smaller than zlib's level 9 (2.5 KB here), in seconds.
  const deflated = Buffer.from(await deflateAsync(wasm, { numiterations: 15 }));
  if (!inflateRawSync(deflated).equals(wasm)) throw new Error('build.mjs: zopfli output does not inflate back to the wasm');
  const wasmDeflated = deflated.toString('base64');
  // Names this build's module page-wide, so copies of it (script tag + ES module) compile it once.
  const wasmHash = createHash('sha256').update(wasm).digest('hex').slice(0, 16);

  /** @type {import('esbuild').Plugin} */
  const vlensPlugin = {
    name: 'vlens',
    setup(b) {
      // (a) the inlined wasm, and the glue with the same short names (scripts/short-names.mjs)
      b.onResolve({ filter: /^vlens:wasm$/ }, () => ({ path: 'wasm', namespace: 'vlens-wasm' }));
      b.onResolve({ filter: /^\.\.\/pkg\/vlens_widget\.js$/ }, () => ({ path: gluePath }));
      b.onLoad({ filter: /[\\/]vlens_widget\.js$/ }, (args) =>
        (args.path === gluePath ? { contents: glue, loader: 'js', resolveDir: pkgDir } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'vlens-wasm' }, () => ({
        contents: `export default ${JSON.stringify(wasmDeflated)}; export const hash = ${JSON.stringify(wasmHash)};`,
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
    bundle: true,
    minify: true,
    target: 'es2020',
    platform: 'neutral',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [vlensPlugin],
    // The glue's init, when given no module, computes `new URL('vlens_widget_bg.wasm',
    // import.meta.url)`; js/entry.js always passes the compiled module, and the define keeps
    // the iife and CJS builds free of import.meta.
    define: { 'import.meta.url': '"about:blank"' },
  };

  /**
   * The framework entries import the core as `./entry.js`: in dist/ that is the core
   * bundle next to them (`./index.js` or `./index.cjs`, `.dev` ones for the development
   * build), so an app that uses both `vlens-widget` and `vlens-widget/react` carries the
   * wasm once and shares one registry of live sessions. `react` and `vue` stay imports of
   * the app's own copies.
   */
  const coreExternal = (ext) => ({
    name: 'vlens-core-external',
    setup(b) {
      b.onResolve({ filter: /^\.\/entry\.js$/ }, (args) =>
        args.importer.endsWith(`${join('js', 'entry.js')}`) ? undefined : { path: `./index${suffix}${ext}`, external: true });
    },
  });
  const out = (name) => join(distDir, name.replace(/(\.c?js)$/, `${suffix}$1`));

  // The core: ES module, CommonJS (for `require`), and the classic script (global
  // `Vlens`, which also defines <vlens-verification>).
  await build({ ...common, entryPoints: [js('entry.js')], format: 'esm', outfile: out('index.js') });
  await build({ ...common, entryPoints: [js('entry.js')], format: 'cjs', outfile: out('index.cjs') });
  // `var Vlens` is global in a classic script; the footer makes it global too when a
  // bundler imports the file as a module (`import 'vlens-widget/script'`). The banner asks
  // V8 to compile every function at once, off the main thread while the script streams in,
  // rather than each on its first call (on the main thread, as the first mount runs).
  const toGlobal = 'typeof globalThis!=="undefined"&&(globalThis.Vlens=Vlens);';
  await build({
    ...common, entryPoints: [js('script.js')], format: 'iife', globalName: 'Vlens', outfile: out('vlens.js'),
    footer: { js: toGlobal }, banner: { js: '//# allFunctionsCalledOnLoad' },
  });
  // `require('vlens-widget/script')`: the same, sharing dist/index.cjs.
  await build({
    ...common, entryPoints: [js('script.js')], format: 'cjs', outfile: out('script.cjs'),
    plugins: [coreExternal('.cjs'), vlensPlugin], footer: { js: 'globalThis.Vlens=module.exports;' },
  });

  // The wrappers: small bundles importing the core next to them.
  for (const name of ['react', 'vue', 'element']) {
    for (const [format, ext] of [['esm', '.js'], ['cjs', '.cjs']]) {
      await build({
        ...common,
        entryPoints: [js(`${name}.js`)],
        format,
        outfile: out(`${name}${ext}`),
        external: ['react', 'vue'],
        plugins: [coreExternal(ext), vlensPlugin],
        // esbuild keeps the entry point's own `'use client'` on top of dist/react.*.
      });
    }
  }
  return wasmPath;
}

rmSync(distDir, { recursive: true, force: true });
mkdirSync(distDir, { recursive: true });
const wasmPath = await variant(join(root, 'pkg'), '');
await variant(join(root, 'pkg-dev'), '.dev');

// The testing kit (issue 17): `vlens-widget/testing` (simulate; never imports the core) and
// `vlens-widget/fake-app` (Node only) with its command. Not minified: they run in tests,
// where readable stack traces matter more than bytes, and never on a host page.
const kitCommon = { absWorkingDir: root, bundle: true, minify: false, target: 'es2020', platform: 'neutral', legalComments: 'none', logLevel: 'warning' };
for (const [format, ext] of [['esm', '.js'], ['cjs', '.cjs']]) {
  const kit = { ...kitCommon, format };
  await build({ ...kit, entryPoints: [js('testing.js')], outfile: join(distDir, `testing${ext}`) });
  await build({ ...kit, entryPoints: [js('fake-app.js')], outfile: join(distDir, `fake-app${ext}`), platform: 'node', target: 'node20' });
}
await build({
  ...kitCommon, entryPoints: [js('fake-app-cli.js')], outfile: join(distDir, 'fake-app-cli.js'),
  format: 'esm', platform: 'node', target: 'node20', external: ['./fake-app.js'],
});

// Declarations: each `.d.ts` also as `.d.cts` for `require` (the same text, with
// relative imports pointing at the `.cjs` siblings).
for (const name of ['index', 'react', 'vue', 'element', 'vlens', 'testing', 'fake-app']) {
  const text = readFileSync(join(root, 'types', `${name}.d.ts`), 'utf8');
  writeFileSync(join(distDir, `${name}.d.ts`), text);
  writeFileSync(join(distDir, `${name}.d.cts`), text.replace(/(from '\.\/[a-z]+)\.js'/g, "$1.cjs'"));
}

const fmt = (n) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const rows = [wasmPath, ...['index.js', 'index.cjs', 'vlens.js', 'react.js', 'vue.js', 'element.js'].map((f) => join(distDir, f))].map((f) => {
  const buf = readFileSync(f);
  return [relative(root, f), fmt(statSync(f).size), fmt(gzipSync(buf, { level: 9 }).length)];
});
const w = Math.max(...rows.map((r) => r[0].length));
console.log(`${'file'.padEnd(w)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}`);
for (const [f, raw, gz] of rows) console.log(`${f.padEnd(w)}  ${raw.padStart(10)}  ${gz.padStart(10)}`);
