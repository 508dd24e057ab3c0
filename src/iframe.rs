//! The iframe's look, and the permissions the page's policy leaves it. The element itself
//! is made by `js/runtime.js` (`frame`), sized through the CSSOM.
//!

use crate::js;
use crate::options::{Length, REQUIRED_FEATURES};
use alloc::string::String;
use alloc::vec::Vec;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, HtmlIFrameElement};

/// How the iframe looks, from the options.
pub(crate) struct Look {
    /// Initial height.
    pub height: Length,
    /// Width.
    pub width: Length,
    /// The `allow` attribute.
    pub allow: String,
    /// The `title` attribute.
    pub title: String,
}

/// A length as JavaScript takes it: a number of pixels or a CSS string.
pub(crate) fn css(length: &Length) -> JsValue {
    match length {
        Length::Px(px) => JsValue::from_f64(*px),
        Length::Css(s) => JsValue::from_str(s),
    }
}

/// The required features the page's permissions policy keeps from the iframe.
///
/// Uses the frame's own policy where the browser exposes it (Chromium), else the document's;
/// browsers with neither report nothing.
pub(crate) fn blocked_features(doc: &Document, frame: &HtmlIFrameElement) -> Vec<&'static str> {
    let policy = [js::get(frame, "featurePolicy"), js::get(doc, "permissionsPolicy"), js::get(doc, "featurePolicy")]
        .into_iter()
        .find(JsValue::is_object);
    let Some(policy) = policy else { return Vec::new() };
    let allows = js::get(&policy, "allowsFeature");
    let Some(allows) = allows.dyn_ref::<js_sys::Function>() else { return Vec::new() };
    REQUIRED_FEATURES
        .into_iter()
        .filter(|f| allows.call1(&policy, &JsValue::from_str(f)).ok().and_then(|v| v.as_bool()) == Some(false))
        .collect()
}
