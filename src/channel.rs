//! The channel to the app in the widget's iframe: what counts as the app's message, how it is
//! read, and how a token goes back. The rules of reading are `protocol.rs`'s, tested natively;
//! here they meet JavaScript values.

use crate::js::{self, JsView};
use crate::protocol;
use crate::session::Read;
use alloc::string::String;
use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::{HtmlIFrameElement, MessageEvent};

/// The app's side of a session: its exact origin, and the host's own reader if it gave one.
pub(crate) struct Channel {
    /// The exact origin messages must come from, and tokens are posted to.
    pub origin: String,
    /// The host's `parseMessage`, called in place of the v1 parser.
    pub parse_message: Option<Function>,
}

impl Channel {
    /// The checks every incoming message passes, in order: sender window (the iframe on show),
    /// exact origin. What passes is the app's, whatever its shape: read it with [`Channel::read`].
    pub(crate) fn accept(&self, ev: &MessageEvent, frame: Option<HtmlIFrameElement>) -> Option<JsValue> {
        let window = frame?.content_window()?;
        (JsValue::from(ev.source()?) == JsValue::from(window) && ev.origin() == self.origin).then(|| ev.data())
    }

    /// Reads a message with the host's `parseMessage`, else as v1: either way, its
    /// `{type, data}` by the same rules.
    pub(crate) fn read(&self, data: JsValue) -> Read<JsValue> {
        let body = match &self.parse_message {
            Some(parse) => match parse.call1(&JsValue::UNDEFINED, &data) {
                Ok(mapped) if mapped.is_undefined() || mapped.is_null() => return Read::Raw,
                Ok(mapped) => mapped,
                Err(error) => return Read::ParserThrew(error),
            },
            None => match v1(data) {
                Some(body) => body,
                None => return Read::Raw,
            },
        };
        let Some(msg) = protocol::typed(&JsView(body.clone())) else { return Read::Malformed };
        let payload = js::get(&body, "data");
        Read::App(msg, if payload.is_undefined() || payload.is_null() { js::object(&[]) } else { payload })
    }

    /// Posts a checked token to the app: never to `'*'`, the Vlens origin or nowhere.
    pub(crate) fn post_token(&self, frame: Option<HtmlIFrameElement>, token: String) {
        if let Some(window) = frame.and_then(|f| f.content_window()) {
            let msg = js::object(&[
                ("source", protocol::HOST_SOURCE.into()),
                ("version", protocol::VERSION.into()),
                ("type", "token".into()),
                ("data", js::object(&[("token", token.into())])),
            ]);
            let _ = window.post_message(&msg, &self.origin);
        }
    }
}

/// The v1 message in what the app posted: an object, or a JSON string of one, with
/// `source: 'vlens'` and `version: 1`.
fn v1(data: JsValue) -> Option<JsValue> {
    let object = match js::short_string(&data, protocol::MAX_STRING_MESSAGE) {
        Some(text) => js_sys::JSON::parse(&text.ok()?).ok()?,
        None => data,
    };
    (object.is_object() && protocol::is_v1(&JsView(object.clone()))).then_some(object)
}
