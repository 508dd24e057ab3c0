// Tests of the size check itself (node --test; run by `npm test` after `npm run size`).
// They grow a temporary copy of the built script-tag file, never dist/ itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, gzipSize, measure } from './size-check.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'scripts', 'size-check.mjs');
const built = join(root, 'dist', 'vlens.js');

// Incompressible but reproducible filler (xorshift), so the gzipped size grows by about as
// many bytes as are appended and the test does not depend on Math.random.
function filler(n, seed = 0x9e3779b9) {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A copy of `buf` whose gzipped size is at least `factor` × that of `buf`, and barely so. */
function grown(buf, factor) {
  const target = Math.ceil(gzipSize(buf) * factor);
  const withFiller = (n) => Buffer.concat([buf, Buffer.from('\n//'), filler(n)]);
  // The smallest amount of filler that reaches the target (gzip grows with it).
  let lo = 0;
  let hi = 2 * (target - gzipSize(buf)) + 256;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (gzipSize(withFiller(mid)) >= target) hi = mid; else lo = mid + 1;
  }
  return withFiller(lo);
}

/** Run the real CLI on a temporary dist/ holding vlens.js grown by `factor`. */
function runGrown(factor) {
  const dir = mkdtempSync(join(tmpdir(), 'vlens-size-'));
  try {
    const original = readFileSync(built);
    const dist = join(dir, 'dist');
    mkdirSync(dist);
    // The budget is today's size of the real file; the copy is the "change" under test.
    writeFileSync(join(dir, 'budget.json'), JSON.stringify({ gzip: { 'dist/vlens.js': gzipSize(original) } }));
    writeFileSync(join(dist, 'vlens.js'), grown(original, factor));
    return spawnSync(process.execPath, [script, '--dist', dist, '--budget', join(dir, 'budget.json')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the built script-tag file exists (npm run build first)', () => {
  assert.ok(existsSync(built), 'dist/vlens.js is missing: run npm run build');
});

test('a 3% growth of the script-tag file fails, telling how to update the budget', () => {
  const r = runGrown(1.03);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /dist\/vlens\.js grew \+3\.0% over its budget/);
  assert.match(r.stderr, /npm run size -- --update/);
  assert.match(r.stderr, /commit message/);
});

test('a 1% growth of the script-tag file passes', () => {
  const r = runGrown(1.01);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /dist\/vlens\.js .* \+1\.0%\s+ok/);
});

test('shrinking is a note, a new shipped file or a vanished one fails', () => {
  const budget = { 'dist/a.js': 1000, 'dist/b.js': 1000 };
  const shrunk = check({ 'dist/a.js': 900, 'dist/b.js': 1000 }, budget);
  assert.equal(shrunk.ok, true);
  assert.match(shrunk.report, /note: dist\/a\.js is 10\.0% under its budget/);
  assert.equal(check({ ...budget, 'dist/c.js': 10 }, budget).ok, false);
  assert.equal(check({ 'dist/a.js': 1000 }, budget).ok, false);
});

test('the real dist/ is measured file by file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vlens-size-'));
  try {
    copyFileSync(built, join(dir, 'vlens.js'));
    assert.deepEqual(Object.keys(measure(dir)), ['dist/vlens.js']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
