//! The wire protocol spoken with the Vlens app (see `docs/protocol.md`).
//!
//! Parsing is written against [`MessageView`], so it runs natively in unit tests
//! and fuzzers as well as over JavaScript values in the browser.

use alloc::string::String;

/// Longest JSON string message parsed; longer ones are dropped unread.
pub(crate) const MAX_STRING_MESSAGE: u32 = 64 * 1024;
/// Longest accepted `type`.
pub(crate) const MAX_TYPE: u32 = 64;
/// Longest accepted `step` name.
pub(crate) const MAX_STEP: u32 = 256;
/// Longest app error code kept.
pub(crate) const MAX_APP_CODE: u32 = 64;
/// Longest app error message kept.
pub(crate) const MAX_APP_MESSAGE: u32 = 2048;
/// Largest height the app may ask for, in CSS pixels.
pub(crate) const MAX_HEIGHT: f64 = 100_000.0;

/// `source` of messages from the app.
pub(crate) const APP_SOURCE: &str = "vlens";
/// `source` of messages from the widget to the app.
pub(crate) const HOST_SOURCE: &str = "vlens-host";
/// The protocol version spoken.
pub(crate) const VERSION: f64 = 1.0;

/// A field of an incoming message, reduced to what the protocol needs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Field {
    /// Absent or `undefined`.
    Missing,
    /// A string no longer than the limit asked for.
    Str(String),
    /// A string longer than the limit asked for (never copied).
    TooLong,
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// Anything else (object, array, null…).
    Other,
}

/// Read access to one object of an incoming message.
pub(crate) trait MessageView: Sized {
    /// The own field `key`; strings longer than `max_chars` UTF-16 units read as [`Field::TooLong`].
    fn field(&self, key: &str, max_chars: u32) -> Field;
    /// The `data` member, when it is an object.
    fn data(&self) -> Option<Self>;
}

/// A well-formed message from the app.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum AppMessage {
    /// The app is ready for the user.
    Ready,
    /// The user reached a step.
    Step(String),
    /// The app's content wants this height (CSS px).
    Resize(f64),
    /// The flow finished.
    Completed,
    /// The user left the flow.
    Cancelled,
    /// The app hit an error.
    Error {
        /// The app's own code.
        code: Option<String>,
        /// The app's message.
        message: Option<String>,
        /// The app's judgement of whether a refresh helps.
        recoverable: Option<bool>,
    },
    /// The session token expired; the app needs a new one.
    TokenExpired,
    /// Any other message type, passed on as `vlens:message`.
    Other(String),
}

fn short_str(field: Field) -> Option<String> {
    match field {
        Field::Str(s) if !s.is_empty() => Some(s),
        _ => None,
    }
}

/// What an incoming message is, read as v1.
#[cfg(test)]
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Envelope {
    /// A well-formed v1 message.
    Message(AppMessage),
    /// `source: 'vlens'` and `version: 1`, but a missing type or wrong fields: dropped.
    Malformed,
    /// Not a v1 message at all: passed on raw.
    Foreign,
}

/// Reads a message posted by the app as v1.
#[cfg(test)]
pub(crate) fn parse<V: MessageView>(msg: &V) -> Envelope {
    if !is_v1(msg) {
        return Envelope::Foreign;
    }
    typed(msg).map_or(Envelope::Malformed, Envelope::Message)
}

/// Whether a message is in the v1 envelope (`source: 'vlens'`, `version: 1`); its body is
/// then read by [`typed`].
pub(crate) fn is_v1<V: MessageView>(msg: &V) -> bool {
    msg.field("source", 16) == Field::Str(APP_SOURCE.into()) && msg.field("version", 0) == Field::Num(VERSION)
}

