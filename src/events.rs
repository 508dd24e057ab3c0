//! The `vlens:*` events: their names, and delivery to callbacks and the container.

use crate::js;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, Element};

/// Every event the widget emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The provider is asked for a token.
    Token,
    /// The iframe's `load` event.
    Load,
    /// The app is ready.
    Ready,
    /// The user reached a step.
    Step,
    /// The iframe was resized.
    Resize,
    /// The flow finished.
    Complete,
    /// The user left the flow.
    Cancel,
    /// Something went wrong.
    Error,
    /// Any other well-formed message from the app.
    Message,
    /// The session was destroyed; always the last event.
    Destroy,
}

/// Every event kind, in the order of a typical session.
pub const ALL: [EventKind; 10] = [
    EventKind::Token,
    EventKind::Load,
    EventKind::Ready,
    EventKind::Step,
    EventKind::Resize,
    EventKind::Complete,
    EventKind::Cancel,
    EventKind::Error,
    EventKind::Message,
    EventKind::Destroy,
];

impl EventKind {
    /// The DOM event type.
    pub fn event_type(self) -> &'static str {
        match self {
            EventKind::Token => "vlens:token",
            EventKind::Load => "vlens:load",
            EventKind::Ready => "vlens:ready",
            EventKind::Step => "vlens:step",
            EventKind::Resize => "vlens:resize",
            EventKind::Complete => "vlens:complete",
            EventKind::Cancel => "vlens:cancel",
            EventKind::Error => "vlens:error",
            EventKind::Message => "vlens:message",
            EventKind::Destroy => "vlens:destroy",
        }
    }

    /// The option holding this event's own callback, if it has one.
    pub fn callback_name(self) -> Option<&'static str> {
        match self {
            EventKind::Ready => Some("onReady"),
            EventKind::Step => Some("onStep"),
            EventKind::Resize => Some("onResize"),
            EventKind::Complete => Some("onComplete"),
            EventKind::Cancel => Some("onCancel"),
            EventKind::Error => Some("onError"),
            _ => None,
        }
    }
}

/// The host's callbacks, taken from the options once, at mount.
pub struct Callbacks {
    own: Vec<(EventKind, js_sys::Function)>,
    on_event: Option<js_sys::Function>,
}

impl Callbacks {
    /// Callbacks read from `options` (already checked to be functions where present).
    pub fn new(options: &JsValue) -> Self {
        let function = |name: &str| js::get(options, name).dyn_into::<js_sys::Function>().ok();
        let own = ALL.iter().filter_map(|&kind| Some((kind, function(kind.callback_name()?)?))).collect();
        Callbacks { own, on_event: function("onEvent") }
    }

    /// Delivers an event: its callback, then `onEvent`, then a DOM event on `container`.
    pub fn emit(&self, container: &Element, kind: EventKind, detail: &JsValue) {
        let name = kind.event_type();
        if let Some((_, cb)) = self.own.iter().find(|(k, _)| *k == kind) {
            report(cb.call1(&JsValue::UNDEFINED, detail));
        }
        if let Some(cb) = &self.on_event {
            report(cb.call2(&JsValue::UNDEFINED, &JsValue::from_str(name), detail));
        }
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(detail);
        if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
            // Listener exceptions are reported by the browser, not returned here.
            let _ = container.dispatch_event(&event);
        }
    }
}

/// A host callback that throws must not break the widget: show it in the console instead.
fn report(result: Result<JsValue, JsValue>) {
    if let Err(e) = result {
        web_sys::console::error_2(&JsValue::from_str("vlens-widget: a callback threw"), &e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_is_namespaced_and_callbacks_match_the_contract() {
        assert!(ALL.iter().all(|k| k.event_type().starts_with("vlens:")));
        let with_callbacks: Vec<_> = ALL.iter().filter_map(|k| k.callback_name()).collect();
        assert_eq!(with_callbacks, ["onReady", "onStep", "onResize", "onComplete", "onCancel", "onError"]);
    }
}
