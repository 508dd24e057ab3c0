//! Reads the arguments of `mountVlens` from JavaScript and checks them.

use crate::error::WidgetError;
use crate::js::{self, given};
use crate::options::{self, Length};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Document, Element};

/// Everything the session needs from `options`, checked.
pub struct Config {
    /// `baseUrl` without a trailing slash.
    pub base: String,
    /// The exact origin messages must come from.
    pub origin: String,
    /// Initial iframe height.
    pub height: Length,
    /// Iframe width.
    pub width: Length,
    /// Lower bound for auto-resize.
    pub min_height: Option<f64>,
    /// Upper bound for auto-resize.
    pub max_height: Option<f64>,
    /// Whether `resize` messages resize the iframe.
    pub auto_resize: bool,
    /// The iframe's `allow` attribute.
    pub allow: String,
    /// The iframe's `title`.
    pub title: String,
    /// Per-attempt token timeout.
    pub token_timeout_ms: u32,
    /// Retries after a failed token attempt.
    pub retries: u32,
    /// How long the iframe may take to load.
    pub load_timeout_ms: u32,
    /// Aborting it destroys the session.
    pub signal: Option<AbortSignal>,
}

fn invalid(parts: &[&str]) -> WidgetError {
    WidgetError::invalid(parts.concat())
}

/// Finds the container: an `Element`, or the first match of a CSS selector.
pub fn element(doc: &Document, value: &JsValue) -> Result<Element, WidgetError> {
    if let Some(el) = value.dyn_ref::<Element>() {
        return Ok(el.clone());
    }
    let Some(selector) = value.as_string() else {
        return Err(invalid(&["element must be a DOM Element or a CSS selector string such as '#vlens'"]));
    };
    match doc.query_selector(&selector) {
        Ok(Some(el)) => Ok(el),
        Ok(None) => Err(invalid(&[
            "element: no element matches the selector '",
            &selector,
            "'; mount after the container is in the page",
        ])),
        Err(_) => Err(invalid(&["element: '", &selector, "' is not a valid CSS selector"])),
    }
}

fn number(options: &JsValue, key: &str) -> Result<Option<f64>, WidgetError> {
    match given(js::get(options, key)) {
        None => Ok(None),
        Some(v) => v.as_f64().map(Some).ok_or_else(|| invalid(&[key, " must be a number"])),
    }
}

fn length(options: &JsValue, key: &str, default: Length) -> Result<Length, WidgetError> {
    let Some(v) = given(js::get(options, key)) else { return Ok(default) };
    if let Some(n) = v.as_f64() {
        return options::pixels(key, n).map(Length::Px);
    }
    match v.as_string() {
        Some(s) if s.len() <= 100 && web_sys::css::supports_with_value(key, &s).unwrap_or(false) => Ok(Length::Css(s)),
        _ => Err(invalid(&[key, " must be a number of pixels or a CSS length such as '80vh' or '100%'"])),
    }
}

fn allow(options: &JsValue) -> Result<String, WidgetError> {
    let extras: Vec<String> = match given(js::get(options, "allow")) {
        None => Vec::new(),
        Some(v) if v.is_string() => v.as_string().into_iter().collect(),
        Some(v) if js_sys::Array::is_array(&v) => {
            let items: Vec<Option<String>> = js_sys::Array::from(&v).iter().map(|i| i.as_string()).collect();
            items.into_iter().collect::<Option<Vec<_>>>().ok_or_else(|| {
                invalid(&["allow must be a string like 'fullscreen; clipboard-write' or an array of strings"])
            })?
        }
        Some(_) => {
            return Err(invalid(&["allow must be a string like 'fullscreen; clipboard-write' or an array of strings"]))
        }
    };
    options::allow_attr(extras.iter().map(String::as_str))
}

/// Reads `options` (which may be `undefined`).
pub fn config(options: &JsValue) -> Result<Config, WidgetError> {
    if given(options.clone()).is_some() && (!options.is_object() || js_sys::Array::is_array(options)) {
        return Err(invalid(&["options must be an object, such as { height: 700, onComplete }"]));
    }
    if options.is_object() {
        for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter().filter_map(|k| k.as_string())
        {
            if options::is_secret_name(&key) {
                return Err(options::secret_error(&key));
            }
            if !options::KNOWN_OPTIONS.contains(&key.as_str()) {
                web_sys::console::warn_1(
                    &["vlens-widget: unknown option '", &key, "' is ignored; check its spelling"].concat().into(),
                );
            }
        }
        for name in crate::events::ALL.iter().filter_map(|k| k.callback_name()).chain(["onEvent"]) {
            if let Some(v) = given(js::get(options, name)) {
                if !v.is_function() {
                    return Err(invalid(&[name, " must be a function"]));
                }
            }
        }
    }

    let base_url = match given(js::get(options, "baseUrl")) {
        None => options::DEFAULT_BASE_URL.to_string(),
        Some(v) => {
            v.as_string().ok_or_else(|| invalid(&["baseUrl must be a string such as 'https://app.vlenseg.com'"]))?
        }
    };
    let url = web_sys::Url::new(&base_url).map_err(|_| {
        invalid(&["baseUrl '", &base_url, "' is not an absolute URL; use e.g. 'https://app.vlenseg.com'"])
    })?;
    let has_credentials = !url.username().is_empty() || !url.password().is_empty();
    options::check_base_url(&url.protocol(), &url.hostname(), has_credentials, &url.search(), &url.hash())?;
    let origin = url.origin();

    let min_height = number(options, "minHeight")?.map(|v| options::pixels("minHeight", v)).transpose()?;
    let max_height = number(options, "maxHeight")?.map(|v| options::pixels("maxHeight", v)).transpose()?;
    options::check_clamp(min_height, max_height)?;
    let auto_resize = match given(js::get(options, "autoResize")) {
        None => true,
        Some(v) => v.as_bool().ok_or_else(|| invalid(&["autoResize must be true or false"]))?,
    };
    let title = match given(js::get(options, "title")) {
        None => options::DEFAULT_TITLE.to_string(),
        Some(v) => v
            .as_string()
            .filter(|t| !t.trim().is_empty() && t.len() <= 200)
            .ok_or_else(|| invalid(&["title must be a non-empty string that names the iframe for screen readers"]))?,
    };
    let signal = match given(js::get(options, "signal")) {
        None => None,
        Some(v) => Some(
            v.dyn_into::<AbortSignal>()
                .map_err(|_| invalid(&["signal must be an AbortSignal, e.g. from new AbortController().signal"]))?,
        ),
    };

    Ok(Config {
        base: options::trim_base(&origin, &url.pathname()),
        origin,
        height: length(options, "height", Length::Px(options::DEFAULT_HEIGHT))?,
        width: length(options, "width", Length::Css(options::DEFAULT_WIDTH.into()))?,
        min_height,
        max_height,
        auto_resize,
        allow: allow(options)?,
        title,
        token_timeout_ms: options::timeout_ms(
            "tokenTimeoutMs",
            number(options, "tokenTimeoutMs")?,
            options::DEFAULT_TOKEN_TIMEOUT_MS,
        )?,
        retries: options::retries(number(options, "retries")?)?,
        load_timeout_ms: options::timeout_ms(
            "loadTimeoutMs",
            number(options, "loadTimeoutMs")?,
            options::DEFAULT_LOAD_TIMEOUT_MS,
        )?,
        signal,
    })
}
