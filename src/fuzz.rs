//! Property-based fuzzing of everything that reads input from the iframe, the network or the
//! caller, natively. A short run is part of `cargo test`; a long one:
//! `PROPTEST_CASES=1000000 cargo test --release --lib fuzz` (`npm run fuzz`).

use crate::options::{self, tests::FakeEnv, Value as Opt};
use crate::protocol::{self, AppMessage, Envelope, Field, MessageView};
use crate::token;
use proptest::prelude::*;
use serde_json::Value;

/// A JSON value read the way the browser glue reads a JavaScript object.
struct Json<'a>(&'a Value);

impl MessageView for Json<'_> {
    fn field(&self, key: &str, max_chars: u32) -> Field {
        match self.0.get(key) {
            None => Field::Missing,
            Some(Value::String(s)) if s.encode_utf16().count() > max_chars as usize => Field::TooLong,
            Some(Value::String(s)) => Field::Str(s.clone()),
            Some(Value::Number(n)) => n.as_f64().map_or(Field::Other, Field::Num),
            Some(Value::Bool(b)) => Field::Bool(*b),
            Some(_) => Field::Other,
        }
    }
    fn data(&self) -> Option<Self> {
        self.0.get("data").filter(|d| d.is_object()).map(Json)
    }
}

/// Keys and values close to the protocol, so generated messages reach deep into the parser.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("source".to_string()),
        Just("version".to_string()),
        Just("type".to_string()),
        Just("data".to_string()),
        Just("step".to_string()),
        Just("height".to_string()),
        Just("code".to_string()),
        Just("message".to_string()),
        Just("recoverable".to_string()),
        Just("__proto__".to_string()),
        ".{0,12}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(Value::from(1)),
        prop_oneof![
            Just("vlens"),
            Just("ready"),
            Just("step"),
            Just("resize"),
            Just("completed"),
            Just("cancelled"),
            Just("error"),
            Just("token-expired"),
            Just("vlens-host"),
            Just(""),
        ]
        .prop_map(Value::from),
        ".{0,300}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Short arbitrary strings, and long ones around the 4096-character limit (cheap to generate).
fn token_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,64}",
        (any::<char>(), 4090usize..4100, ".{0,4}").prop_map(|(c, n, tail)| c.to_string().repeat(n) + &tail),
    ]
}

fn check_bounded(msg: &AppMessage) {
    match msg {
        AppMessage::Step(s) => assert!(!s.is_empty() && s.encode_utf16().count() <= protocol::MAX_STEP as usize),
        AppMessage::Resize(h) => assert!(h.is_finite() && *h > 0.0 && *h <= protocol::MAX_HEIGHT),
        AppMessage::Other(t) => assert!(!t.is_empty() && t.encode_utf16().count() <= protocol::MAX_TYPE as usize),
        AppMessage::Error { code, message, .. } => {
            assert!(code.as_ref().is_none_or(|c| c.encode_utf16().count() <= protocol::MAX_APP_CODE as usize));
            assert!(message.as_ref().is_none_or(|m| m.encode_utf16().count() <= protocol::MAX_APP_MESSAGE as usize));
        }
        _ => {}
    }
}

proptest! {
    // 2000 cases per property in `cargo test`; PROPTEST_CASES sets more (npm run fuzz: a million).
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn arbitrary_values_never_panic_and_stay_bounded(v in value()) {
        if let Envelope::Message(msg) = protocol::parse(&Json(&v)) {
            check_bounded(&msg);
        }
        // What a host's parseMessage returns is read by the same rules.
        if let Some(msg) = protocol::typed(&Json(&v)) {
            check_bounded(&msg);
        }
    }

    #[test]
    fn arbitrary_envelopes_never_panic(kind in leaf(), data in value(), version in leaf()) {
        let v = serde_json::json!({ "source": "vlens", "version": version, "type": kind, "data": data });
        match protocol::parse(&Json(&v)) {
            Envelope::Message(msg) => {
                check_bounded(&msg);
                prop_assert_eq!(v["version"].as_f64(), Some(1.0));
            }
            Envelope::Malformed => prop_assert_eq!(v["version"].as_f64(), Some(1.0)),
            Envelope::Foreign => prop_assert_ne!(v["version"].as_f64(), Some(1.0)),
        }
    }

    #[test]
    fn arbitrary_json_text_never_panics(text in ".{0,400}") {
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            let _ = protocol::parse(&Json(&v));
        }
    }

    #[test]
    fn tokens_are_checked_without_panics(t in token_text()) {
        if token::check(&t).is_ok() {
            prop_assert!(!t.is_empty() && t.chars().count() <= token::MAX_TOKEN_CHARS);
            prop_assert!(!t.chars().any(char::is_control));
        }
    }

    #[test]
    fn numbers_from_the_caller_never_panic(x in any::<f64>(), y in any::<f64>(), r in any::<u32>(), rand in any::<f64>()) {
        for name in ["tokenTimeoutMs", "loadTimeoutMs", "retries", "height", "width", "minHeight", "maxHeight"] {
            let _ = options::read::<()>(vec![(name.into(), Opt::Num(x)), ("maxHeight".into(), Opt::Num(y))], &FakeEnv);
        }
        let _ = crate::iframe::clamp_height(x, Some(y), None);
        prop_assert!(token::backoff_ms(r, rand) <= token::BACKOFF_MAX_MS as u32);
        prop_assert!(token::retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", x, y).is_some() == x.is_finite());
        // Paced waits never add up past the cap, whatever the server asked.
        let (mut tries, mut waited) = (token::Tries::default(), 0u64);
        while let Some((ms, next)) = tries.next(&token::Failure::RetryAfter(String::new(), r), 2, 15_000, rand) {
            waited += u64::from(ms);
            tries = next;
        }
        prop_assert!(waited <= 15_000);
    }

    #[test]
    fn strings_from_the_caller_never_panic(a in ".{0,300}", b in ".{0,40}") {
        for name in ["allow", "title", "baseUrl", "height", &b] {
            if let Ok(cfg) = options::read::<()>(vec![(name.into(), Opt::Str(a.clone()))], &FakeEnv) {
                prop_assert!(cfg.rules.allow.starts_with("camera; microphone"));
                prop_assert!(!cfg.rules.allow.contains('"') && !cfg.rules.allow.contains('<'));
            }
        }
        let _ = options::check_form_names(&a);
        let _ = token::retry_after_ms(&a, f64::NAN, 0.0);
        let _ = crate::iframe::session_src(&b, &a);
    }
}

#[test]
fn deep_and_huge_inputs_are_dropped_cheaply() {
    let mut deep = Value::Null;
    for _ in 0..10_000 {
        let mut wrapper = serde_json::Map::new();
        wrapper.insert("data".into(), deep);
        deep = Value::Object(wrapper);
    }
    assert_eq!(protocol::parse(&Json(&deep)), Envelope::Foreign);
    let huge = serde_json::json!({ "source": "vlens", "version": 1, "type": "x".repeat(5 << 20) });
    assert_eq!(protocol::parse(&Json(&huge)), Envelope::Malformed);
    let huge_step =
        serde_json::json!({ "source": "vlens", "version": 1, "type": "step", "data": { "step": "s".repeat(5 << 20) } });
    assert_eq!(protocol::parse(&Json(&huge_step)), Envelope::Malformed);
    // Dropping the deep value recursively would overflow the test's stack; leak it instead.
    std::mem::forget(deep);
}
