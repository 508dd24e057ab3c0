//! # vlens-widget
//!
//! The browser half of a [Vlens](https://vlenseg.com) integration: `mountVlens(element,
//! tokenProvider, options)` gets a short-lived session token from the host's own backend,
//! injects a correctly sized iframe with camera and microphone permission, accepts messages
//! only from that iframe, and turns them into typed `vlens:*` events.
//!
//! The rules live in a session engine with no I/O (`session.rs`) and the pure modules it
//! uses; `executor.rs` runs the engine's effects against the DOM. `token` and `error` are
//! public so the reference server checks Vlens's tokens with the very same rules.
#![cfg_attr(all(feature = "tiny", target_arch = "wasm32", not(test)), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod error;
pub mod token;

mod browser;
mod channel;
mod events;
mod executor;
mod handles;
mod iframe;
mod js;
mod options;
mod protocol;
mod provider;
mod session;
mod ui;
mod view;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod fuzz;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod session_tests;

use wasm_bindgen::prelude::*;

/// The shipped build has no std: no formatting machinery, and a panic is a trap.
#[cfg(all(feature = "tiny", target_arch = "wasm32", not(test)))]
mod tiny {
    #[global_allocator]
    static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
        // SAFETY: wasm32 without the atomics feature is single-threaded.
        unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        core::arch::wasm32::unreachable()
    }
}

#[wasm_bindgen(module = "/js/error.js")]
extern "C" {
    #[wasm_bindgen(js_name = VlensError)]
    type VlensErrorJs;
    #[wasm_bindgen(constructor, js_class = "VlensError")]
    fn new(code: &str, message: &str) -> VlensErrorJs;
}

/// Mounts a session into `element` and returns its number; throws `VlensError` on programmer
/// errors. `resolve` settles its `result`. The handle `mountVlens` returns (`js/entry.js`) holds
/// only that number, so a destroyed session's memory is freed at once, not when the page drops
/// the handle, and no wasm-bindgen class (with its finaliser) ships.
#[wasm_bindgen]
pub fn mount(
    element: JsValue,
    token_provider: JsValue,
    options: JsValue,
    resolve: js_sys::Function,
) -> Result<u32, JsValue> {
    match executor::mount(&element, &token_provider, &options, resolve) {
        Ok(exec) => Ok(exec.id()),
        Err(e) => Err(thrown(e)),
    }
}

/// A programmer error as the `VlensError` the caller catches.
fn thrown(e: error::WidgetError) -> JsValue {
    VlensErrorJs::new(e.code.as_str(), &e.message).into()
}

/// `update(options)` of session `id`: applies options to the mounted session without a new
/// iframe (sizes, title, language, texts, bounds, timeouts, retries, debug); throws
/// `VlensError` for a bad value or an option that only a new session can change.
#[wasm_bindgen]
pub fn update(id: u32, options: JsValue) -> Result<(), JsValue> {
    executor::update(id, &options).map_err(thrown)
}

/// Session `id`'s `state`: `'token' | 'loading' | 'ready' | 'completed' | 'cancelled' | 'error' | 'destroyed'`.
#[wasm_bindgen]
pub fn state(id: u32) -> JsValue {
    executor::Exec::find(id).map_or(session::State::Destroyed, |e| e.state()).as_str().into()
}

/// Session `id`'s iframe, or `null` before the first token and after `destroy()`.
#[wasm_bindgen]
pub fn iframe(id: u32) -> JsValue {
    executor::Exec::find(id).and_then(|e| e.iframe()).map_or(JsValue::NULL, JsValue::from)
}

/// `destroy()` (removes the iframe, every listener and timer, aborts a pending token request)
/// or `refresh()` (a new token, reason `'refresh'`, shown in a new iframe) of session `id`.
#[wasm_bindgen]
pub fn input(id: u32, destroy: bool) {
    if let Some(exec) = executor::Exec::find(id) {
        exec.input(if destroy { session::Input::Destroy } else { session::Input::Refresh });
    }
}
