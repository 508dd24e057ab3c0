//! The mock's app: the page the iframe loads (`GET /session?token=...`), its
//! assets, and the app's own API (`/session/api/*`). Markup, style and script are in
//! `server/assets/`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{MockProtocol, MockSession, MockState, TokenProblem, STEPS};
use crate::error::{JsonBody, JsonBodyRejection};
use crate::util::{escape_html, json_for_script};

const APP_JS: &str = include_str!("../../assets/app.js");
const APP_CSS: &str = include_str!("../../assets/app.css");
const PAGE_HTML: &str = include_str!("../../assets/page.html");
const INDEX_HTML: &str = include_str!("../../assets/index.html");
const ERROR_HTML: &str = include_str!("../../assets/error.html");
const LOADING_HTML: &str = include_str!("../../assets/loading.html");
/// Largest body of the app's own API calls.
const MAX_APP_BODY: usize = 16 * 1024;

fn asset(text: &'static str, content_type: &'static str) -> Response {
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// `GET /`: what this server is.
pub async fn index() -> Response {
    asset(INDEX_HTML, "text/html; charset=utf-8")
}

/// `GET /assets/app.js`.
pub async fn app_js() -> Response {
    asset(APP_JS, "text/javascript; charset=utf-8")
}

/// `GET /assets/app.css`.
pub async fn app_css() -> Response {
    asset(APP_CSS, "text/css; charset=utf-8")
}

/// An error answer of the app's own API: `{"code": ..., "message": ...}`.
#[derive(Debug)]
pub enum AppError {
    /// 400: not `{"token": ...}` JSON (or too large, or too slow).
    BadRequest,
    /// 400: an unknown step name.
    BadStep,
    /// 401: the token is unknown or expired.
    Token(TokenProblem),
    /// 409: the new token is for another phone number.
    Mismatch,
    /// 409: the session is already complete.
    Completed,
}

impl From<JsonBodyRejection> for AppError {
    fn from(_: JsonBodyRejection) -> Self {
        AppError::BadRequest
    }
}

impl From<TokenProblem> for AppError {
    fn from(problem: TokenProblem) -> Self {
        AppError::Token(problem)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            AppError::BadRequest => (StatusCode::BAD_REQUEST, "BAD_REQUEST", "Send JSON: {\"token\": \"...\"}."),
            AppError::BadStep => {
                (StatusCode::BAD_REQUEST, "BAD_STEP", "step is one of registration, kyc, contract, done.")
            }
            AppError::Token(problem) => (StatusCode::UNAUTHORIZED, problem.code(), problem.message()),
            AppError::Mismatch => {
                (StatusCode::CONFLICT, "TOKEN_MISMATCH", "The new session is for a different phone number.")
            }
            AppError::Completed => (StatusCode::CONFLICT, "SESSION_COMPLETED", "This session is already complete."),
        };
        json_answer(status, json!({ "code": code, "message": message }))
    }
}

fn json_answer(status: StatusCode, value: Value) -> Response {
    let mut res = (status, Json(value)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The query of `GET /session`.
#[derive(Deserialize)]
pub struct SessionQuery {
    token: Option<String>,
}

fn html_page(status: StatusCode, title: &str, body_html: &str, config: &Value) -> Response {
    let html = PAGE_HTML
        .replace("{{TITLE}}", &escape_html(title))
        .replace("{{BODY}}", body_html)
        .replace("{{CONFIG}}", &json_for_script(config));
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The token is in this page's URL: never send it on as a referrer.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             media-src 'self' blob: mediastream:; connect-src 'self'; base-uri 'none'; form-action 'none'",
        ),
    );
    res
}

/// The query of `GET /session`, or why it could not be read (then there is no token).
type SessionQueryResult = Result<Query<SessionQuery>, axum::extract::rejection::QueryRejection>;

/// `GET /session?token=...`: the app, posting to its parent in the configured dialect.
pub async fn session_page(State(state): State<Arc<MockState>>, query: SessionQueryResult) -> Response {
    app_page(state.config().protocol, &state, query)
}

