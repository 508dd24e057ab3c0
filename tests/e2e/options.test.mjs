// The one list of options (js/options.js) against everything else that names them, then the
// wrappers in Chromium: every option reaches mountVlens from each of them, and a change of
// each option on a mounted component or element does what the README's table says (one test
// per row, each run against React, Vue and the element).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { setup, settle, vlens } from './harness.mjs';
import { buildFixtures, sendFromApp } from './frameworks.mjs';
import { repo } from './pack.mjs';
import { distDir } from './server.mjs';
import { OPTIONS } from '../../js/options.js';

const NAMES = Object.keys(OPTIONS);
const cls = (n) => OPTIONS[n][0];
const kind = (n) => OPTIONS[n] && OPTIONS[n][1];
const kebab = (n) => n.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
const read = (f) => fs.readFileSync(path.join(repo, f), 'utf8');

// ---------------------------------------------------------------- the one list

test('src/options/mod.rs: the same options in the same order, and update() takes exactly the live ones', () => {
  const rs = read('src/options/mod.rs');
  const table = [...rs.slice(rs.indexOf('const OPTIONS')).matchAll(/^\s*\("(\w+)", Opt::(\w+(?:\(Callback::\w+\))?)\),$/gm)];
  assert.deepEqual(table.map((m) => m[1]), NAMES);
  const optOf = Object.fromEntries(table.map((m) => [m[2], m[1]]));
  const body = rs.slice(rs.indexOf('pub(crate) fn update<J>'), rs.indexOf('let cfg = read(entries, env)?;'));
  const live = [...body.matchAll(/Some\(Opt::(\w+)\) => Live::/g)].map((m) => optOf[m[1]]);
  assert.deepEqual(live.sort(), NAMES.filter((n) => cls(n) === 'l').sort(), 'the options session.update() takes are the live ones');
});

