// The dialog in the components: `open` (React and Vue props, the element's attribute),
// `onOpenChange(false)` / `update:open` / `vlens:openchange` when the session ends by itself,
// a new session on reopening. Each wrapper through the same fixture (entries-app.js).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, settle, vlens } from './harness.mjs';
import { buildFixtures, sendFromApp } from './frameworks.mjs';

let h;
before(async () => { await buildFixtures(); h = await setup(); });
after(async () => { await h?.close(); });

const open = async (entry) => {
  const p = await h.open(`/fixtures/gen/entries.html?entry=${entry}`);
  p.render = (o) => p.evaluate((o) => W.render(o), o);
  p.W = (expr) => p.evaluate(new Function(`return (${expr});`));
  return p;
};
const dialogUp = (p, n) => p.waitFor((n) => W.mounts.length === n && document.querySelector('dialog.vlens-modal')?.open && !!document.querySelector('dialog iframe'), n, { what: `dialog of session ${n}` });
const dialogGone = (p) => p.waitFor(() => !document.querySelector('dialog'), null, { what: 'no dialog' });

for (const entry of ['react', 'vue', 'element']) {
  test(`${entry}: open false mounts nothing; true opens the dialog; the user closing it, completion, and the host closing it each end the session; reopening is a new session`, async () => {
    const p = await open(entry);
    const spec = (open) => ({
      baseUrl: h.base('auto'), mode: 'modal', open,
      onCancel: { $fn: 'cancel' }, onComplete: { $fn: 'complete' },
    });
    // The host's state: React's follows onOpenChange by re-rendering with it (as setOpen would);
    // Vue's through v-model:open and the element's `open` attribute follow by themselves.
    const follow = async () => { if (entry === 'react') await p.render(spec(false)); };

    await p.render(spec(false));
    await settle();
    assert.deepEqual(await p.W('[W.mounts.length, W.tokens, !!document.querySelector("dialog")]'), [0, 0, false], 'open false: nothing');

    // 1. Opened, then closed by the user: onCancel({ reason: 'closed' }), then onOpenChange(false).
    await p.render(spec(true));
    await dialogUp(p, 1);
    await p.evaluate(() => document.querySelector('.vlens-close').click());
    await dialogGone(p);
    await p.waitFor(() => W.openChanges.length === 1, null, { what: 'openChange' });
    assert.deepEqual(await p.W('W.openChanges'), [false]);
    assert.deepEqual(await p.W("W.calls.filter((c) => c[0] === 'cancel').map((c) => c[1].data)"), [{ reason: 'closed' }]);
    assert.deepEqual(await p.W('W.mounts[0].session.result'), { status: 'cancelled', data: { reason: 'closed' } });
    await follow();
    if (entry === 'element') assert.equal(await p.W('document.querySelector("vlens-verification").getAttribute("open")'), 'false', 'the attribute follows');
    await settle();
    assert.equal(await p.W('W.mounts.length'), 1, 'closed stays closed');

    // 2. Reopened: a new session; completed in the app: onComplete, the dialog closes, onOpenChange(false).
    await p.render(spec(true));
    await dialogUp(p, 2);
    assert.equal(await p.W('W.tokens'), 2, 'one new token request');
    await sendFromApp(p, 'dialog iframe', vlens('completed', { id: 7 }));
    await dialogGone(p);
    await p.waitFor(() => W.openChanges.length === 2, null, { what: 'second openChange' });
    assert.deepEqual(await p.W("W.calls.filter((c) => c[0] === 'complete').map((c) => c[1].data)"), [{ id: 7 }]);
    await follow();

    // 3. Reopened, then closed by the host: the session ends as destroy() does, nothing is called back.
    await p.render(spec(true));
    await dialogUp(p, 3);
    await p.render(spec(false));
    await dialogGone(p);
    await settle();
    assert.deepEqual(await p.W('W.mounts[2].session.result'), { status: 'destroyed' });
    assert.deepEqual(await p.W('W.openChanges'), [false, false], 'no onOpenChange for the host\'s own change');
    assert.equal(await p.W("W.calls.filter((c) => c[0] === 'cancel').length"), 1, 'and no onCancel');
    assert.equal(await p.W('W.iframes()'), 0);
    assert.deepEqual(p.pageErrors, []);
    await p.close();
  });
}

test('inline too: open false is no session, true mounts one; destroy() called on the session reports open false', async () => {
  for (const entry of ['react', 'vue', 'element']) {
    const p = await open(entry);
    await p.render({ baseUrl: h.base('auto'), open: false });
    await settle();
    assert.equal(await p.W('W.mounts.length'), 0, `${entry}: no session`);
    await p.render({ baseUrl: h.base('auto'), open: true });
    await p.waitFor(() => !!document.querySelector('#vlens iframe'), null, { what: `${entry}: inline iframe` });
    await p.evaluate(() => W.mounts[0].session.destroy());
    await p.waitFor(() => W.openChanges.length === 1, null, { what: `${entry}: openChange` });
    assert.deepEqual(await p.W('W.openChanges'), [false]);
    await p.close();
  }
});
