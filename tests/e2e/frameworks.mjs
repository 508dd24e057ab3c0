// Helpers for the framework-entry tests (react.test.mjs, vue.test.mjs, element.test.mjs):
// bundles the fixture apps in fixtures/frameworks/ with esbuild against the build under
// test (dist/, or $VLENS_DIST) into fixtures/gen/ (gitignored), served by server.mjs as
// /fixtures/gen/*. Page-side, every page records the window's `message` listeners.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distDir } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'fixtures', 'frameworks');
export const genDir = path.join(here, 'fixtures', 'gen');

/** `vlens-widget/<entry>` → the build under test, as the package's `exports` map it (ESM). */
const vlensFromDist = {
  name: 'vlens-from-dist',
  setup(b) {
    const files = { 'vlens-widget': 'index.js', 'vlens-widget/react': 'react.js', 'vlens-widget/vue': 'vue.js', 'vlens-widget/element': 'element.js' };
    b.onResolve({ filter: /^vlens-widget(\/.*)?$/ }, (args) => ({ path: path.join(distDir, files[args.path]) }));
  },
};

/**
 * The core as the wrappers import it (`./index.js` next to them), with `mountVlens` spied on:
 * `window.__mounts` holds `{ options, session, updates }` for every call, `updates` being
 * what `session.update()` was given.
 */
const spyCore = {
  name: 'spy-core',
  setup(b) {
    const core = JSON.stringify(path.join(distDir, 'index.js'));
    b.onResolve({ filter: /^\.\/index\.js$/ }, (args) => (args.importer.startsWith(distDir) ? { path: 'spy', namespace: 'spy-core' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'spy-core' }, () => ({
      resolveDir: distDir,
      contents: `import { mountVlens as real } from ${core};
export * from ${core};
const mounts = (window.__mounts = []);
export function mountVlens(element, provider, options) {
  const call = { options, updates: [], session: null };
  mounts.push(call);
  const s = (call.session = real(element, provider, options));
  const update = s.update;
  s.update = (o) => { call.updates.push(o); return update.call(s, o); };
  return s;
}`,
    }));
  },
};

const page = (title, script) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<script src="/fixtures/gen/listeners.js"></script>
${script}
</head><body><div id="root"></div></body></html>`;

// Counts the window's live `message` listeners (added minus removed), before any other script.
const listeners = `(function () {
  var live = new Set();
  var add = EventTarget.prototype.addEventListener;
  var remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if (this === window && type === 'message') live.add(fn);
    return add.call(this, type, fn, opts);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, opts) {
    if (this === window && type === 'message') live.delete(fn);
    return remove.call(this, type, fn, opts);
  };
  window.messageListeners = function () { return live.size; };
})();`;

let built = false;
/** Builds the fixture bundles and pages once per process. */
export async function buildFixtures() {
  if (built) return;
  fs.rmSync(genDir, { recursive: true, force: true });
  fs.mkdirSync(genDir, { recursive: true });
  fs.writeFileSync(path.join(genDir, 'listeners.js'), listeners);
  const bundles = [
    ['react-dev', 'react-app.js', 'development'],
    ['react-prod', 'react-app.js', 'production'],
    ['vue', 'vue-app.js', 'production'],
    ['entries', 'entries-app.js', 'production', [spyCore]],
  ];
  for (const [name, entry, env, plugins = []] of bundles) {
    await build({
      entryPoints: [path.join(src, entry)],
      bundle: true,
      format: 'esm',
      outfile: path.join(genDir, `${name}.js`),
      plugins: [vlensFromDist, ...plugins],
      define: {
        'process.env.NODE_ENV': JSON.stringify(env),
        __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
      },
      logLevel: 'warning',
    });
    fs.writeFileSync(path.join(genDir, `${name}.html`), page(name, `<script type="module" src="/fixtures/gen/${name}.js"></script>`));
  }
  // The element: dist/vlens.js by script tag defines it, then dist/element.js tries again.
  fs.writeFileSync(path.join(genDir, 'element.html'), page('element', `<script src="/dist/vlens.js"></script>
<script type="module" src="/fixtures/gen/element-init.js"></script>`));
  fs.writeFileSync(path.join(genDir, 'element-init.js'), `window.__first = customElements.get('vlens-verification');
import('/dist/element.js').then((m) => {
  window.__second = m.VlensVerificationElement;
  window.__ready = true;
}, (err) => { window.__importError = String(err); window.__ready = true; });
`);
  built = true;
}

/** Iframes in the page (`selector` scopes them). */
export function iframeCount(p, selector = 'iframe') {
  return p.evaluate((s) => document.querySelectorAll(s).length, selector);
}

/** Posts `msg` from inside the (only) iframe matching `selector`, as the Vlens app would. */
export async function sendFromApp(p, selector, msg) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const handle = await p.page.$(selector);
    const frame = handle && await handle.contentFrame();
    if (frame) {
      try {
        await frame.waitForFunction(() => typeof window.send === 'function', null, { timeout: 2000, polling: 20 });
        return frame.evaluate((m) => window.send(m), msg);
      } catch { /* the frame is still loading */ }
    }
    if (Date.now() > deadline) throw new Error(`no app frame for ${selector}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
