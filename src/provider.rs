//! Token providers, one type per form: the host's endpoint, or its own function.
//! Calls return a promise; the executor feeds its outcome back to the engine.

use crate::error::{invalid, WidgetError};
use crate::js;
use crate::options::{self, Env, UrlParts};
use crate::token::{self, Failure, Reason, MAX_TOKEN_CHARS};
use alloc::string::String;
use js_sys::{Array, Function, Object, JSON};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Headers};

/// The host's session endpoint, with its request ready to send.
pub(crate) struct Endpoint {
    url: String,
    /// `{method, headers, body?, credentials}`; a `signal` is added per call.
    init: JsValue,
}

/// Where tokens come from.
pub(crate) enum Provider {
    /// A URL or `{url, method?, headers?, body?, credentials?}`.
    Http(Endpoint),
    /// `(ctx) => string | Promise<string>`.
    Function(Function),
}

const SHAPE_HINT: &str = "tokenProvider must be the URL of your session endpoint (e.g. '/api/vlens/session'), an object { url, method?, headers?, body?, credentials? }, or a function (ctx) => token";

impl Provider {
    /// Reads and checks the `tokenProvider` argument; `base` resolves relative URLs.
    pub(crate) fn from_js(value: &JsValue, base: Option<&str>, env: &impl Env) -> Result<Provider, WidgetError> {
        if value.is_function() {
            return Ok(Provider::Function(value.clone().unchecked_into()));
        }
        let (mut url, mut method, mut headers, mut body, mut credentials) =
            (None, JsValue::UNDEFINED, JsValue::UNDEFINED, JsValue::UNDEFINED, JsValue::UNDEFINED);
        if let Some(s) = value.as_string() {
            url = Some(s);
        } else if value.is_object() {
            // Own properties only: a polluted Object.prototype must not add a header or a URL.
            for (key, v) in js::own_entries(value) {
                match key.as_str() {
                    "url" => url = v.as_string(),
                    "method" => method = v,
                    "headers" => headers = v,
                    "body" => body = v,
                    "credentials" => credentials = v,
                    _ => {}
                }
            }
            if url.is_none() {
                return Err(invalid!(
                    "tokenProvider.url",
                    "tokenProvider.url must be a string: the URL of your session endpoint"
                ));
            }
        }
        let url = url.ok_or_else(|| invalid!("tokenProvider", SHAPE_HINT))?;
        let parsed = env.parse_url(&url, base).ok_or_else(|| {
            invalid!(
                "tokenProvider",
                "tokenProvider: '",
                &url,
                "' is not a valid URL; use the URL of your session endpoint, such as /api/vlens/session"
            )
        })?;
        options::check_provider_url(&parsed)?;
        Ok(Provider::Http(Endpoint::new(parsed, method, headers, body, credentials)?))
    }

    /// Starts one attempt: a value or a promise of one; `Err` when a function provider throws at once.
    pub(crate) fn call(&self, reason: Reason, signal: &AbortSignal) -> Result<JsValue, Failure> {
        match self {
            Provider::Function(f) => {
                let ctx = js::object(&[("reason", reason.as_str().into()), ("signal", signal.into())]);
                let returned = f.call1(&JsValue::UNDEFINED, &ctx).map_err(|e| {
                    Failure::Transient(["the tokenProvider function threw: ", &js::describe(&e)].concat())
                })?;
                Ok(returned)
            }
            Provider::Http(endpoint) => {
                // No prototype: fetch reads every RequestInit member it knows (mode, integrity,
                // referrer...) through the chain, so a polluted Object.prototype would set them.
                let init = Object::assign(
                    &Object::create(JsValue::NULL.unchecked_ref::<Object>()),
                    endpoint.init.unchecked_ref(),
                );
                let _ = js_sys::Reflect::set(&init, &"signal".into(), signal);
                Ok(js::fetch_answer(&endpoint.url, &init).into())
            }
        }
    }

    /// Reads what the attempt's promise resolved to.
    pub(crate) fn answer(&self, value: &JsValue) -> Result<String, Failure> {
        match self {
            Provider::Function(_) => {
                token_string(value, "the tokenProvider function returned something that is not a string")
            }
            Provider::Http(endpoint) => {
                let answer: &Array = value.unchecked_ref();
                let status = answer.get(0).as_f64().unwrap_or(0.0) as u16;
                let content_type = answer.get(1).as_string().unwrap_or_default().to_ascii_lowercase();
                let text = answer.get(2);
                if !(200..300).contains(&status) {
                    let wait = answer
                        .get(3)
                        .as_string()
                        .and_then(|h| token::retry_after_ms(&h, js_sys::Date::parse(&h), js_sys::Date::now()));
                    return Err(token::status_failure(&endpoint.url, status, error_reason(&text).as_deref(), wait));
                }
                read_body(&content_type, &text)
            }
        }
    }

    /// Why the attempt's promise rejected.
    pub(crate) fn rejection(&self, e: &JsValue) -> Failure {
        Failure::Transient(match self {
            Provider::Function(_) => ["the tokenProvider function's promise rejected: ", &js::describe(e)].concat(),
            Provider::Http(endpoint) => [
                "could not reach the token endpoint ",
                &endpoint.url,
                " (",
                &js::describe(e),
                "): check the URL, your network and CORS",
            ]
            .concat(),
        })
    }
}