/// `GET /{protocol}/session?token=...`: the app, posting in the dialect named by the
/// path (`v1`, `silent`, `foreign`); 404 for any other name.
pub async fn protocol_session_page(
    Path(name): Path<String>,
    State(state): State<Arc<MockState>>,
    query: SessionQueryResult,
) -> Response {
    match MockProtocol::from_name(&name) {
        Some(protocol) => app_page(protocol, &state, query),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn app_page(protocol: MockProtocol, state: &MockState, query: SessionQueryResult) -> Response {
    let token = query.ok().and_then(|Query(q)| q.token).unwrap_or_default();
    let session = state.with_session(&token, |s| s.clone()).and_then(|s| {
        if s.completed {
            Err(TokenProblem::Expired)
        } else {
            Ok(s)
        }
    });
    let session = match session {
        Ok(s) => s,
        Err(problem) => {
            let title = if problem == TokenProblem::Expired { "Session expired" } else { "Session not found" };
            let body = ERROR_HTML
                .trim_end()
                .replace("{{CODE}}", problem.code())
                .replace("{{TITLE}}", title)
                .replace("{{MESSAGE}}", &escape_html(problem.message()));
            let config = json!({
                "protocol": protocol.name(),
                "error": { "code": problem.code(), "message": problem.message() },
            });
            return html_page(problem.status(), "Vlens: session unavailable", &body, &config);
        }
    };
    let remaining = session.expires_at.saturating_duration_since(Instant::now());
    let prefill: serde_json::Map<String, Value> =
        session.prefill.iter().map(|(id, fields)| (id.to_string(), json!(fields))).collect();
    let config = json!({
        "protocol": protocol.name(),
        "token": token,
        "sessionId": session.session_id,
        "phoneNumber": session.phone_number,
        "invitation": session.invitation,
        "permissions": {
            "allowedContractTypeIds": session.permissions.allowed_contract_type_ids,
            "minimalSignatureFlow": session.permissions.minimal_signature_flow,
            "digitalIdentityOnly": session.permissions.digital_identity_only,
        },
        "prefill": prefill,
        "expiresInMs": u64::try_from(remaining.as_millis()).unwrap_or(u64::MAX),
    });
    html_page(StatusCode::OK, "Vlens", LOADING_HTML.trim_end(), &config)
}

/// The body of the app's own API calls.
#[derive(Deserialize)]
pub struct AppRequest {
    token: String,
    #[serde(default, rename = "previousToken")]
    previous_token: Option<String>,
    #[serde(default)]
    step: Option<String>,
}

/// The app API's JSON body extractor: at most 16 KiB, errors as [`AppError`].
type AppJson = JsonBody<AppRequest, AppError, MAX_APP_BODY>;

fn remaining_ms(s: &MockSession) -> u64 {
    u64::try_from(s.expires_at.saturating_duration_since(Instant::now()).as_millis()).unwrap_or(u64::MAX)
}

/// `POST /session/api/verify {token, previousToken?}`: checks a token the host sent
/// (after `token-expired`). With `previousToken`, the new session carries on the
/// old one: same session id and step, as long as it is for the same person.
pub async fn verify(State(state): State<Arc<MockState>>, JsonBody(req, _): AppJson) -> Result<Response, AppError> {
    let previous = req.previous_token.as_deref().filter(|p| *p != req.token).and_then(|p| {
        let sessions = state.sessions();
        sessions.get(p).map(|s| (s.session_id.clone(), s.step.clone(), s.phone_number.clone()))
    });
    let answer = state.with_session(&req.token, |s| {
        if let Some((session_id, step, phone)) = previous {
            if phone != s.phone_number {
                return Err(AppError::Mismatch);
            }
            s.session_id = session_id;
            if s.step.is_none() {
                s.step = step;
            }
        }
        Ok(json!({ "sessionId": s.session_id, "phoneNumber": s.phone_number, "expiresInMs": remaining_ms(s) }))
    })??;
    Ok(json_answer(StatusCode::OK, answer))
}

/// `POST /session/api/step {token, step}`: records progress. `done` completes the
/// session and answers the result the app posts with `completed`.
pub async fn step(State(state): State<Arc<MockState>>, JsonBody(req, _): AppJson) -> Result<Response, AppError> {
    let step = req.step.filter(|s| STEPS.contains(&s.as_str())).ok_or(AppError::BadStep)?;
    let answer = state.with_session(&req.token, |s| {
        if s.completed {
            return Err(AppError::Completed);
        }
        s.step = Some(step.clone());
        let mut answer = json!({ "step": step, "expiresInMs": remaining_ms(s) });
        if step == "done" {
            s.completed = true;
            let contract_type_ids: &[u32] =
                if s.permissions.digital_identity_only { &[] } else { &s.permissions.allowed_contract_type_ids };
            answer["result"] = json!({
                "sessionId": s.session_id,
                "contractTypeIds": contract_type_ids,
                "phoneNumber": s.phone_number,
            });
        }
        Ok(answer)
    })??;
    Ok(json_answer(StatusCode::OK, answer))
}

/// `POST /session/api/expire {token}`: the demo link that expires the token now.
pub async fn expire(State(state): State<Arc<MockState>>, JsonBody(req, _): AppJson) -> Result<Response, AppError> {
    if state.expire_now(&req.token) {
        tracing::info!("mock Vlens: a token was expired on request");
        Ok(json_answer(StatusCode::OK, json!({ "expired": true })))
    } else {
        Err(AppError::Token(TokenProblem::Unknown))
    }
}
