// The packed package, as users get it: `npm pack` of the repository (the build under test
// must be in dist/) into .pack/, and npm installs into folders that use it. Installs are
// skipped when the folder already holds this exact tarball and these dependencies, so
// reruns are fast; the registry is only asked for what the npm cache lacks.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const packDir = path.join(repo, '.pack');
export const tarball = path.join(packDir, 'vlens-widget.tgz');

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

let packed = false;
/**
 * Packs the repository into .pack/vlens-widget.tgz (a fixed name, so examples can depend on
 * `file:../../.pack/vlens-widget.tgz`). `--ignore-scripts`: the test suite has just built
 * dist/ (`prepack` would build it again); a missing dist/ fails loudly.
 */
export function pack() {
  if (packed) return tarball;
  if (!fs.existsSync(path.join(repo, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  fs.mkdirSync(packDir, { recursive: true });
  const [info] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], repo));
  fs.renameSync(path.join(packDir, info.filename), tarball);
  packed = true;
  return tarball;
}

/** What `npm pack --dry-run` would ship: sorted paths. */
export function dryRunFiles() {
  const [info] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], repo));
  return info.files.map((f) => f.path).sort();
}

const sha = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * `npm install` in `dir` (which has its package.json) unless its node_modules already holds
 * this tarball and this package.json; then the tarball again if it changed.
 */
export function install(dir) {
  pack();
  const stamp = path.join(dir, 'node_modules', '.vlens-install');
  const want = `${sha(tarball)} ${sha(path.join(dir, 'package.json'))}`;
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return false;
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'], dir);
  // A file: dependency on an unchanged path is not reinstalled by npm: do it explicitly.
  fs.rmSync(path.join(dir, 'node_modules', 'vlens-widget'), { recursive: true, force: true });
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--no-save', tarball], dir);
  fs.writeFileSync(stamp, want);
  return true;
}

/** Runs `node <args>` in `cwd`; returns stdout, throws with stderr on failure. */
export function node(args, cwd) {
  try {
    return execFileSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`node ${args.join(' ')} failed:\n${err.stdout}\n${err.stderr}`);
  }
}
