// Every option of mountVlens, once, for the wrappers: what a change does on a mounted
// session, and how an element attribute is read. tests/e2e/options.test.mjs fails on any
// difference from src/options.rs, types/index.d.ts, the Vue props, the element's attributes
// and the README's table of options.
//
// First letter, a change on a mounted component or element:
//   l  applies live (session.update)      r  starts a new session (part of the mount key)
//   w  warns once (read at mount only)     f  a callback: the latest one is always called
//   p  like f, but whether there is one at all is part of the mount key (it replaces a parser)
// Second letter, the element attribute (its name is the option's in kebab-case):
//   s  text   n  a number when numeric, else the text (a CSS length, where one is allowed)
//   b  boolean ("false" is false, any other value true)   none: no attribute
export const OPTIONS = {
  baseUrl: 'rs',
  height: 'ln',
  width: 'ln',
  minHeight: 'ln',
  maxHeight: 'ln',
  autoResize: 'lb',
  allow: 'rs',
  title: 'ls',
  tokenTimeoutMs: 'ln',
  retries: 'ln',
  loadTimeoutMs: 'ln',
  signal: 'w',
  locale: 'ls',
  messages: 'l',
  ui: 'rb',
  mode: 'rs',
  readyOn: 'ws',
  parseMessage: 'p',
  debug: 'lb',
  onReady: 'f',
  onStep: 'f',
  onResize: 'f',
  onComplete: 'f',
  onCancel: 'f',
  onError: 'f',
  onStateChange: 'f',
  onEvent: 'f',
};
