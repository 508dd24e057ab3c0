//! What a session holds in the page, as handles that let go when dropped (as gloo's do): a
//! listener, a timer, the claim on its container. Dropping a session's [`Held`] releases all.

use crate::js;
use crate::session::Ms;
use alloc::vec::Vec;
use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, Element, EventTarget};

/// A listener, removed when dropped.
#[must_use = "dropping a Listener removes it"]
pub(crate) struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Function,
}

impl Listener {
    pub(crate) fn new(target: &EventTarget, kind: &'static str, callback: Function) -> Listener {
        let _ = target.add_event_listener_with_callback(kind, &callback);
        Listener { target: target.clone(), kind, callback }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.kind, &self.callback);
    }
}

/// A `setTimeout`, cleared when dropped; `at` is the deadline it was set for.
#[must_use = "dropping a Timeout clears it"]
pub(crate) struct Timeout {
    pub at: Ms,
    handle: JsValue,
}

impl Timeout {
    pub(crate) fn new(at: Ms, callback: &Function) -> Timeout {
        // Whole milliseconds, rounded up: a timer that fires early would find nothing due.
        let wait = (at - js::now()).max(0.0);
        let ms = wait as u32;
        let ms = if f64::from(ms) < wait { ms.saturating_add(1) } else { ms };
        Timeout { at, handle: js::set_timeout(callback, ms) }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        js::clear_timeout(&self.handle);
    }
}

/// The session's hold on its container in the page-wide registry; given up when dropped,
/// unless another session has taken the container since.
#[must_use = "dropping a Claim gives the container up"]
pub(crate) struct Claim {
    element: Element,
    release: Function,
}

impl Claim {
    /// Takes `element`: whichever session held it, from any copy of the package, is
    /// released (destroyed) first.
    pub(crate) fn new(element: &Element, release: Function) -> Claim {
        js::claim(element, &release, true);
        Claim { element: element.clone(), release }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        js::claim(&self.element, &self.release, false);
    }
}

/// Everything a session holds in the page.
#[derive(Default)]
pub(crate) struct Held {
    pub listeners: Vec<Listener>,
    pub claim: Option<Claim>,
    pub timer: Option<Timeout>,
    /// The provider call in flight's `ctx.signal`.
    pub controller: Option<AbortController>,
}
