// The package as users install it: the packed tarball's file list, package.json's
// contract, and a fresh temporary folder where the tarball is installed from the
// registry's react, vue, jsdom, happy-dom, typescript and vue-tsc. There: every entry by
// `import` and `require` in Node without a DOM, one mount under jsdom and under happy-dom,
// React's renderToString and vue/server-renderer (React rule (5)), and the consumer type
// tests of tests/consumer/ (tsc, tsc with node16 resolution, vue-tsc).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { dryRunFiles, pack, repo, node } from './pack.mjs';
import { readmeExamples } from './readme-examples.mjs';

const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const ENTRIES = ['index', 'react', 'vue', 'element'];
const SHIPPED = [
  'LICENSE', 'README.md', 'package.json',
  'docs/behaviour.md', 'docs/protocol.md', 'docs/server.md',
  ...ENTRIES.flatMap((e) => [`dist/${e}.js`, `dist/${e}.cjs`, `dist/${e}.d.ts`, `dist/${e}.d.cts`, `dist/${e}.dev.js`, `dist/${e}.dev.cjs`]),
  'dist/vlens.js', 'dist/script.cjs', 'dist/vlens.d.ts', 'dist/vlens.d.cts', 'dist/vlens.dev.js', 'dist/script.dev.cjs',
  // The testing kit (tests/e2e/testing.test.mjs) and the fake app's command: no development build.
  ...['testing', 'fake-app'].flatMap((e) => [`dist/${e}.js`, `dist/${e}.cjs`, `dist/${e}.d.ts`, `dist/${e}.d.cts`]), 'dist/fake-app-cli.js',
].sort();

test('npm pack --dry-run lists exactly the shipped files', () => {
  assert.deepEqual(dryRunFiles(), SHIPPED);
});

test('package.json: exports with types/import/require (and the development build) for every entry, optional peers, sideEffects, prepack, repository', () => {
  const kit = ['./testing', './fake-app'];
  const subpaths = ['.', './react', './vue', './element', './script', ...kit];
  assert.deepEqual(Object.keys(pkg.exports).sort(), [...subpaths, './package.json'].sort());
  assert.equal(pkg.exports['./package.json'], './package.json');
  for (const sp of subpaths) {
    const e = pkg.exports[sp];
    assert.deepEqual(Object.keys(e), ['import', 'require'], `${sp}: import and require`);
    for (const cond of ['import', 'require']) {
      if (kit.includes(sp)) {
        assert.deepEqual(Object.keys(e[cond]), ['types', 'default'], `${sp} ${cond}: types first (the kit has no development build)`);
      } else {
        assert.deepEqual(Object.keys(e[cond]), ['types', 'development', 'default'], `${sp} ${cond}: types first, then development, then default`);
        assert.equal(e[cond].development, e[cond].default.replace(/(\.c?js)$/, '.dev$1'), `${sp} ${cond}: the development build beside the default`);
      }
      for (const f of Object.values(e[cond])) assert.ok(SHIPPED.includes(f.slice(2)), `${sp} ${cond}: ${f} is shipped`);
    }
    assert.match(e.require.default, /\.cjs$/, `${sp}: require gets CommonJS`);
    assert.match(e.require.types, /\.d\.cts$/);
  }
  assert.deepEqual(pkg.peerDependencies, { react: '>=18', vue: '>=3.3' });
  assert.deepEqual(pkg.peerDependenciesMeta, { react: { optional: true }, vue: { optional: true } });
  assert.deepEqual(pkg.sideEffects.sort(), ['./dist/element.cjs', './dist/element.dev.cjs', './dist/element.dev.js', './dist/element.js', './dist/script.cjs', './dist/script.dev.cjs', './dist/vlens.dev.js', './dist/vlens.js']);
  assert.equal(pkg.scripts.prepack, 'npm run build');
  assert.ok(pkg.repository && pkg.repository.url, 'a repository');
  assert.equal(pkg.main, './dist/index.cjs');
  assert.equal(pkg.types, './dist/index.d.ts');
  assert.deepEqual(pkg.bin, { 'vlens-fake-app': './dist/fake-app-cli.js' });
});

