// Screenshots of what the user sees around the iframe, on the demo page served by the
// project's own server: the loading screen, the error screen with "Try again", and the modal
// dialog (loading, then with the app), in English and Arabic, on a phone (390×844) and on a
// desktop (1280×800). Saved to test-results/screens/<state>-<locale>-<viewport>.png
// (gitignored; a curated copy is in assets/screens/ for the README). The states are made to
// hold still: the token request is held (loading) or answered 503 (error) through
// Playwright's routing. Each shot first checks that its state is on screen, on top, inside
// the viewport: a screenshot of the wrong thing fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './harness.mjs';
import { startRustServer, Demo, MODAL_FRAME, holdTokens, failTokens, RESULTS_DIR } from './rust-server.mjs';

const DIR = path.join(RESULTS_DIR, 'screens');
const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
const TEXT = {
  en: { loading: 'Preparing secure verification…', error: 'We couldn’t start the verification. Check your connection and try again.', retry: 'Try again', close: 'Close' },
  ar: { loading: 'جارٍ تجهيز التحقق الآمن…', error: 'تعذّر بدء التحقق. تحقّق من اتصالك وحاول مرة أخرى.', retry: 'حاول مرة أخرى', close: 'إغلاق' },
};

let server;
let browser;
before(async () => {
  fs.mkdirSync(DIR, { recursive: true });
  // One client (this browser) starts a session in nearly every test, faster than the
  // token endpoint's per-client limit (burst 10, 30 a minute) allows: that limit has its own
  // tests (server/tests), so here it is out of the way.
  server = await startRustServer({ env: { RATE_LIMIT_PER_MINUTE: '6000', RATE_LIMIT_BURST: '1000' } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Where `selector` is, whether it is inside the viewport, and whether it is what the user
 * sees there (the element at its centre is it or inside it, not something drawn over it).
 */
function onScreen(page, selector) {
  return page.evaluate((selector) => {
    const e = document.querySelector(selector);
    if (!e) return { found: false };
    const r = e.getBoundingClientRect();
    const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
    const top = document.elementFromPoint(x, y);
    return {
      found: true,
      text: e.textContent,
      inViewport: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight,
      onTop: !!top && (top === e || e.contains(top)),
      rect: [r.left, r.top, r.width, r.height].map(Math.round),
    };
  }, selector);
}

async function assertShown(page, selector, text, what) {
  const s = await onScreen(page, selector);
  assert.equal(s.found, true, `${what}: ${selector} is in the page`);
  if (text !== undefined) assert.equal(s.text, text, `${what}: ${selector}'s text`);
  assert.equal(s.inViewport, true, `${what}: ${selector} is inside the viewport (${JSON.stringify(s.rect)})`);
  assert.equal(s.onTop, true, `${what}: nothing is drawn over ${selector}`);
  return s;
}

/** Saves the viewport as `name`.png and checks it is a PNG of the viewport's size. */
async function shoot(page, name, viewport) {
  const file = path.join(DIR, `${name}.png`);
  fs.rmSync(file, { force: true });
  // Two frames, so layout and the last scroll are painted; the spinner is shot at rest.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: file, animations: 'disabled' });
  const png = fs.readFileSync(file);
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `${name}: a PNG`);
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [viewport.width, viewport.height], `${name}: the viewport's size`);
  assert.ok(png.length > 5000, `${name}: a real picture, not a blank page (${png.length} bytes)`);
}

/**
 * Scrolls the widget's panel to the top of the screen on a phone (as the demo does when the
 * flow starts there); on a desktop the page stays at the top unless `selector` would be
 * below the fold.
 */
async function frameWidget(page, viewport, selector) {
  await page.evaluate(([phone, selector]) => {
    window.scrollTo({ top: 0, behavior: 'instant' });
    const below = document.querySelector(selector).getBoundingClientRect().bottom > innerHeight - 24;
    if (phone || below) document.querySelector('.area-widget').scrollIntoView({ behavior: 'instant', block: 'start' });
  }, [viewport === VIEWPORTS.phone, selector]);
}

for (const locale of ['en', 'ar']) {
  for (const [vp, viewport] of Object.entries(VIEWPORTS)) {
    test(`screens ${locale} ${vp}: loading, error with "${TEXT[locale].retry}", modal loading and with the app`, async () => {
      const t = TEXT[locale];

      // Loading: the token request is held, so the loading screen stays up.
      let hold;
      const l = await Demo.open(browser.context, server, {
        prepare: async (page) => { await page.setViewportSize(viewport); hold = await holdTokens(page); },
      });
      await l.choose({ locale });
      await l.start();
      await l.waitFor(() => !!document.querySelector('#widget .vlens-loading'), null, 'the loading screen');
      assert.equal(hold.count(), 1);
      await frameWidget(l.page, viewport, '#widget .vlens-message');
      await assertShown(l.page, '#widget .vlens-loading .vlens-message', t.loading, 'loading');
      await assertShown(l.page, '#widget .vlens-spinner', undefined, 'loading');
      assert.equal(await l.page.getAttribute('#widget .vlens', 'dir'), locale === 'ar' ? 'rtl' : 'ltr');
      await shoot(l.page, `loading-${locale}-${vp}`, viewport);
      await hold.release();
      await l.close();

      // Error: every call of the token endpoint answers 503.
      const e = await Demo.open(browser.context, server, {
        prepare: async (page) => { await page.setViewportSize(viewport); await failTokens(page, Infinity); },
      });
      await e.choose({ locale });
      await e.start();
      await e.waitFor(() => !!document.querySelector('#widget .vlens-error'), null, 'the error screen');
      await frameWidget(e.page, viewport, '#widget .vlens-retry');
      await assertShown(e.page, '#widget .vlens-error .vlens-message', t.error, 'error');
      await assertShown(e.page, '#widget .vlens-error .vlens-retry', t.retry, 'error');
      await shoot(e.page, `error-${locale}-${vp}`, viewport);
      await e.close();

      // Modal: the dialog loading (the token held), then with the mock app ready in it.
      let held;
      const m = await Demo.open(browser.context, server, {
        prepare: async (page) => { await page.setViewportSize(viewport); held = await holdTokens(page); },
      });
      await m.choose({ mode: 'modal', locale });
      await m.start();
      await m.waitFor(() => !!document.querySelector('dialog.vlens-modal .vlens-loading'), null, 'the loading screen in the dialog');
      await assertShown(m.page, 'dialog .vlens-loading .vlens-message', t.loading, 'modal loading');
      await assertShown(m.page, 'dialog .vlens-close', undefined, 'modal loading');
      await shoot(m.page, `modal-loading-${locale}-${vp}`, viewport);
      await held.release();
      const frame = await m.app(MODAL_FRAME);
      await Demo.waitScreen(frame, 'registration');
      await m.waitFor(() => !document.querySelector('dialog .vlens-state'), null, 'the app revealed');
      const dialog = await assertShown(m.page, 'dialog.vlens-modal', undefined, 'modal');
      if (vp === 'phone') assert.deepEqual(dialog.rect, [0, 0, viewport.width, viewport.height], 'full screen on a phone');
      else assert.deepEqual(dialog.rect, [380, 16, 520, 768], 'centred on a desktop');
      const close = await assertShown(m.page, 'dialog .vlens-close', undefined, 'modal');
      assert.equal(await m.page.getAttribute('dialog .vlens-close', 'aria-label'), t.close);
      // The close button sits at the end of the line: right in English, left in Arabic.
      const centre = close.rect[0] + close.rect[2] / 2;
      const mid = dialog.rect[0] + dialog.rect[2] / 2;
      assert.equal(centre > mid, locale === 'en', `the close button is on the ${locale === 'en' ? 'right' : 'left'}`);
      await assertShown(m.page, MODAL_FRAME, undefined, 'modal');
      await shoot(m.page, `modal-${locale}-${vp}`, viewport);
      await m.page.keyboard.press('Escape');
      await m.waitFor(() => !document.querySelector('dialog.vlens-modal'), null, 'the dialog to close');
      assert.deepEqual(m.pageErrors, []);
      await m.close();
    });
  }
}
