// Liveness needs the camera: with Chromium's fake media devices (this file's browser
// only), the mock Vlens app inside the widget's iframe gets a camera stream through
// getUserMedia, because the iframe's `allow` grants it and the demo's
// Permissions-Policy allows it for the mock origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from './harness.mjs';
import { startRustServer, Demo } from './rust-server.mjs';

let server;
let browser;
before(async () => {
  server = await startRustServer();
  browser = await launchBrowser({ args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'] });
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.ok(server.child.exitCode !== null || server.child.signalCode !== null, 'vlens-server has exited');
});

test("the mock app in the widget's iframe gets a camera stream through getUserMedia and shows the preview", async () => {
  const d = await Demo.open(browser.context, server);
  assert.equal(d.response.headers()['permissions-policy'], `camera=(self "${server.mock}"), microphone=(self "${server.mock}")`);
  await d.start();
  const frame = await d.app();

  const allow = await d.page.getAttribute('#widget iframe', 'allow');
  const features = allow.split(';').map((f) => f.trim().split(/\s+/)[0]);
  assert.ok(features.includes('camera'), `allow grants camera: ${allow}`);
  assert.ok(features.includes('microphone'), `allow grants microphone: ${allow}`);

  await Demo.next(frame, 'registration', 'kyc');
  try {
    await frame.waitForFunction(() => {
      const v = document.querySelector('[data-testid="camera"] video');
      return !!v && !v.hidden && v.videoWidth > 0 && !v.paused;
    }, null, { timeout: 5000, polling: 25 });
  } catch (err) {
    const note = await frame.textContent('[data-testid="camera-placeholder"]').catch(() => null);
    throw new Error(`no camera preview in the mock app (it says: ${JSON.stringify(note)}): ${err.message.split('\n')[0]}`);
  }
  const cam = await frame.evaluate(() => {
    const v = document.querySelector('[data-testid="camera"] video');
    const stream = window.__vlensMock.state.stream;
    const tracks = stream ? stream.getVideoTracks() : [];
    return {
      origin: location.origin,
      sameStream: v.srcObject === stream,
      tracks: tracks.map((t) => ({ kind: t.kind, state: t.readyState, label: t.label })),
      placeholderHidden: document.querySelector('[data-testid="camera-placeholder"]').hidden,
      placeholderDisplay: getComputedStyle(document.querySelector('[data-testid="camera-placeholder"]')).display,
      size: [v.videoWidth, v.videoHeight],
    };
  });
  assert.equal(cam.origin, server.mock, 'inside the iframe, on the mock origin');
  assert.equal(cam.sameStream, true, 'the preview shows the stream getUserMedia returned');
  assert.equal(cam.tracks.length, 1);
  assert.equal(cam.tracks[0].kind, 'video');
  assert.equal(cam.tracks[0].state, 'live');
  assert.match(cam.tracks[0].label, /fake/i, "Chromium's fake camera");
  assert.equal(cam.placeholderHidden, true, 'the "no camera" note is gone');
  assert.equal(cam.placeholderDisplay, 'none', 'and not drawn over the video');
  assert.ok(cam.size[0] > 0 && cam.size[1] > 0, `frames arrive: ${cam.size}`);

  // Leaving the KYC step releases the camera.
  await frame.evaluate(() => { window.__track = window.__vlensMock.state.stream.getVideoTracks()[0]; });
  await Demo.next(frame, 'kyc', 'sign');
  assert.equal(await frame.evaluate(() => window.__track.readyState), 'ended');
  const errors = (await d.log()).filter((e) => e.type === 'vlens:error');
  assert.deepEqual(errors, [], 'no CAMERA_BLOCKED or any other error');
  assert.deepEqual(d.pageErrors, []);
  await d.close();
});
