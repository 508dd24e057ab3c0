//! The iframe element: creation, sizing through the CSSOM, and its permissions.
//!
//! Styles go through `element.style`, never a `style` attribute, so a strict CSP needs no
//! `'unsafe-inline'`.

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

fn css(length: &Length) -> String {
    match length {
        Length::Px(px) => {
            String::from(js_sys::Number::from(*px).to_string_with_radix(10).unwrap_or_else(|_| "0".into())) + "px"
        }
        Length::Css(s) => s.clone(),
    }
}

/// A new iframe with its attributes and size, not yet in the page and without `src`.
pub(crate) fn create(doc: &Document, look: &Look) -> Option<HtmlIFrameElement> {
    let frame: HtmlIFrameElement = doc.create_element("iframe").ok()?.unchecked_into();
    frame.set_attribute("allow", &look.allow).ok()?;
    frame.set_title(&look.title);
    let style = frame.style();
    for (prop, value) in [
        ("display", "block".into()),
        ("border", "0".into()),
        ("width", css(&look.width)),
        ("height", css(&look.height)),
    ] {
        style.set_property(prop, &value).ok()?;
    }
    Some(frame)
}

/// Sets the iframe's height in CSS pixels.
pub(crate) fn set_height(frame: &HtmlIFrameElement, px: f64) {
    let _ = frame.style().set_property("height", &css(&Length::Px(px)));
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
