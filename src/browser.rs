//! What the executor asks of the browser beyond running effects: the page's document, the
//! container an `element` argument names, URL parsing and CSS checks for the options reader,
//! and the permissions the page's policy leaves the iframe.
//!
//! Globals are read directly (not through `web_sys::Window`), because under jsdom and
//! happy-dom the global object is not an `instanceof Window`.

use crate::error::{invalid, WidgetError};
use crate::iframe::REQUIRED_FEATURES;
use crate::js;
pub(crate) use crate::options::Length;
use crate::options::{Env, UrlParts, Value};
use alloc::string::String;
use alloc::vec::Vec;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlIFrameElement};

/// The browser side of [`Env`].
pub(crate) struct Browser;

impl Env for Browser {
    fn parse_url(&self, url: &str, base: Option<&str>) -> Option<UrlParts> {
        let parts = js::parse_url(url, base.map(String::from));
        if !parts.is_object() {
            return None;
        }
        let parts: &js_sys::Array = parts.unchecked_ref();
        let at = |i| parts.get(i).as_string().unwrap_or_default();
        Some(UrlParts {
            href: at(0),
            protocol: at(1),
            hostname: at(2),
            origin: at(3),
            pathname: at(4),
            search: at(5),
            hash: at(6),
            has_credentials: parts.get(7).is_truthy(),
        })
    }

    fn css_supports(&self, prop: &str, value: &str) -> bool {
        // Without `CSS.supports` (jsdom, happy-dom) the length is passed on unchecked: an
        // invalid value is then simply ignored by the style declaration.
        js::css_supports(prop, value).unwrap_or(true)
    }

    fn page_lang(&self) -> String {
        document().and_then(|d| d.document_element()).and_then(|e| e.get_attribute("lang")).unwrap_or_default()
    }
}

/// The page's `document`, found without `instanceof Window` (false under jsdom).
pub(crate) fn document() -> Option<Document> {
    let doc = js::get(&js_sys::global(), "document");
    doc.is_object().then(|| doc.unchecked_into())
}

/// The element an `element` argument names: an element, or a CSS selector for one.
pub(crate) fn element(doc: &Document, value: &JsValue) -> Result<Element, WidgetError> {
    // `instanceof Element` fails for elements of another realm; a node of type 1 with
    // `appendChild` is an element wherever it comes from.
    if js::get(value, "nodeType").as_f64() == Some(1.0) && js::get(value, "appendChild").is_function() {
        return Ok(value.clone().unchecked_into());
    }
    let Some(selector) = value.as_string() else {
        return Err(invalid!(
            "element",
            "element must be a DOM Element or a CSS selector string such as '#vlens' (or null with mode: 'modal')",
        ));
    };
    match doc.query_selector(&selector) {
        Ok(Some(el)) => Ok(el),
        Ok(None) => Err(invalid!(
            "element",
            "element: no element matches the selector '",
            &selector,
            "'; mount after the container is in the page"
        )),
        Err(_) => Err(invalid!("element", "element: '", &selector, "' is not a valid CSS selector")),
    }
}

/// The options object's own entries, as the options reader takes them.
pub(crate) fn entries(options: &JsValue) -> Result<Vec<(String, Value<JsValue>)>, WidgetError> {
    if !options.is_undefined() && !options.is_null() && (!options.is_object() || js_sys::Array::is_array(options)) {
        return Err(invalid!("options", "options must be an object, such as { height: 700, onComplete }"));
    }
    Ok(js::own_entries(options).into_iter().map(|(k, v)| (k, js::value(v))).collect())
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
