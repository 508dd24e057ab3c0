//! Token providers: the host's endpoint (URL or request object) or its own function.

use crate::error::WidgetError;
use crate::js;
use crate::options;
use crate::token::{self, Failure, Reason, MAX_TOKEN_CHARS};
use js_sys::{Function, Promise, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestCredentials, RequestInit, Response};

/// Where tokens come from.
#[derive(Clone)]
pub enum Provider {
    /// The host's session endpoint.
    Http {
        /// Absolute URL.
        url: String,
        /// HTTP method, `POST` unless given.
        method: String,
        /// Headers, `Accept: application/json` unless given.
        headers: Headers,
        /// Request body, already serialised.
        body: Option<String>,
        /// Cookie policy, `same-origin` unless given.
        credentials: RequestCredentials,
    },
    /// The host's own function `(ctx) => string | Promise<string>`.
    Function(Function),
}

const SHAPE_HINT: &str = "tokenProvider must be the URL of your session endpoint (e.g. '/api/vlens/session'), an object { url, method?, headers?, body?, credentials? }, or a function (ctx) => token";

fn invalid(message: &str) -> WidgetError {
    WidgetError::invalid(message)
}

impl Provider {
    /// Reads and checks the `tokenProvider` argument; `base_uri` resolves relative URLs.
    pub fn from_js(value: &JsValue, base_uri: &str) -> Result<Provider, WidgetError> {
        if let Some(f) = value.dyn_ref::<Function>() {
            return Ok(Provider::Function(f.clone()));
        }
        if let Some(url) = value.as_string() {
            return Self::http(&url, base_uri, None, JsValue::UNDEFINED, JsValue::UNDEFINED, None);
        }
        if !value.is_object() {
            return Err(invalid(SHAPE_HINT));
        }
        let url = js::get(value, "url")
            .as_string()
            .ok_or_else(|| invalid("tokenProvider.url must be a string: the URL of your session endpoint"))?;
        let method = match js::given(js::get(value, "method")) {
            None => None,
            Some(m) => Some(
                m.as_string()
                    .filter(|m| !m.is_empty() && m.chars().all(|c| c.is_ascii_alphabetic()))
                    .ok_or_else(|| invalid("tokenProvider.method must be an HTTP method such as 'POST' or 'GET'"))?,
            ),
        };
        let credentials = match js::given(js::get(value, "credentials")) {
            None => None,
            Some(c) => Some(match c.as_string().as_deref() {
                Some("omit") => RequestCredentials::Omit,
                Some("same-origin") => RequestCredentials::SameOrigin,
                Some("include") => RequestCredentials::Include,
                _ => return Err(invalid("tokenProvider.credentials must be 'omit', 'same-origin' or 'include'")),
            }),
        };
        Self::http(&url, base_uri, method, js::get(value, "headers"), js::get(value, "body"), credentials)
    }

    fn http(
        url: &str,
        base_uri: &str,
        method: Option<String>,
        headers: JsValue,
        body: JsValue,
        credentials: Option<RequestCredentials>,
    ) -> Result<Provider, WidgetError> {
        let parsed = web_sys::Url::new_with_base(url, base_uri).map_err(|_| {
            invalid(
                &[
                    "tokenProvider: '",
                    url,
                    "' is not a valid URL; use the URL of your session endpoint, such as /api/vlens/session",
                ]
                .concat(),
            )
        })?;
        options::check_provider_url(&parsed.protocol(), &parsed.hostname())?;
        let headers = match js::given(headers) {
            None => Headers::new().map_err(|_| invalid("tokenProvider.headers could not be created"))?,
            Some(h) => Headers::new_with_str_sequence_sequence(&h).map_err(|_| {
                invalid("tokenProvider.headers must be an object of header names to string values, or a Headers object")
            })?,
        };
        if headers.has("apikey").unwrap_or(false) {
            return Err(options::secret_error("ApiKey"));
        }
        if !headers.has("accept").unwrap_or(true) {
            let _ = headers.set("Accept", "application/json");
        }
        let body = match js::given(body) {
            None => None,
            Some(b) if b.is_string() => b.as_string(),
            Some(b) => {
                let json = JSON::stringify(&b).ok().and_then(|s| s.as_string()).ok_or_else(|| {
                    invalid("tokenProvider.body could not be turned into JSON; pass a string or a plain object")
                })?;
                if !headers.has("content-type").unwrap_or(true) {
                    let _ = headers.set("Content-Type", "application/json");
                }
                Some(json)
            }
        };
        Ok(Provider::Http {
            url: parsed.href(),
            method: method.unwrap_or_else(|| "POST".into()).to_ascii_uppercase(),
            headers,
            body,
            credentials: credentials.unwrap_or(RequestCredentials::SameOrigin),
        })
    }

