//! The `vlens:*` events: their names and details, and delivery to callbacks and the container.

use crate::error::ErrorCode;
use crate::js;
use crate::options::Callback;
use crate::session::{Event, Level};
use alloc::vec::Vec;
use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::Element;

/// The DOM event type, the host callback that also receives it, and its `detail`.
fn describe(event: Event<JsValue>) -> (&'static str, Option<Callback>, JsValue) {
    let o = js::object;
    match event {
        Event::State(s) => ("vlens:state", Some(Callback::StateChange), o(&[("state", s.as_str().into())])),
        Event::Token(r) => ("vlens:token", None, o(&[("reason", r.as_str().into())])),
        Event::Load => ("vlens:load", None, o(&[])),
        Event::Ready => ("vlens:ready", Some(Callback::Ready), o(&[])),
        Event::Step(step) => ("vlens:step", Some(Callback::Step), o(&[("step", step.into())])),
        Event::Resize(h) => ("vlens:resize", Some(Callback::Resize), o(&[("height", h.into())])),
        Event::Complete(data) => ("vlens:complete", Some(Callback::Complete), o(&[("data", data)])),
        Event::Cancel(data) => ("vlens:cancel", Some(Callback::Cancel), o(&[("data", data)])),
        Event::Error(e) => {
            ("vlens:error", Some(Callback::Error), error_detail(e.code, &e.message, e.recoverable, None))
        }
        Event::AppError { code, message, recoverable } => (
            "vlens:error",
            Some(Callback::Error),
            error_detail(
                ErrorCode::AppError,
                message.as_deref().unwrap_or("the Vlens app reported an error"),
                recoverable,
                Some(code.map_or(JsValue::UNDEFINED, JsValue::from)),
            ),
        ),
        Event::Message(kind, data) => {
            ("vlens:message", None, o(&[("type", kind.map_or(JsValue::NULL, JsValue::from)), ("data", data)]))
        }
        Event::Destroy => ("vlens:destroy", None, o(&[])),
    }
}

fn error_detail(code: ErrorCode, message: &str, recoverable: bool, app_code: Option<JsValue>) -> JsValue {
    let source = if app_code.is_some() { "app" } else { "widget" };
    let detail = js::object(&[
        ("code", code.as_str().into()),
        ("message", message.into()),
        ("recoverable", recoverable.into()),
        ("source", source.into()),
    ]);
    if let Some(c) = app_code.filter(|c| !c.is_undefined()) {
        let _ = js_sys::Reflect::set(&detail, &"appCode".into(), &c);
    }
    detail
}

/// Delivers an event: its callback, then `onEvent`, then a DOM event on `container`; and to
/// the console at `level`, if any.
pub(crate) fn deliver(
    container: &Element,
    callbacks: &[(Callback, Function)],
    event: Event<JsValue>,
    level: Option<Level>,
) {
    let (name, own, detail) = describe(event);
    let find = |which: Option<Callback>| {
        callbacks.iter().find(|(c, _)| Some(*c) == which).map_or(JsValue::UNDEFINED, |(_, f)| f.into())
    };
    js::emit(container, name, &detail, &find(own), &find(Some(Callback::Any)), level.map_or("", Level::as_str));
}

/// The callbacks taken from the options at mount.
pub(crate) type Callbacks = Vec<(Callback, Function)>;
