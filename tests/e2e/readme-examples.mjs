// The README's usage examples (each block after an `<!-- example: NAME -->` marker), for the
// tests that run them (readme.test.mjs) and type-check them (package.test.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { repo } from './pack.mjs';

/** `{ name: code }` for every marked example of README.md. */
export function readmeExamples(text = fs.readFileSync(path.join(repo, 'README.md'), 'utf8')) {
  const out = {};
  for (const m of text.matchAll(/<!-- example: ([a-z-]+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)) out[m[1]] = `${m[2]}\n`;
  return out;
}