/** The properties of a type in types/, with their types as text (without `undefined`). */
function typeMembers(file, typeName) {
  const program = ts.createProgram([path.join(repo, 'types', file)], {
    strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(path.join(repo, 'types', file));
  const node = source.statements.find((s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === typeName);
  assert.ok(node, `${typeName} in types/${file}`);
  const type = checker.getTypeAtLocation(node.name);
  return Object.fromEntries(checker.getPropertiesOfType(type).map((p) => {
    const t = checker.getTypeOfSymbol(p);
    const parts = (t.isUnion() ? t.types : [t]).map((x) => checker.typeToString(x)).filter((x) => x !== 'undefined');
    return [p.name, parts];
  }));
}

test('types/index.d.ts: VlensOptions has every option, typed as the table says (attribute kinds, callbacks); VlensLiveOptions the live ones', () => {
  const members = typeMembers('index.d.ts', 'VlensOptions');
  delete members.apiKey; // `never`: refused by name, not options
  delete members.ApiKey;
  assert.deepEqual(Object.keys(members).sort(), [...NAMES].sort());
  for (const n of NAMES) {
    const parts = members[n];
    const fn = parts.every((p) => p.includes('=>'));
    const prim = parts.filter((p) => /^(string|number|boolean|true|false|"[^"]*"|`.*`)$/.test(p));
    const what = `${n}: ${parts.join(' | ')}`;
    assert.equal(cls(n) === 'f' || cls(n) === 'p', fn, `${what}: functions are the callbacks and parseMessage`);
    assert.equal(cls(n) === 'f', fn && /^on[A-Z]/.test(n), `${what}: callbacks are on*`);
    // An attribute exactly where the option can be a string, number or boolean.
    assert.equal(!!kind(n), prim.length > 0, `${what}: attribute kind '${kind(n) || ''}'`);
    if (kind(n) === 'b') assert.deepEqual(prim.sort(), ['false', 'true'], `${what}: a boolean attribute`);
    if (kind(n) === 'n') assert.ok(prim.includes('number'), `${what}: a number attribute`);
    if (kind(n) === 's') assert.ok(prim.length && !prim.some((p) => ['number', 'true', 'false'].includes(p)), `${what}: a text attribute`);
  }
  assert.deepEqual(Object.keys(typeMembers('index.d.ts', 'VlensLiveOptions')).sort(), NAMES.filter((n) => cls(n) === 'l').sort());
});

test('the components: React props and Vue props (types and runtime) have every option; Vue takes the callbacks as events', async () => {
  const react = typeMembers('react.d.ts', 'VlensVerificationProps');
  for (const n of [...NAMES, 'open', 'onOpenChange', 'tokenProvider']) assert.ok(n in react, `React prop ${n}`);
  const vueTypes = typeMembers('vue.d.ts', 'VlensVerificationProps');
  const vueWant = ['tokenProvider', 'open', ...NAMES.filter((n) => cls(n) !== 'f')];
  assert.deepEqual(Object.keys(vueTypes).sort(), [...vueWant].sort(), 'vue.d.ts props');
  const { VlensVerification } = await import(path.join(distDir, 'vue.js'));
  assert.deepEqual(Object.keys(VlensVerification.props).sort(), [...vueWant].sort(), 'dist/vue.js props');
  for (const n of vueWant) {
    // A boolean prop left out must stay undefined (its default), not become false.
    const isBool = kind(n) === 'b' || n === 'open';
    assert.equal(VlensVerification.props[n]?.type === Boolean, isBool, `${n}: Boolean prop`);
    if (isBool) assert.equal(VlensVerification.props[n].default, undefined);
  }
});

test("the element's attributes: token-url, open and every option of an attribute kind, in kebab-case", async () => {
  // dist/element.js defines the element only where there is a DOM: give it just enough of one.
  const saved = [globalThis.HTMLElement, globalThis.customElements];
  let defined = null;
  globalThis.HTMLElement = class {};
  globalThis.customElements = { get: () => undefined, define: (name, c) => { defined = c; } };
  try {
    await import(`${path.join(distDir, 'element.js')}?attributes`);
  } finally {
    [globalThis.HTMLElement, globalThis.customElements] = saved;
  }
  assert.ok(defined, 'the element was defined');
  assert.deepEqual(defined.observedAttributes, ['token-url', 'open', ...NAMES.filter(kind).map(kebab)]);
  const dts = read('types/element.d.ts');
  for (const n of NAMES.filter(kind)) assert.match(dts, new RegExp(`\`${kebab(n)}\``), `element.d.ts names ${kebab(n)}`);
});

/** The README's table of options: `[name, attribute, change]` per row. */
function readmeRows() {
  const readme = read('README.md');
  const at = readme.indexOf('<!-- options-table');
  assert.ok(at > 0, 'the README has the table of options');
  const lines = readme.slice(at).split('\n').slice(3);
  const rows = [];
  for (const line of lines) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    rows.push([cells[0].replace(/`/g, ''), cells[2].replace(/`/g, ''), cells[3]]);
  }
  return rows;
}

const CHANGE = { l: 'live', r: 'new session', w: 'warns', f: 'latest', p: 'latest (adding or removing it: new session)' };

test("README: the table of options lists every option, its attribute and what a change does, as the one list says", () => {
  const rows = readmeRows();
  assert.deepEqual(rows.map((r) => r[0]), NAMES);
  for (const [n, attr, change] of rows) {
    assert.equal(attr, kind(n) ? kebab(n) : '—', `${n}: attribute`);
    assert.equal(change, CHANGE[cls(n)], `${n}: a change`);
  }
  assert.match(read('docs/behaviour.md'), /README\.md#options/, 'behaviour.md points at the table instead of repeating it');
});

// ---------------------------------------------------------------- in the browser

let h;
before(async () => { await buildFixtures(); h = await setup(); });
after(async () => { await h?.close(); });

const ENTRIES = ['react', 'vue', 'element'];
const open = async (entry) => {
  const p = await h.open(`/fixtures/gen/entries.html?entry=${entry}`);
  p.render = (o) => p.evaluate((o) => W.render(o), o);
  p.W = (expr) => p.evaluate(new Function(`return (${expr});`));
  return p;
};

/** Two valid values of each option, `from` and `to` ({$fn}, {$signal}: see entries-app.js). */
const VALUES = (h) => ({
  baseUrl: [h.base('auto'), `${h.base('auto')}/b`],
  height: [480, 520],
  width: ['90%', 300],
  minHeight: [100, 150],
  maxHeight: [900, 800],
  autoResize: [true, false],
  allow: ['fullscreen', 'fullscreen; clipboard-write'],
  title: ['Verify', 'Verify now'],
  tokenTimeoutMs: [5000, 6000],
  retries: [1, 0],
  loadTimeoutMs: [20000, 25000],
  signal: [{ $signal: 'a' }, { $signal: 'b' }],
  locale: ['en', 'ar'],
  messages: [{ retry: 'Again' }, { retry: 'Once more' }],
  ui: [true, false],
  mode: ['inline', 'modal'],
  readyOn: ['load', 'message'],
  parseMessage: [{ $fn: 'from' }, { $fn: 'to' }],
  debug: [false, true],
  ...Object.fromEntries(NAMES.filter((n) => cls(n) === 'f').map((n) => [n, [{ $fn: 'from' }, { $fn: 'to' }]])),
});

test('every option reaches mountVlens from each wrapper (functions as ones that call the latest)', async () => {
  const values = VALUES(h);
  assert.deepEqual(Object.keys(values).sort(), [...NAMES].sort(), 'a value for every option: add one for a new option');
  const all = Object.fromEntries(NAMES.map((n) => [n, values[n][0]]));
  all.baseUrl = h.base('auto');
  for (const entry of ENTRIES) {
    const p = await open(entry);
    await p.render(all);
    await p.waitFor(() => W.mounts.length === 1 && !!document.querySelector('#vlens iframe'), null, { what: `${entry}: mounted` });
    const got = await p.W(`(() => {
      const o = W.mounts[0].options;
      const out = {};
      for (const [k, v] of Object.entries(o)) {
        out[k] = typeof v === 'function' ? 'function' : v instanceof AbortSignal ? (v === W.signals.a.signal ? 'signal a' : 'another signal') : v;
      }
      return out;
    })()`);
    // Vue: callbacks are events, so the component passes its own onEvent and nothing of the user's.
    const expected = NAMES.filter((n) => entry !== 'vue' || cls(n) !== 'f');
    for (const n of expected) {
      const want = typeof all[n] === 'object' && '$fn' in all[n] ? 'function' : typeof all[n] === 'object' && '$signal' in all[n] ? 'signal a' : all[n];
      assert.deepEqual(got[n], want, `${entry}: ${n}`);
    }
    // Functions reach it as ones that call the user's latest: call each.
    const called = await p.W(`(() => {
      const o = W.mounts[0].options;
      W.calls.length = 0;
      for (const n of ${JSON.stringify(expected.filter((n) => cls(n) === 'f' || cls(n) === 'p'))}) n === 'onEvent' ? o.onEvent('vlens:message', { n }) : o[n]({ n });
      return W.calls.map((c) => c[0] + ':' + (c.at(-1) && c.at(-1).n));
    })()`);
    const fns = expected.filter((n) => cls(n) === 'f' || cls(n) === 'p');
    assert.deepEqual(called.sort(), fns.map((n) => `from:${n}`).sort(), `${entry}: every function given is called`);
    assert.deepEqual(p.pageErrors, []);
    assert.deepEqual(await p.W('W.warns.filter((w) => w.includes("unknown option"))'), [], `${entry}: no unknown option`);
    await p.close();
  }
});

test('the Vue component with locale="ar" and mode="modal" opens an Arabic dialog', async () => {
  const p = await open('vue');
  await p.render({ baseUrl: h.base('auto'), locale: 'ar', mode: 'modal' });
  await p.waitFor(() => document.querySelector('dialog.vlens-modal')?.open && !!document.querySelector('dialog iframe'), null, { what: 'the dialog' });
  const d = await p.W(`(() => { const d = document.querySelector('dialog.vlens-modal'); return [d.lang, d.dir, d.getAttribute('aria-label'), d.querySelector('.vlens-close').getAttribute('aria-label')]; })()`);
  assert.deepEqual(d, ['ar', 'rtl', 'التحقق من الهوية', 'إغلاق']);
  assert.equal(await p.W('document.querySelector("#vlens").getAttribute("locale")'), null, 'no option falls through as an HTML attribute');
  await p.close();
});

// One test per row of the README's table: the change, on each wrapper.
for (const name of NAMES) {
  test(`a change of ${name} on a mounted component or element: ${CHANGE[cls(name)]}`, async () => {
    const [from, to] = VALUES(h)[name];
    for (const entry of ENTRIES) {
      if (entry === 'vue' && cls(name) === 'f') continue; // callbacks are events in Vue: the current listener is always the one called
      const p = await open(entry);
      const base = name === 'baseUrl' ? {} : { baseUrl: h.base('auto') };
      await p.render({ ...base, [name]: from });
      await p.waitFor(() => W.mounts.length === 1 && !!document.querySelector('iframe'), null, { what: `${entry}: mounted` });
      await p.evaluate(() => { document.querySelector('iframe').__mark = 'first'; });
      const tokens = await p.W('W.tokens');
      await p.render({ ...base, [name]: to });
      await settle(100);
      const what = `${entry}, ${name} ${JSON.stringify(from)} → ${JSON.stringify(to)}`;
      const [mounts, updates, warns, mark, iframes, state] = await p.W(`[W.mounts.length, W.mounts[0].updates, W.warns, document.querySelector('iframe') && document.querySelector('iframe').__mark, W.iframes(), W.mounts[0].session.state]`);
      if (cls(name) === 'r') {
        await p.waitFor(() => W.mounts.length === 2 && !!document.querySelector('iframe'), null, { what: `${what}: a new session` });
        assert.equal(await p.W('W.mounts[0].session.state'), 'destroyed', `${what}: the first session is destroyed`);
        assert.equal(await p.W('W.tokens'), tokens + 1, `${what}: one new token request`);
        assert.equal(await p.W('document.querySelector("iframe").__mark'), undefined, `${what}: a new iframe`);
        assert.equal(await p.W('W.iframes()'), 1, `${what}: one iframe`);
        assert.deepEqual(updates, [], `${what}: nothing updated`);
      } else {
        assert.equal(mounts, 1, `${what}: no new session`);
        assert.equal(state !== 'destroyed' && mark, 'first', `${what}: the same iframe`);
        assert.equal(iframes, 1);
        assert.equal(await p.W('W.tokens'), tokens, `${what}: no token request`);
        if (cls(name) === 'l') {
          assert.equal(updates.length, 1, `${what}: one update: ${JSON.stringify(updates)}`);
          assert.deepEqual(updates[0], { [name]: to }, `${what}: update() with the new value`);
          assert.deepEqual(warns, [], `${what}: no warning`);
        }
        if (cls(name) === 'w') {
          assert.deepEqual(updates, [], `${what}: nothing updated`);
          assert.equal(warns.length, 1, `${what}: one warning: ${JSON.stringify(warns)}`);
          assert.match(warns[0], new RegExp(`\\b${name}\\b.*remount`), `${what}: the warning names the option and what to do`);
        }
        if (cls(name) === 'f' || cls(name) === 'p') {
          assert.deepEqual(updates, [], `${what}: nothing updated`);
          assert.deepEqual(warns, [], `${what}: no warning`);
          const called = await p.W(`(W.calls.length = 0, W.mounts[0].options[${JSON.stringify(name)}](${name === 'onEvent' ? "'vlens:message', {}" : '{}'}), W.calls.map((c) => c[0]))`);
          assert.deepEqual(called, ['to'], `${what}: the latest is called`);
        }
      }
      assert.deepEqual(p.pageErrors, [], `${what}: no page error`);
      await p.close();
    }
  });
}

test('parseMessage given or taken away starts a new session (the v1 parser is in or out)', async () => {
  for (const entry of ENTRIES) {
    const p = await open(entry);
    await p.render({ baseUrl: h.base('auto') });
    await p.waitFor(() => W.mounts.length === 1, null, { what: 'mounted' });
    await p.render({ baseUrl: h.base('auto'), parseMessage: { $fn: 'p' } });
    await p.waitFor(() => W.mounts.length === 2, null, { what: `${entry}: a new session with parseMessage` });
    assert.equal(await p.W('typeof W.mounts[1].options.parseMessage'), 'function');
    await p.render({ baseUrl: h.base('auto') });
    await p.waitFor(() => W.mounts.length === 3, null, { what: `${entry}: a new session without it` });
    assert.equal(await p.W('typeof W.mounts[2].options.parseMessage'), 'undefined', `${entry}: no parser passed, so the v1 one is used`);
    await p.close();
  }
});

test('a bad value is a vlens:error INVALID_ARGUMENT (onError, the Vue error event, the element), never a throw into the framework', async () => {
  for (const entry of ENTRIES) {
    const p = await open(entry);
    // At mount: mountVlens throws.
    await p.render({ baseUrl: 'http://example.com', onError: { $fn: 'err' } });
    await p.waitFor(() => W.errors.length >= 1, null, { what: `${entry}: console.error` });
    // On a mounted one: update() throws.
    await p.render({ baseUrl: h.base('auto'), onError: { $fn: 'err' } });
    await p.waitFor(() => !!document.querySelector('iframe'), null, { what: `${entry}: mounted` });
    await p.render({ baseUrl: h.base('auto'), height: 'tall', onError: { $fn: 'err' } });
    await settle(100);
    const seen = await p.W(`[W.errors.length, W.mounts.length, W.mounts[1].session.state, document.querySelector('iframe') !== null]`);
    assert.equal(seen[0], 2, `${entry}: console.error twice`);
    assert.equal(seen[1], 2, `${entry}: no remount for a bad live value`);
    assert.notEqual(seen[2], 'destroyed', `${entry}: the session goes on`);
    // Vue: `onError` in the props is the listener of the component's `error` event.
    const errs = await p.W("W.calls.filter((c) => c[0] === 'err').map((c) => [c[1].code, c[1].source, c[1].recoverable, /baseUrl|height/.test(c[1].message)])");
    assert.deepEqual(errs, [['INVALID_ARGUMENT', 'widget', false, true], ['INVALID_ARGUMENT', 'widget', false, true]], `${entry}: onError`);
    assert.deepEqual(p.pageErrors, [], `${entry}: nothing thrown into the page`);
    await p.close();
  }
});
