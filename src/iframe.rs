//! The iframe element: creation, sizing through the CSSOM, and its permissions.

use crate::args::Config;
use crate::js;
use crate::options::{Length, REQUIRED_FEATURES};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, HtmlIFrameElement};

/// A CSS length as text.
pub fn css(length: &Length) -> String {
    match length {
        Length::Px(px) => {
            let n: String =
                js_sys::Number::from(*px).to_string_with_radix(10).map(String::from).unwrap_or_else(|_| "0".into());
            n + "px"
        }
        Length::Css(s) => s.clone(),
    }
}

/// Creates the iframe, not yet inserted and without `src`.
///
/// Styles go through `element.style`, never a `style` attribute, so a strict CSP needs no `'unsafe-inline'`.
pub fn create(doc: &Document, cfg: &Config) -> Result<HtmlIFrameElement, JsValue> {
    let frame: HtmlIFrameElement = doc.create_element("iframe")?.dyn_into()?;
    frame.set_attribute("allow", &cfg.allow)?;
    frame.set_title(&cfg.title);
    let style = frame.style();
    style.set_property("display", "block")?;
    style.set_property("border", "0")?;
    style.set_property("width", &css(&cfg.width))?;
    style.set_property("height", &css(&cfg.height))?;
    Ok(frame)
}

/// Sets the iframe's height in CSS pixels.
pub fn set_height(frame: &HtmlIFrameElement, px: f64) {
    let _ = frame.style().set_property("height", &css(&Length::Px(px)));
}

/// The required features the page's permissions policy keeps from the iframe.
///
/// Uses the frame's own policy where the browser exposes it (Chromium), else the document's;
/// browsers with neither report nothing.
pub fn blocked_features(doc: &Document, frame: &HtmlIFrameElement) -> Vec<&'static str> {
    let policy = [js::get(frame, "featurePolicy"), js::get(doc, "permissionsPolicy"), js::get(doc, "featurePolicy")]
        .into_iter()
        .find(JsValue::is_object);
    let Some(policy) = policy else { return Vec::new() };
    let Ok(allows) = js::get(&policy, "allowsFeature").dyn_into::<js_sys::Function>() else { return Vec::new() };
    REQUIRED_FEATURES
        .into_iter()
        .filter(|f| allows.call1(&policy, &JsValue::from_str(f)).ok().and_then(|v| v.as_bool()) == Some(false))
        .collect()
}
