//! Small helpers over JavaScript values, so the rest reads as plain Rust.

use crate::protocol::{Field, MessageView};
use js_sys::{JsString, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Reads `obj[key]`; anything that throws reads as `undefined`.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A plain object built from key/value pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let obj = Object::new();
    for (key, value) in pairs {
        // Setting a data property on a fresh plain object cannot fail.
        let _ = Reflect::set(&obj, &JsValue::from_str(key), value);
    }
    obj.into()
}

/// A string value if it has at most `max_chars` UTF-16 units, without copying longer ones.
pub fn short_string(value: &JsValue, max_chars: u32) -> Option<Result<String, ()>> {
    let s = value.dyn_ref::<JsString>()?;
    Some(if s.length() > max_chars { Err(()) } else { Ok(String::from(s)) })
}

/// An optional option: `undefined` and `null` both mean "not given".
pub fn given(value: JsValue) -> Option<JsValue> {
    if value.is_undefined() || value.is_null() {
        None
    } else {
        Some(value)
    }
}

/// A message object from the app, read through [`MessageView`].
pub struct JsView(pub JsValue);

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
        (d.is_object() && !js_sys::Array::is_array(&d)).then_some(JsView(d))
    }
}
