#!/usr/bin/env node
// `vlens-fake-app [--port N]`: the fake Vlens app of vlens-widget/fake-app as a command, for
// test runners that start servers by command (Playwright's webServer, Cypress's start-server).
import { startFakeVlens } from './fake-app.js';

const USAGE = 'usage: vlens-fake-app [--port N]   (default 8081; 0 picks a free port)';
const args = process.argv.slice(2);
let port = 8081;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const m = /^--port(?:=(.*))?$/.exec(a);
  if (a === '--help' || a === '-h') {
    console.log(USAGE);
    process.exit(0);
  } else if (m) {
    const v = m[1] !== undefined ? m[1] : args[++i];
    port = /^\d+$/.test(v || '') ? Number(v) : NaN;
    if (!(port <= 65535)) {
      console.error(`vlens-fake-app: --port needs a number from 0 to 65535, got ${v === undefined ? 'nothing' : JSON.stringify(v)}\n${USAGE}`);
      process.exit(2);
    }
  } else {
    console.error(`vlens-fake-app: unknown argument ${JSON.stringify(a)}\n${USAGE}`);
    process.exit(2);
  }
}

startFakeVlens({ port }).then(
  (app) => {
    console.log(`vlens-fake-app: ${app.url} (give it to the widget as baseUrl; Ctrl+C stops it)`);
    const stop = () => app.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (err) => {
    console.error(err.message);
    process.exit(1);
  },
);