/// Reads `{type, data}`: the body of a v1 message, or what the host's `parseMessage`
/// returned. `None` when the type or the fields its type needs are missing or wrong.
pub(crate) fn typed<V: MessageView>(msg: &V) -> Option<AppMessage> {
    let kind = short_str(msg.field("type", MAX_TYPE))?;
    let data = msg.data();
    let parsed = match kind.as_str() {
        "ready" => AppMessage::Ready,
        "step" => AppMessage::Step(short_str(data?.field("step", MAX_STEP))?),
        "resize" => match data?.field("height", 0) {
            Field::Num(h) if h.is_finite() && h > 0.0 && h <= MAX_HEIGHT => AppMessage::Resize(h),
            _ => return None,
        },
        "completed" => AppMessage::Completed,
        "cancelled" => AppMessage::Cancelled,
        "error" => {
            let (code, message, recoverable) = match data {
                Some(d) => (
                    short_str(d.field("code", MAX_APP_CODE)),
                    short_str(d.field("message", MAX_APP_MESSAGE)),
                    match d.field("recoverable", 0) {
                        Field::Bool(b) => Some(b),
                        _ => None,
                    },
                ),
                None => (None, None, None),
            };
            AppMessage::Error { code, message, recoverable }
        }
        "token-expired" => AppMessage::TokenExpired,
        _ => AppMessage::Other(kind),
    };
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A native stand-in for a JavaScript object.
    #[derive(Clone, Debug)]
    enum V {
        S(&'static str),
        N(f64),
        B(bool),
        O(BTreeMap<&'static str, V>),
        Null,
    }

    impl MessageView for V {
        fn field(&self, key: &str, max: u32) -> Field {
            match self {
                V::O(m) => match m.get(key) {
                    None => Field::Missing,
                    Some(V::S(s)) if s.encode_utf16().count() as u32 > max => Field::TooLong,
                    Some(V::S(s)) => Field::Str((*s).into()),
                    Some(V::N(n)) => Field::Num(*n),
                    Some(V::B(b)) => Field::Bool(*b),
                    Some(_) => Field::Other,
                },
                _ => Field::Missing,
            }
        }
        fn data(&self) -> Option<Self> {
            match self {
                V::O(m) => match m.get("data") {
                    Some(d @ V::O(_)) => Some(d.clone()),
                    _ => None,
                },
                _ => None,
            }
        }
    }

    fn obj(pairs: Vec<(&'static str, V)>) -> V {
        V::O(pairs.into_iter().collect())
    }

    /// The message a v1 read finds, if any.
    fn v1(m: &V) -> Option<AppMessage> {
        match parse(m) {
            Envelope::Message(m) => Some(m),
            _ => None,
        }
    }

    fn msg(kind: V, data: Option<V>) -> V {
        let mut m = vec![("source", V::S("vlens")), ("version", V::N(1.0)), ("type", kind)];
        if let Some(d) = data {
            m.push(("data", d));
        }
        obj(m)
    }

    #[test]
    fn reads_every_known_type() {
        assert_eq!(v1(&msg(V::S("ready"), None)), Some(AppMessage::Ready));
        assert_eq!(
            v1(&msg(V::S("step"), Some(obj(vec![("step", V::S("kyc"))])))),
            Some(AppMessage::Step("kyc".into()))
        );
        assert_eq!(v1(&msg(V::S("resize"), Some(obj(vec![("height", V::N(812.5))])))), Some(AppMessage::Resize(812.5)));
        assert_eq!(v1(&msg(V::S("completed"), Some(obj(vec![])))), Some(AppMessage::Completed));
        assert_eq!(v1(&msg(V::S("cancelled"), None)), Some(AppMessage::Cancelled));
        assert_eq!(v1(&msg(V::S("token-expired"), None)), Some(AppMessage::TokenExpired));
        assert_eq!(v1(&msg(V::S("progress"), None)), Some(AppMessage::Other("progress".into())));
    }

    #[test]
    fn reads_app_errors_with_and_without_fields() {
        let full = obj(vec![("code", V::S("OCR_FAILED")), ("message", V::S("blurry")), ("recoverable", V::B(true))]);
        assert_eq!(
            v1(&msg(V::S("error"), Some(full))),
            Some(AppMessage::Error {
                code: Some("OCR_FAILED".into()),
                message: Some("blurry".into()),
                recoverable: Some(true)
            })
        );
        let wrong_types = obj(vec![("code", V::N(3.0)), ("message", V::Null), ("recoverable", V::S("yes"))]);
        assert_eq!(
            v1(&msg(V::S("error"), Some(wrong_types))),
            Some(AppMessage::Error { code: None, message: None, recoverable: None })
        );
        assert_eq!(
            v1(&msg(V::S("error"), None)),
            Some(AppMessage::Error { code: None, message: None, recoverable: None })
        );
    }

    #[test]
    fn tells_foreign_messages_from_malformed_v1_ones() {
        use Envelope::{Foreign, Malformed};
        let no_source = obj(vec![("version", V::N(1.0)), ("type", V::S("ready"))]);
        assert_eq!(parse(&no_source), Foreign);
        let other_source = obj(vec![("source", V::S("other")), ("version", V::N(1.0)), ("type", V::S("ready"))]);
        assert_eq!(parse(&other_source), Foreign);
        let host_echo = obj(vec![("source", V::S("vlens-host")), ("version", V::N(1.0)), ("type", V::S("token"))]);
        assert_eq!(parse(&host_echo), Foreign);
        let v2 = obj(vec![("source", V::S("vlens")), ("version", V::N(2.0)), ("type", V::S("ready"))]);
        assert_eq!(parse(&v2), Foreign);
        let version_string = obj(vec![("source", V::S("vlens")), ("version", V::S("1")), ("type", V::S("ready"))]);
        assert_eq!(parse(&version_string), Foreign);
        assert_eq!(parse(&V::Null), Foreign);
        assert_eq!(parse(&V::S("vlens")), Foreign);
        let no_type = obj(vec![("source", V::S("vlens")), ("version", V::N(1.0))]);
        assert_eq!(parse(&no_type), Malformed);
        assert_eq!(parse(&msg(V::N(1.0), None)), Malformed);
        assert_eq!(parse(&msg(V::S(""), None)), Malformed);
        assert_eq!(v1(&msg(V::S("x"), None)), Some(AppMessage::Other("x".into())));
        let long: &'static str = Box::leak("t".repeat(65).into_boxed_str());
        assert_eq!(parse(&msg(V::S(long), None)), Malformed);
    }

    #[test]
    fn a_mapped_result_is_read_like_the_body_of_a_v1_message() {
        let step = obj(vec![("type", V::S("step")), ("data", obj(vec![("step", V::S("kyc"))]))]);
        assert_eq!(typed(&step), Some(AppMessage::Step("kyc".into())));
        assert_eq!(typed(&obj(vec![("type", V::S("completed"))])), Some(AppMessage::Completed));
        assert_eq!(typed(&obj(vec![("type", V::S("resize")), ("data", obj(vec![("height", V::N(0.0))]))])), None);
        assert_eq!(typed(&obj(vec![("type", V::N(3.0))])), None);
        assert_eq!(typed(&obj(vec![])), None);
    }

    #[test]
    fn drops_typed_messages_with_wrong_fields() {
        assert_eq!(v1(&msg(V::S("step"), None)), None);
        assert_eq!(v1(&msg(V::S("step"), Some(obj(vec![("step", V::N(2.0))])))), None);
        assert_eq!(v1(&msg(V::S("step"), Some(obj(vec![("step", V::S(""))])))), None);
        assert_eq!(v1(&msg(V::S("step"), Some(V::S("kyc")))), None);
        for bad in [V::S("800"), V::N(f64::NAN), V::N(f64::INFINITY), V::N(-1.0), V::N(0.0), V::N(1e9), V::Null] {
            assert_eq!(v1(&msg(V::S("resize"), Some(obj(vec![("height", bad.clone())])))), None, "{bad:?}");
        }
    }
}