test("dist/react.js and dist/react.cjs start with 'use client'; the wrappers import the core next to them and stay within 1.5 KiB gzipped", () => {
  for (const f of ['react.js', 'react.cjs']) assert.match(fs.readFileSync(path.join(repo, 'dist', f), 'utf8'), /^"use client";/);
  for (const e of ['react', 'vue', 'element']) {
    const esm = fs.readFileSync(path.join(repo, 'dist', `${e}.js`), 'utf8');
    assert.match(esm, /from"\.\/index\.js"/, `${e}.js imports ./index.js`);
    assert.match(fs.readFileSync(path.join(repo, 'dist', `${e}.dev.js`), 'utf8'), /from"\.\/index\.dev\.js"/, `${e}.dev.js imports ./index.dev.js`);
    assert.ok(esm.length < 8000, `${e}.js is a small wrapper, not a second copy of the wasm (${esm.length} bytes)`);
    const gz = gzipSync(esm, { level: 9 }).length;
    assert.ok(gz <= 1536, `${e}.js stays within 1.5 KiB gzipped (${gz} bytes)`);
    assert.match(fs.readFileSync(path.join(repo, 'dist', `${e}.cjs`), 'utf8'), /require\("\.\/index\.cjs"\)/);
  }
});

test("the README's relative links resolve to files in the tarball", () => {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
  assert.ok(links.length > 0);
  for (const l of links) assert.ok(SHIPPED.includes(l.replace(/^\.\//, '')), `README links to ${l}, which is not in the tarball`);
});

// ---------------------------------------------------------------- a fresh install

let dir;
before(() => {
  const tarball = pack();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vlens-consumer-'));
  fs.cpSync(path.join(repo, 'tests', 'consumer'), dir, { recursive: true });
  // The README's Vue examples, type-checked by vue-tsc with the rest (src/*.vue).
  const examples = readmeExamples();
  for (const name of ['vue', 'vue-modal']) fs.writeFileSync(path.join(dir, 'src', `readme-${name}.vue`), examples[name]);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'vlens-consumer', private: true, type: 'module',
    dependencies: {
      'vlens-widget': `file:${tarball}`,
      react: '^19.2.0', 'react-dom': '^19.2.0', '@types/react': '^19.2.0', vue: '^3.5.0',
      jsdom: '^27.4.0', 'happy-dom': '^21.0.0', typescript: '^5.9.3', 'vue-tsc': '^3.0.0',
    },
  }, null, 2));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

const run = (...args) => JSON.parse(node(args, path.join(dir, 'node')).trim().split('\n').at(-1));

test('every entry by import and by require in Node, without a DOM', () => {
  const expected = {
    core: ['VlensError', 'mountVlens', 'preload'], react: ['VlensVerification', 'useVlens'], vue: ['VlensVerification', 'useVlens'],
    element: ['VlensVerificationElement'], version: pkg.version, element_class: 'undefined', global: 'object',
  };
  assert.deepEqual(run('entries.mjs'), { ...expected, script: [] });
  assert.deepEqual(run('entries.cjs'), { ...expected, script: ['VlensError', 'mountVlens', 'preload'] });
});

for (const env of ['jsdom', 'happy-dom']) {
  for (const how of ['import', 'require']) {
    test(`one mount under ${env} (${how})`, () => {
      const r = run('dom.mjs', env, how);
      assert.equal(r.src, 'http://localhost:8081/session?token=token-123');
      assert.equal(r.allow, 'camera; microphone');
      assert.deepEqual(r.seen.filter((e) => e[0] !== 'event'), [['dom', 'vlens:token', 'initial'], ['provider', 'initial']]);
      assert.deepEqual(r.result, { status: 'destroyed' });
      assert.equal(r.after, 0);
      assert.deepEqual(r.error, ['error', 'We couldn’t start the verification. Check your connection and try again.']);
      assert.deepEqual(r.retried, ['loading', true], '"Try again" fetched a new token');
      assert.deepEqual(r.modal, [{ status: 'cancelled', data: { reason: 'closed' } }, 0]);
    });
  }
}

test('(5) React renderToString and vue/server-renderer in Node: the container with its class and id, nothing thrown', () => {
  assert.deepEqual(run('ssr.mjs'), {
    react: '<div class="kyc" style="max-width:720px" id="vlens"></div>',
    reactHook: '<div id="hooked" data-state="idle"></div>',
    vue: '<div class="kyc" id="vlens"></div>',
    vueComposable: '<div id="c" data-state="idle"></div>',
  });
  assert.deepEqual(run('ssr.cjs'), { react: '<div class="kyc" id="vlens"></div>', vue: '<div class="kyc" id="vlens"></div>' });
});

for (const [tool, project] of [['tsc', 'tsconfig.json'], ['tsc', 'tsconfig.node16.json'], ['tsc', 'tsconfig.node10.json'], ['vue-tsc', 'tsconfig.vue.json']]) {
  test(`consumer types: ${tool} -p ${project} (with @ts-expect-error lines)`, () => {
    const bin = path.join(dir, 'node_modules', '.bin', tool);
    try {
      execFileSync(bin, ['-p', project], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      assert.fail(`${tool} -p ${project}:\n${err.stdout}${err.stderr}`);
    }
  });
}
