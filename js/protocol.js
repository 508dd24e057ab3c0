// The v1 envelope of docs/protocol.md, for the JavaScript that speaks it on the app's side:
// `vlens-widget/testing` (simulate) and `vlens-widget/fake-app`. The widget itself reads it in
// src/protocol.rs; tests/e2e/protocol.test.mjs fails when this file, that module and
// docs/protocol.md disagree. Not part of the core bundle.

/** `source` of messages from the app. */
export const APP_SOURCE = 'vlens';
/** `source` of messages from the widget to the app. */
export const HOST_SOURCE = 'vlens-host';
/** The protocol version spoken. */
export const VERSION = 1;
/** What the app says, in the order of docs/protocol.md's table. */
export const APP_TYPES = ['ready', 'step', 'resize', 'completed', 'cancelled', 'error', 'token-expired'];
/** What the widget says: the new token after `token-expired`. */
export const TOKEN = 'token';

/** An app → host message. */
export const appMessage = (type, data) => ({ source: APP_SOURCE, version: VERSION, type, data: data === undefined ? {} : data });
