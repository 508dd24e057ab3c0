// Size budget for the shipped files (issue 7). Bytes do not vary between runs, so unlike
// timings they can be a pass/fail check: `npm test` runs this right after `npm run build`.
//
//   node scripts/size-check.mjs            check dist/ against bench/size-budget.json
//   node scripts/size-check.mjs --update   write today's sizes as the new budget
//   --dist DIR --budget FILE                other paths (used by scripts/size-check.test.mjs)
//
// A file may grow up to ALLOWED_GROWTH over its budget (a little slack so small, deliberate
// fixes do not each need a budget change); beyond that the check fails and asks for a
// deliberate budget update with the reason in the commit message. Shrinking is only a note.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const ALLOWED_GROWTH = 0.02;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUDGET_FILE = 'bench/size-budget.json';

export const gzipSize = (buf) => gzipSync(buf, { level: 9 }).length;

/** Gzipped size of every file in `distDir`, keyed `dist/<name>`. */
export function measure(distDir) {
  const sizes = {};
  for (const name of readdirSync(distDir).sort()) sizes[`dist/${name}`] = gzipSize(readFileSync(join(distDir, name)));
  return sizes;
}

const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const num = (n) => n.toLocaleString('en-US');

/**
 * Compare measured gzip sizes with the budget. Returns `{ ok, report }`, `report` being the
 * human message to print. Growth beyond `allowed`, a shipped file with no budget, or a
 * budgeted file that is gone all fail: each is a change to what users download.
 */
export function check(sizes, budget, { allowed = ALLOWED_GROWTH, budgetName = BUDGET_FILE } = {}) {
  const lines = [`size check: gzip -9 of each shipped file against ${budgetName} (a file may grow ${(allowed * 100).toFixed(0)}% at most)`];
  const failures = [];
  const notes = [];
  const names = [...new Set([...Object.keys(budget), ...Object.keys(sizes)])].sort();
  const w = Math.max(...names.map((n) => n.length));
  for (const name of names) {
    const size = sizes[name];
    const limit = budget[name];
    if (size === undefined) {
      failures.push(`${name} has a budget but was not built (run npm run build; if it was removed on purpose, update the budget)`);
      continue;
    }
    if (limit === undefined) {
      lines.push(`  ${name.padEnd(w)}  ${num(size).padStart(8)} B  no budget`);
      failures.push(`${name} is a new shipped file with no budget`);
      continue;
    }
    const growth = size / limit - 1;
    const verdict = growth > allowed ? 'OVER BUDGET' : 'ok';
    lines.push(`  ${name.padEnd(w)}  ${num(size).padStart(8)} B  budget ${num(limit).padStart(8)} B  ${pct(growth).padStart(7)}  ${verdict}`);
    if (growth > allowed) failures.push(`${name} grew ${pct(growth)} over its budget (${num(size - limit)} bytes gzipped)`);
    else if (growth < -allowed) notes.push(`${name} is ${pct(-growth).slice(1)} under its budget: lock the gain in with \`npm run size -- --update\``);
  }
  for (const n of notes) lines.push(`note: ${n}`);
  if (failures.length) {
    lines.push('', 'SIZE CHECK FAILED:', ...failures.map((f) => `  - ${f}`), '',
      'Every byte here is downloaded by every host page. If the change is worth its bytes, update the',
      'budget deliberately and say why in the commit message:',
      '  npm run size -- --update   (rewrites bench/size-budget.json from dist/)',
      'Otherwise find what made the file bigger (npm run bench shows wasm and JS separately).');
  }
  return { ok: failures.length === 0, report: lines.join('\n') };
}

function main(args) {
  const opt = (name, dflt) => (args.includes(name) ? resolve(args[args.indexOf(name) + 1]) : dflt);
  const distDir = opt('--dist', join(root, 'dist'));
  if (!existsSync(distDir)) {
    console.error('size check: dist/ is missing; run npm run build first.');
    return 1;
  }
  const sizes = measure(distDir);
  const budgetPath = opt('--budget', join(root, BUDGET_FILE));
  if (args.includes('--update')) {
    const old = existsSync(budgetPath) ? JSON.parse(readFileSync(budgetPath, 'utf8')).gzip : {};
    writeFileSync(budgetPath, JSON.stringify({
      $comment: 'gzip -9 bytes of each shipped file; checked by `npm test` (scripts/size-check.mjs). Update only with `npm run size -- --update`, saying why in the commit message.',
      gzip: sizes,
    }, null, 2) + '\n');
    for (const [name, size] of Object.entries(sizes)) {
      const was = old[name] === undefined ? 'new' : `was ${num(old[name])} B`;
      console.log(`  ${name}: ${num(size)} B (${was})`);
    }
    console.log(`size budget written to ${BUDGET_FILE}; commit it with the reason for the change.`);
    return 0;
  }
  if (!existsSync(budgetPath)) {
    console.error(`size check: ${BUDGET_FILE} is missing; create it with npm run size -- --update.`);
    return 1;
  }
  const budgetName = relative(root, budgetPath).startsWith('..') ? budgetPath : relative(root, budgetPath);
  const { ok, report } = check(sizes, JSON.parse(readFileSync(budgetPath, 'utf8')).gzip, { budgetName });
  (ok ? console.log : console.error)(report);
  return ok ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
