//! Small helpers over JavaScript values and the few globals the executor calls, so the
//! rest reads as plain Rust.
//!
//! Globals are bound directly (not through `web_sys::Window`), because under jsdom and
//! happy-dom the global object is not an `instanceof Window`.

use crate::options::Value;
use crate::protocol::{Field, MessageView};
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Array, Function, JsString, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    /// `(value) => dispatch(session, kind, arg, value)`.
    pub(crate) fn bind(dispatch: &Function, session: u32, kind: u32, arg: u32) -> Function;
    /// `listener`, called only for message events from `origin`.
    #[wasm_bindgen(js_name = fromOrigin)]
    pub(crate) fn from_origin(origin: &str, listener: &Function) -> Function;
    /// Calls `ok(v)` or `err(e)` once `value` (a promise or not) settles.
    pub(crate) fn settle(value: &JsValue, ok: &Function, err: &Function);
    /// `[href, protocol, hostname, origin, pathname, search, hash, hasCredentials]` or `null`.
    #[wasm_bindgen(js_name = parseUrl)]
    pub(crate) fn parse_url(url: &str, base: Option<String>) -> JsValue;
    /// Logs at `level` (unless empty), calls `own(detail)` and `any(name, detail)` if given,
    /// then dispatches the DOM event.
    pub(crate) fn emit(target: &JsValue, name: &str, detail: &JsValue, own: &JsValue, any: &JsValue, level: &str);
    /// A new iframe in `container`, sized (a number is pixels), loading `src`.
    pub(crate) fn frame(
        container: &web_sys::Element,
        allow: &str,
        title: &str,
        width: &JsValue,
        height: &JsValue,
        src: &str,
        onload: &Function,
    ) -> web_sys::HtmlIFrameElement;
    /// Sets the iframe's height in CSS pixels.
    #[wasm_bindgen(js_name = setHeight)]
    pub(crate) fn set_height(frame: &web_sys::HtmlIFrameElement, px: f64);
    /// `console[level]('vlens-widget: ' + text, value?)`.
    pub(crate) fn log(level: &str, text: &str, value: &JsValue);
    /// The time in milliseconds (`performance.now()`), the engine's clock.
    pub(crate) fn now() -> f64;
    /// With `take`, takes `element` in the page-wide registry shared by every copy of the
    /// package (the `release` of whichever session held it is called); without, gives it up
    /// if `release`'s session still holds it.
    pub(crate) fn claim(element: &web_sys::Element, release: &Function, take: bool);
    /// Resolves to `[status, contentType, text, retryAfter]` (`retryAfter` the header or `null`).
    #[wasm_bindgen(js_name = fetchAnswer)]
    pub(crate) fn fetch_answer(url: &str, init: &JsValue) -> Promise;
}

#[wasm_bindgen(module = "/js/ui.js")]
extern "C" {
    /// Puts up the box the iframe goes in (inline, or in a modal dialog): `[box, takeDown]`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn open(
        container: &web_sys::Element,
        modal: bool,
        lang: &str,
        dir: &str,
        width: &JsValue,
        label: &str,
        close_label: &str,
        on_close: &Function,
    ) -> Array;
    /// After `update()`: the language and labels of our box or dialog, the iframe's size and title.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn restyle(
        place: &JsValue,
        frame: &JsValue,
        modal: bool,
        lang: &str,
        dir: &str,
        label: &str,
        close_label: &str,
        width: &JsValue,
        height: &JsValue,
        title: &str,
    );
    /// Shows the screen named by [`crate::ui::Screen::name`] ("Try again" on an error when
    /// `retry` is not empty).
    pub(crate) fn show(
        container: &web_sys::Element,
        screen: &str,
        text: &str,
        retry: &str,
        on_retry: &Function,
        min_height: &JsValue,
    );
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(f: &Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(handle: &JsValue);
    #[wasm_bindgen(js_name = queueMicrotask)]
    pub(crate) fn queue_microtask(f: &Function);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub(crate) fn warn(message: &str);
    #[wasm_bindgen(js_namespace = CSS, js_name = supports, catch)]
    pub(crate) fn css_supports(prop: &str, value: &str) -> Result<bool, JsValue>;
}

/// Reads `obj[key]`; anything that throws reads as `undefined`.
pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A plain object built from key/value pairs.
pub(crate) fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (key, value) in pairs {
        // Setting a data property on a fresh plain object cannot fail.
        let _ = Reflect::set(&obj, &JsValue::from_str(key), value);
    }
    obj.into()
}

/// A string value if it has at most `max_chars` UTF-16 units, without copying longer ones.
pub(crate) fn short_string(value: &JsValue, max_chars: u32) -> Option<Result<String, ()>> {
    let s = value.dyn_ref::<JsString>()?;
    Some(if s.length() > max_chars { Err(()) } else { Ok(String::from(s)) })
}

/// The object's own enumerable string-keyed properties; inherited ones are never read.
pub(crate) fn own_entries(obj: &JsValue) -> Vec<(String, JsValue)> {
    if !obj.is_object() {
        return Vec::new();
    }
    Object::entries(obj.unchecked_ref())
        .iter()
        .filter_map(|pair| {
            let pair: Array = pair.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1)))
        })
        .collect()
}

/// An option value as the options reader sees it.
pub(crate) fn value(v: JsValue) -> Value<JsValue> {
    if v.is_undefined() || v.is_null() {
        Value::Absent
    } else if let Some(n) = v.as_f64() {
        Value::Num(n)
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(s) = short_string(&v, 4096) {
        s.map_or(Value::Other, Value::Str)
    } else if v.is_function() {
        Value::Function(v)
    } else if Array::is_array(&v) {
        let items: Option<Vec<String>> = Array::from(&v).iter().map(|i| i.as_string()).collect();
        items.map_or(Value::Other, Value::Strings)
    } else if v.has_type::<web_sys::AbortSignal>() {
        Value::Signal(v)
    } else if v.is_object() {
        Value::Entries(own_entries(&v).into_iter().map(|(k, v)| (k, v.as_string())).collect())
    } else {
        Value::Other
    }
}

/// A short description of a thrown JavaScript value.
pub(crate) fn describe(e: &JsValue) -> String {
    let text = match get(e, "message").as_string() {
        Some(m) => m,
        None => e.as_string().unwrap_or_else(|| "unknown error".into()),
    };
    text.chars().take(200).collect()
}

/// A message object from the app, read through [`MessageView`].
pub(crate) struct JsView(pub JsValue);

impl MessageView for JsView {
    fn field(&self, key: &str, max_chars: u32) -> Field {
        let v = get(&self.0, key);
        if v.is_undefined() {
            return Field::Missing;
        }
        if let Some(s) = short_string(&v, max_chars) {
            return s.map_or(Field::TooLong, Field::Str);
        }
        if let Some(n) = v.as_f64() {
            return Field::Num(n);
        }
        v.as_bool().map_or(Field::Other, Field::Bool)
    }

    fn data(&self) -> Option<Self> {
        let d = get(&self.0, "data");
        (d.is_object() && !Array::is_array(&d)).then_some(JsView(d))
    }
}