impl Endpoint {
    fn new(
        url: UrlParts,
        method: JsValue,
        headers: JsValue,
        body: JsValue,
        credentials: JsValue,
    ) -> Result<Endpoint, WidgetError> {
        let method = match js::value(method) {
            options::Value::Absent => "POST".into(),
            options::Value::Str(m) if !m.is_empty() && m.len() <= 16 && m.chars().all(|c| c.is_ascii_alphabetic()) => {
                m.to_ascii_uppercase()
            }
            _ => {
                return Err(invalid!(
                    "tokenProvider.method",
                    "tokenProvider.method must be an HTTP method such as 'POST' or 'GET'"
                ))
            }
        };
        let credentials = match js::value(credentials) {
            options::Value::Absent => "same-origin".into(),
            options::Value::Str(c) if matches!(c.as_str(), "omit" | "same-origin" | "include") => c,
            _ => {
                return Err(invalid!(
                    "tokenProvider.credentials",
                    "tokenProvider.credentials must be 'omit', 'same-origin' or 'include'"
                ))
            }
        };
        let headers = if headers.is_undefined() || headers.is_null() {
            Headers::new()
        } else {
            Headers::new_with_str_sequence_sequence(&headers)
        }
        .map_err(|_| {
            invalid!(
                "tokenProvider.headers",
                "tokenProvider.headers must be an object of header names to string values, or a Headers object"
            )
        })?;
        for pair in Array::from(&headers).iter() {
            let name = js::get(&pair, "0").as_string().unwrap_or_default();
            if options::is_secret_name(&name) {
                return Err(options::secret_error(&name));
            }
        }
        if !headers.has("accept").unwrap_or(true) {
            let _ = headers.set("Accept", "application/json");
        }
        let body = match body.as_string() {
            Some(text) => {
                check_body_text(&text)?;
                JsValue::from_str(&text)
            }
            None if body.is_undefined() || body.is_null() => JsValue::UNDEFINED,
            None => {
                check_body_names(&body)?;
                let json = JSON::stringify(&body).ok().filter(|s| s.is_string()).ok_or_else(|| {
                    invalid!(
                        "tokenProvider.body",
                        "tokenProvider.body could not be turned into JSON; pass a string or a plain object"
                    )
                })?;
                if !headers.has("content-type").unwrap_or(true) {
                    let _ = headers.set("Content-Type", "application/json");
                }
                json.into()
            }
        };
        let init = js::object(&[
            ("method", method.into()),
            ("headers", headers.into()),
            ("body", body),
            ("credentials", credentials.into()),
        ]);
        Ok(Endpoint { url: url.href, init })
    }
}

/// Refuses a secret among the top-level field names of a JSON or form body.
fn check_body_names(body: &JsValue) -> Result<(), WidgetError> {
    match js::own_entries(body).into_iter().find(|(name, _)| options::is_secret_name(name)) {
        Some((name, _)) => Err(options::secret_error(&name)),
        None => Ok(()),
    }
}

fn check_body_text(text: &str) -> Result<(), WidgetError> {
    match JSON::parse(text) {
        Ok(parsed) => check_body_names(&parsed),
        Err(_) => options::check_form_names(text),
    }
}

/// A token-like string, without copying absurdly long values.
fn token_string(value: &JsValue, not_a_string: &str) -> Result<String, Failure> {
    match js::short_string(value, (MAX_TOKEN_CHARS * 2) as u32) {
        None => Err(Failure::Invalid(token::invalid(not_a_string))),
        Some(Err(())) => Err(Failure::Invalid(token::invalid(token::TOO_LONG))),
        Some(Ok(t)) => Ok(String::from(t.trim())),
    }
}

/// The token in a successful response body.
fn read_body(content_type: &str, text: &JsValue) -> Result<String, Failure> {
    let bad = |why: &str| Failure::Invalid(token::invalid(why));
    // A byte scan keeps the generic substring searcher (2 KB) out of the wasm.
    let value = if content_type.as_bytes().windows(4).any(|w| w == b"json") {
        let text = text.as_string().unwrap_or_default();
        let parsed = JSON::parse(&text).map_err(|_| bad("the token endpoint answered with invalid JSON"))?;
        let token = js::get(&parsed, "token");
        if token.is_string() {
            token
        } else {
            js::get(&parsed, "data")
        }
    } else if content_type.is_empty() || content_type.starts_with("text/plain") {
        text.clone()
    } else {
        return Err(bad(
            &["the token endpoint answered with ", content_type, " instead of JSON or text/plain"].concat()
        ));
    };
    token_string(&value, "the token endpoint's JSON has neither a string `token` nor a string `data`")
}

/// The `error` or `message` string of a JSON error body, so the host's developer sees why.
fn error_reason(body: &JsValue) -> Option<String> {
    let text = js::short_string(body, 64 * 1024)?.ok()?;
    let parsed = JSON::parse(&text).ok()?;
    ["error", "message"].iter().find_map(|key| js::short_string(&js::get(&parsed, key), 1000)?.ok())
}
