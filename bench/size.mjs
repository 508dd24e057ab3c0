// Section 1 of the bench: bytes a host ships. Every implementation is bundled by esbuild the
// same way (bundle, minify, browser platform) as an ES module and as a classic script, then
// measured raw, gzip level 9 and brotli quality 11. Ours is measured as built in dist/.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const PEERS = [
  { id: 'veriff', name: 'Veriff', pkg: '@veriff/incontext-sdk', exports: 'named' },
  { id: 'persona', name: 'Persona', pkg: 'persona', exports: 'both' },
  { id: 'sumsub', name: 'Sumsub', pkg: '@sumsub/websdk', exports: 'default' },
  { id: 'penpal', name: 'Penpal', pkg: 'penpal', exports: 'named' },
  { id: 'iframeResizer', name: 'iframe-resizer', pkg: '@iframe-resizer/parent', exports: 'default' },
];

export function measureBytes(buf) {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf);
  return {
    min: b.length,
    gzip: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
    }).length,
  };
}

// Re-export everything the package offers, so nothing is tree-shaken away: a host that uses
// the SDK ships all of its entry point's reachable code.
function entrySource(peer) {
  const lines = [];
  if (peer.exports !== 'default') lines.push(`export * from '${peer.pkg}';`);
  if (peer.exports !== 'named') lines.push(`export { default } from '${peer.pkg}';`);
  return lines.join('\n');
}

async function bundle({ root, contents, resolveDir, format, outfile }) {
  await build({
    absWorkingDir: root,
    stdin: { contents, resolveDir, sourcefile: 'bench-entry.js', loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format,
    globalName: format === 'iife' ? 'BenchLib' : undefined,
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'error',
    outfile,
  });
  return readFileSync(outfile);
}

/**
 * Bundles the baseline and the peers into `outDir` (`<id>.esm.js`, `<id>.iife.js`; the
 * classic scripts define the global `BenchLib`) and measures everything.
 */
export async function sizes({ root, outDir }) {
  const result = {};
  const targets = [
    { id: 'baseline', name: 'baseline', contents: "export * from './bench/baseline.js';", resolveDir: root },
    ...PEERS.map((p) => ({ ...p, contents: entrySource(p), resolveDir: root })),
  ];
  for (const t of targets) {
    const esm = await bundle({ root, contents: t.contents, resolveDir: t.resolveDir, format: 'esm', outfile: join(outDir, `${t.id}.esm.js`) });
    const iife = await bundle({ root, contents: t.contents, resolveDir: t.resolveDir, format: 'iife', outfile: join(outDir, `${t.id}.iife.js`) });
    result[t.id] = { es: measureBytes(esm), script: measureBytes(iife) };
  }

  // Ours, as shipped, plus the breakdown: the inlined wasm (base64 string) and the rest. If a
  // build ships the wasm as a separate file in dist/ instead, it is measured and added.
  const ours = {};
  const separate = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.wasm'));
  if (separate.length) ours.separateWasm = { files: separate.map((f) => `dist/${f}`), ...measureBytes(Buffer.concat(separate.map((f) => readFileSync(join(root, 'dist', f))))) };
  for (const [key, file] of [['es', 'dist/index.js'], ['script', 'dist/vlens.js']]) {
    const text = readFileSync(join(root, file), 'utf8');
    const b64 = longestBase64(text);
    ours[key] = {
      ...measureBytes(text),
      wasmBase64: b64 ? measureBytes(b64) : null,
      js: measureBytes(b64 ? text.replace(b64, '') : text),
    };
  }
  const wasm = join(root, 'pkg', 'vlens_widget_bg.wasm');
  if (existsSync(wasm)) ours.wasmBinary = measureBytes(readFileSync(wasm));
  result.ours = ours;
  writeFileSync(join(outDir, 'sizes.json'), JSON.stringify(result, null, 2));
  return result;
}

/** The inlined wasm: the longest base64 string literal in the file (null when not inlined). */
function longestBase64(text) {
  let best = null;
  for (const m of text.matchAll(/["'`]([A-Za-z0-9+/]{1024,}={0,2})["'`]/g)) if (!best || m[1].length > best.length) best = m[1];
  return best;
}
