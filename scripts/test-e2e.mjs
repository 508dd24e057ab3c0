// Runs the browser end-to-end tests in tests/e2e/ one file at a time with node's
// test runner (`node --test --test-concurrency=1 <files>`). Test files follow
// node's default naming (*.test.mjs, *-test.js, test-*.mjs, ...); other files in
// the folder are helpers. Listing the files ourselves keeps the behaviour the same
// across Node versions (directory arguments changed meaning in Node 21) and makes an
// empty or missing folder a no-op instead of a failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const dir = join(process.cwd(), 'tests', 'e2e');
const isTest = (name) =>
  /^(?:.*[._-]test|test-.*|test)\.[cm]?js$/.test(name) && !name.startsWith('.');

function collect(d) {
  return readdirSync(d, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.startsWith('.'))
    .flatMap((e) => (e.isDirectory() ? collect(join(d, e.name)) : isTest(e.name) ? [join(d, e.name)] : []))
    .sort();
}

const files = existsSync(dir) ? collect(dir) : [];
if (files.length === 0) {
  console.log('test:e2e: no test files in tests/e2e/, nothing to run');
  process.exit(0);
}
const args = ['--test', '--test-concurrency=1', ...files.map((f) => relative(process.cwd(), f)), ...process.argv.slice(2)];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
