//! The host's error answers ([`ApiError`]) and the JSON body extractor ([`JsonBody`])
//! shared by the host and the mock, with its own rejection ([`JsonBodyRejection`]).

use std::marker::PhantomData;

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::serve::BodyTimeout;
use crate::util::is_json_content_type;
use crate::validate::{not_an_object, FieldError};

/// Why a request body could not be read as JSON.
#[derive(Debug)]
pub enum JsonBodyRejection {
    /// `Content-Type` is not `application/json`.
    NotJson,
    /// The body is larger than the extractor's limit.
    TooLarge,
    /// The body did not arrive within the body timeout.
    TimedOut,
    /// The connection failed while the body was read.
    Unreadable,
    /// The body is not JSON of the expected shape (serde's message; it may quote the
    /// request, so it goes in answers of the mock only, never in a log line).
    Malformed(serde_json::Error),
}

/// A JSON request body of at most `LIMIT` bytes, read before the body timeout; its
/// rejection is `E` (each API answers errors in its own shape).
///
/// ```ignore
/// async fn handler(JsonBody(value, _): JsonBody<serde_json::Value>) { /* ... */ }
/// ```
pub struct JsonBody<T, E = ApiError, const LIMIT: usize = { 64 * 1024 }>(pub T, pub PhantomData<E>);

impl<S, T, E, const LIMIT: usize> FromRequest<S> for JsonBody<T, E, LIMIT>
where
    S: Send + Sync,
    T: DeserializeOwned,
    E: From<JsonBodyRejection> + IntoResponse,
{
    type Rejection = E;

    async fn from_request(req: Request, _state: &S) -> Result<Self, E> {
        if !is_json_content_type(req.headers()) {
            return Err(JsonBodyRejection::NotJson.into());
        }
        // A declared length over the limit is refused before the body is polled: hyper
        // sends `100 Continue` only then, and waiting for bytes that will be refused
        // anyway would hold the connection until the body timeout.
        if http_body::Body::size_hint(req.body()).lower() > LIMIT as u64 {
            return Err(JsonBodyRejection::TooLarge.into());
        }
        let bytes = match Limited::new(req.into_body(), LIMIT).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<LengthLimitError>() => return Err(JsonBodyRejection::TooLarge.into()),
            Err(e) if BodyTimeout::is_cause_of(&*e) => return Err(JsonBodyRejection::TimedOut.into()),
            Err(_) => return Err(JsonBodyRejection::Unreadable.into()),
        };
        let value = serde_json::from_slice(&bytes).map_err(JsonBodyRejection::Malformed)?;
        Ok(JsonBody(value, PhantomData))
    }
}

/// An error answer of the host's API: JSON `{"error": "...", "field": "..."}` with
/// `Cache-Control: no-store`.
#[derive(Debug)]
pub enum ApiError {
    /// 415: the body is not declared JSON.
    NotJson,
    /// 413: the body is over the limit.
    TooLarge,
    /// 408: the body did not arrive in time.
    BodyTimeout,
    /// 400: the connection broke while the body was read.
    Unreadable,
    /// 400: a field is invalid (the body itself: field `body`).
    Invalid(FieldError),
    /// 501: `prefill` without an admin token configured.
    PrefillUnavailable,
    /// 429: the client's rate limit is used up; try again after this many seconds.
    TooManyRequests {
        /// Seconds until the next request may pass (`Retry-After`).
        retry_after: u64,
    },
    /// 502: Vlens failed or answered something unusable (the reason is logged by the caller).
    Upstream,
    /// 404: no API endpoint at this path.
    NotFound,
}

impl From<JsonBodyRejection> for ApiError {
    fn from(rejection: JsonBodyRejection) -> Self {
        match rejection {
            JsonBodyRejection::NotJson => ApiError::NotJson,
            JsonBodyRejection::TooLarge => ApiError::TooLarge,
            JsonBodyRejection::TimedOut => ApiError::BodyTimeout,
            JsonBodyRejection::Unreadable => ApiError::Unreadable,
            JsonBodyRejection::Malformed(_) => ApiError::Invalid(not_an_object()),
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Invalid(e)
    }
}

impl ApiError {
    /// The status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unreadable | ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
            ApiError::PrefillUnavailable => StatusCode::NOT_IMPLEMENTED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Upstream => StatusCode::BAD_GATEWAY,
            ApiError::NotFound => StatusCode::NOT_FOUND,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::NotJson => json!({ "error": "Send the request as JSON (Content-Type: application/json)." }),
            ApiError::TooLarge => json!({ "error": "The request body is larger than 64 KiB." }),
            ApiError::BodyTimeout => json!({ "error": "The request body did not arrive in time." }),
            ApiError::Unreadable => json!({ "error": "The request body could not be read." }),
            ApiError::Invalid(e) => json!({ "error": e.message, "field": e.field }),
            ApiError::PrefillUnavailable => json!({
                "error": "This server cannot pre-fill forms: it has no Vlens admin token configured. Send the request without prefill.",
                "field": "prefill",
            }),
            ApiError::TooManyRequests { retry_after } => json!({
                "error": format!("Too many session requests. Try again in {retry_after} s."),
            }),
            ApiError::Upstream => {
                json!({ "error": "Vlens could not create a session right now. Please try again later." })
            }
            ApiError::NotFound => json!({ "error": "No such API endpoint." }),
        };
        let mut res = (status, axum::Json(body)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            ApiError::TooManyRequests { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            }
            // The rest of the body is not read: the connection cannot be reused.
            ApiError::TooLarge | ApiError::BodyTimeout | ApiError::Unreadable => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            _ => {}
        }
        res
    }
}
