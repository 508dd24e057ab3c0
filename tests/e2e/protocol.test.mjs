// The v1 envelope is written in Rust (src/protocol.rs, which the widget runs), in prose
// (docs/protocol.md, what integrators read) and in js/protocol.js (what vlens-widget/testing
// and vlens-widget/fake-app speak). This fails when the three disagree. Needs no build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as wire from '../../js/protocol.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (f) => fs.readFileSync(path.join(repo, f), 'utf8');

/** The one capture of `re` in `text`, or a failure that says where to look. */
function one(text, re, where) {
  const m = re.exec(text);
  assert.ok(m, `${where}: ${re} not found; update tests/e2e/protocol.test.mjs if the code moved`);
  return m[1];
}

test('src/protocol.rs: the same sources, version and app message types as js/protocol.js', () => {
  const rs = read('src/protocol.rs');
  assert.equal(one(rs, /const APP_SOURCE: &str = "([^"]*)"/, 'src/protocol.rs'), wire.APP_SOURCE);
  assert.equal(one(rs, /const HOST_SOURCE: &str = "([^"]*)"/, 'src/protocol.rs'), wire.HOST_SOURCE);
  assert.equal(Number(one(rs, /const VERSION: f64 = ([\d.]+);/, 'src/protocol.rs')), wire.VERSION);
  const parse = one(rs, /let parsed = match kind\.as_str\(\) \{([\s\S]*?)\n\s*_ => AppMessage::Other/, 'src/protocol.rs parse()');
  assert.deepEqual([...parse.matchAll(/"([a-z-]+)" =>/g)].map((m) => m[1]), wire.APP_TYPES);
  // The host's one message is built where it is sent.
  const exec = read('src/channel.rs');
  assert.equal(one(exec, /\("source", protocol::HOST_SOURCE\.into\(\)\),\s*\("version", protocol::VERSION\.into\(\)\),\s*\("type", "([a-z-]+)"\.into\(\)\)/, 'src/channel.rs post_token'), wire.TOKEN);
});

test('docs/protocol.md: the same envelopes and the same table of app message types', () => {
  const md = read('docs/protocol.md');
  assert.deepEqual(JSON.parse(one(md, /```json\n(\{ "source": "vlens",[^\n]*)\n```/, 'docs/protocol.md').replace('"<type>"', '"t"')),
    { source: wire.APP_SOURCE, version: wire.VERSION, type: 't', data: {} });
  assert.deepEqual(JSON.parse(one(md, /```json\n(\{ "source": "vlens-host",[^\n]*)\n```/, 'docs/protocol.md').replace('"<new token>"', '"x"')),
    { source: wire.HOST_SOURCE, version: wire.VERSION, type: wire.TOKEN, data: { token: 'x' } });
  const table = one(md, /^\| `type` .*\n\|[-| ]+\n((?:\|.*\n)+)/m, 'docs/protocol.md, the app → host table');
  assert.deepEqual([...table.matchAll(/^\| `([a-z-]+)` +\|/gm)].map((m) => m[1]), wire.APP_TYPES);
});

test('appMessage builds the app envelope, data defaulting to {}', () => {
  assert.deepEqual(wire.appMessage('step', { step: 'kyc' }), { source: 'vlens', version: 1, type: 'step', data: { step: 'kyc' } });
  assert.deepEqual(wire.appMessage('ready'), { source: 'vlens', version: 1, type: 'ready', data: {} });
});