    /// One attempt at a token. `signal` aborts it (timeout or destroy).
    pub async fn attempt(&self, reason: Reason, signal: &AbortSignal) -> Result<String, Failure> {
        match self {
            Provider::Function(f) => {
                let ctx = js::object(&[("reason", reason.as_str().into()), ("signal", signal.into())]);
                let returned = f
                    .call1(&JsValue::UNDEFINED, &ctx)
                    .map_err(|e| Failure::Transient(["the tokenProvider function threw: ", &describe(&e)].concat()))?;
                let value = JsFuture::from(Promise::resolve(&returned)).await.map_err(|e| {
                    Failure::Transient(["the tokenProvider function's promise rejected: ", &describe(&e)].concat())
                })?;
                match js::short_string(&value, (MAX_TOKEN_CHARS * 2) as u32) {
                    None => Err(Failure::Invalid(token::invalid(
                        "the tokenProvider function returned something that is not a string",
                    ))),
                    Some(Err(())) => Err(Failure::Invalid(token::invalid(
                        "the token provider returned a token longer than 4096 characters",
                    ))),
                    Some(Ok(t)) => token::check(&t).map(|()| t).map_err(Failure::Invalid),
                }
            }
            Provider::Http { url, method, headers, body, credentials } => {
                let init = RequestInit::new();
                init.set_method(method);
                init.set_headers(&Headers::new_with_headers(headers).unwrap_or_else(|_| headers.clone()));
                if let Some(b) = body {
                    init.set_body(&JsValue::from_str(b));
                }
                init.set_credentials(*credentials);
                init.set_signal(Some(signal));
                let window = web_sys::window().ok_or_else(|| Failure::Final("no window to fetch from".into()))?;
                let unreachable = |e: JsValue| {
                    Failure::Transient(
                        [
                            "could not reach the token endpoint ",
                            url,
                            " (",
                            &describe(&e),
                            "): check the URL, your network and CORS",
                        ]
                        .concat(),
                    )
                };
                let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
                    .await
                    .map_err(unreachable)?
                    .dyn_into()
                    .map_err(unreachable)?;
                if !response.ok() {
                    let body = match response.text() {
                        Ok(text) => JsFuture::from(text).await.unwrap_or(JsValue::UNDEFINED),
                        Err(_) => JsValue::UNDEFINED,
                    };
                    return Err(token::status_failure(url, response.status(), error_reason(&body).as_deref()));
                }
                let content_type =
                    response.headers().get("content-type").ok().flatten().unwrap_or_default().to_ascii_lowercase();
                let text = JsFuture::from(response.text().map_err(unreachable)?).await.map_err(unreachable)?;
                read_body(&content_type, &text)
            }
        }
    }
}

/// The token in a successful response body.
fn read_body(content_type: &str, text: &JsValue) -> Result<String, Failure> {
    let bad = |why: &str| Failure::Invalid(token::invalid(why));
    // A byte scan keeps the generic substring searcher out of the wasm.
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
    match js::short_string(&value, (MAX_TOKEN_CHARS * 2) as u32) {
        None => Err(bad("the token endpoint's JSON has neither a string `token` nor a string `data`")),
        Some(Err(())) => Err(bad("the token provider returned a token longer than 4096 characters")),
        Some(Ok(t)) => {
            let t = t.trim().to_string();
            token::check(&t).map(|()| t).map_err(Failure::Invalid)
        }
    }
}

/// The `error` or `message` string of a JSON error body, so the host's developer sees why.
fn error_reason(body: &JsValue) -> Option<String> {
    let text = js::short_string(body, 64 * 1024)?.ok()?;
    let parsed = JSON::parse(&text).ok()?;
    ["error", "message"].iter().find_map(|key| js::short_string(&js::get(&parsed, key), 1000)?.ok())
}

/// A short description of a thrown JavaScript value.
pub fn describe(e: &JsValue) -> String {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|err| String::from(err.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    text.chars().take(200).collect()
}
