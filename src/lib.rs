//! # vlens-widget
//!
//! The browser half of a [Vlens](https://vlenseg.com) integration: `mountVlens(element,
//! tokenProvider, options)` gets a short-lived session token from the host's own backend,
//! injects a correctly sized iframe with camera and microphone permission, accepts messages
//! only from that iframe, and turns them into typed `vlens:*` events.
//!
//! Pure logic (protocol, tokens, options, session states) lives in modules free of the DOM
//! and is unit-tested natively; the DOM glue around it is thin.
#![deny(missing_docs)]

pub mod error;
pub mod options;
pub mod protocol;
pub mod session;
pub mod token;

pub mod args;
pub mod events;
pub mod iframe;
pub mod js;
pub mod provider;
pub mod widget;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = VlensError)]
    type VlensErrorJs;
    #[wasm_bindgen(constructor, js_class = "VlensError")]
    fn new(code: &str, message: &str) -> VlensErrorJs;
}

/// Mounts the Vlens flow into `element`; throws `VlensError` on programmer errors.
#[wasm_bindgen(js_name = mountVlens)]
pub fn mount_vlens(
    element: JsValue,
    token_provider: JsValue,
    options: JsValue,
) -> Result<widget::VlensSession, JsValue> {
    widget::mount(&element, &token_provider, &options)
        .map_err(|e| VlensErrorJs::new(e.code.as_str(), &e.message).into())
}
