//! A local stand-in for Vlens: the API a host backend calls and the app the iframe
//! loads, served from one origin (its own port), separate from the host's.
//!
//! API (checked the way the Vlens documentation describes the real one, and
//! stricter: unknown or misspelt fields are refused, so a client that passes here
//! sends exactly the documented names):
//!
//! * `POST /api/IdentityUserSession/CreateAuthSession`: header `ApiKey`;
//! * `POST /api/IdentityUserSession/CreateInvitation`: headers `ApiKey` and
//!   `Authorization: Bearer <admin token>`, body wrapped in `SessionInput`.
//!
//! Both answer `{"data": "<token>"}`; 401 for a missing or wrong credential, 415
//! for a body that is not declared JSON, 413 over 64 KiB, 400 for a malformed body
//! (`{"data": null, "message": ..., "errors": {"<field>": ["..."]}}`). Tokens expire
//! after the configured lifetime.
//!
//! App:
//!
//! * `GET /session?token=...`: the multi-step flow, or a page with a visible error
//!   (and an `error` message to the parent) for an unknown (404) or expired (410)
//!   token;
//! * `POST /session/api/verify`, `/session/api/step`, `/session/api/expire`: the
//!   app's own calls (JSON `{token, ...}`), answering 401
//!   `{"code": "TOKEN_EXPIRED" | "TOKEN_UNKNOWN"}` for a bad token;
//! * `GET /assets/app.js`, `/assets/app.css`.

// Handlers here return a ready `Response` as their error; boxing it buys nothing.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::util::{
    escape_html, is_json_content_type, json_for_script, json_response, random_hex, random_uuid, read_body, Logger,
};
use crate::validate::{is_e164, MAX_CONTRACT_TYPE_ID, MAX_CONTRACT_TYPE_IDS};
use crate::vlens::{
    CreateAuthSessionRequest, CreateInvitationRequest, RequestFieldsValues, Secret, SessionPermissions,
};

const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");
const PAGE_HTML: &str = include_str!("../assets/page.html");
const INDEX_HTML: &str = include_str!("../assets/index.html");

/// Most live sessions kept in memory.
pub const MAX_SESSIONS: usize = 10_000;
/// How long an expired token is still recognised as expired (rather than unknown).
pub const EXPIRED_KEPT_FOR: Duration = Duration::from_secs(3600);
const MAX_API_BODY: usize = 64 * 1024;
const MAX_APP_BODY: usize = 16 * 1024;

/// The steps of the flow, as the app reports them.
pub const STEPS: [&str; 4] = ["registration", "kyc", "contract", "done"];

/// Credentials the mock accepts and how long its tokens live.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The `ApiKey` both endpoints require.
    pub api_key: Secret,
    /// The admin bearer token `CreateInvitation` requires.
    pub admin_token: Secret,
    /// How long a session token stays valid after it is created.
    pub token_ttl: Duration,
}

impl MockConfig {
    /// Random credentials (kept in memory, never printed).
    pub fn generated(token_ttl: Duration) -> Self {
        MockConfig {
            api_key: Secret::new(format!("mock-api-key-{}", random_hex(24))),
            admin_token: Secret::new(format!("mock-admin-{}", random_hex(24))),
            token_ttl,
        }
    }
}

#[derive(Debug, Clone)]
struct MockSession {
    session_id: String,
    invitation: bool,
    phone_number: String,
    permissions: SessionPermissions,
    prefill: RequestFieldsValues,
    expires_at: Instant,
    step: Option<String>,
    completed: bool,
}

/// The mock's shared state.
pub struct MockState {
    config: MockConfig,
    sessions: Mutex<HashMap<String, MockSession>>,
    log: Logger,
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// No session has this token (or it expired too long ago to remember).
    Unknown,
    /// The session's lifetime is over, it was expired on request, or (for the page) it is complete.
    Expired,
}

impl TokenProblem {
    /// The machine-readable code sent to the app and parent (`TOKEN_UNKNOWN`, `TOKEN_EXPIRED`).
    pub fn code(self) -> &'static str {
        match self {
            TokenProblem::Unknown => "TOKEN_UNKNOWN",
            TokenProblem::Expired => "TOKEN_EXPIRED",
        }
    }

    /// A sentence for the user, telling them to start a new session.
    pub fn message(self) -> &'static str {
        match self {
            TokenProblem::Unknown => {
                "This session link is not valid. Ask the page you came from to start a new session."
            }
            TokenProblem::Expired => "This session has expired. Ask the page you came from to start a new session.",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            TokenProblem::Unknown => StatusCode::NOT_FOUND,
            TokenProblem::Expired => StatusCode::GONE,
        }
    }
}

impl MockState {
    /// An empty session store with `config`'s credentials, logging to `log`.
    pub fn new(config: MockConfig, log: Logger) -> Arc<Self> {
        Arc::new(MockState { config, sessions: Mutex::new(HashMap::new()), log })
    }

    /// The credentials and token lifetime the mock runs with.
    pub fn config(&self) -> &MockConfig {
        &self.config
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<String, MockSession>> {
        // A panic elsewhere while holding the lock leaves the map usable.
        self.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores a new session and returns its token, or `None` when full.
    fn insert(
        &self,
        invitation: bool,
        phone_number: String,
        permissions: SessionPermissions,
        prefill: RequestFieldsValues,
    ) -> Option<String> {
        let now = Instant::now();
        let mut sessions = self.sessions();
        sessions.retain(|_, s| now.saturating_duration_since(s.expires_at) < EXPIRED_KEPT_FOR);
        if sessions.len() >= MAX_SESSIONS {
            return None;
        }
        let token = random_hex(32);
        sessions.insert(
            token.clone(),
            MockSession {
                session_id: random_uuid(),
                invitation,
                phone_number,
                permissions,
                prefill,
                expires_at: now + self.config.token_ttl,
                step: None,
                completed: false,
            },
        );
        Some(token)
    }

    /// Runs `f` on the live session of `token`.
    fn with_session<T>(&self, token: &str, f: impl FnOnce(&mut MockSession) -> T) -> Result<T, TokenProblem> {
        let mut sessions = self.sessions();
        let session = sessions.get_mut(token).ok_or(TokenProblem::Unknown)?;
        if Instant::now() >= session.expires_at {
            return Err(TokenProblem::Expired);
        }
        Ok(f(session))
    }

    /// Whether `token` is usable now.
    pub fn check_token(&self, token: &str) -> Result<(), TokenProblem> {
        self.with_session(token, |_| ())
    }

    /// Makes `token` expire now. `false` when it is unknown.
    pub fn expire_now(&self, token: &str) -> bool {
        let mut sessions = self.sessions();
        match sessions.get_mut(token) {
            Some(s) => {
                s.expires_at = s.expires_at.min(Instant::now());
                true
            }
            None => false,
        }
    }
}

/// The mock's routes.
pub fn router(state: Arc<MockState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/api/IdentityUserSession/CreateAuthSession", post(create_auth_session))
        .route("/api/IdentityUserSession/CreateInvitation", post(create_invitation))
        .route("/session", get(session_page))
        .route("/session/api/verify", post(app_verify))
        .route("/session/api/step", post(app_step))
        .route("/session/api/expire", post(app_expire))
        .route("/assets/app.js", get(|| async { asset(APP_JS, "text/javascript; charset=utf-8") }))
        .route("/assets/app.css", get(|| async { asset(APP_CSS, "text/css; charset=utf-8") }))
        .with_state(state)
}

fn asset(text: &'static str, content_type: &'static str) -> Response {
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

async fn index() -> Response {
    asset(INDEX_HTML, "text/html; charset=utf-8")
}

// ---------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------

fn api_error(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "data": null, "message": message }))
}

fn validation_error(field: &str, message: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({
            "data": null,
            "message": "One or more validation errors occurred.",
            "errors": { field: [message] },
        }),
    )
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn check_api_key(state: &MockState, headers: &HeaderMap) -> Result<(), Response> {
    match header_str(headers, "ApiKey") {
        Some(key) if state.config.api_key.matches(key) => Ok(()),
        Some(_) => Err(api_error(StatusCode::UNAUTHORIZED, "Invalid ApiKey.")),
        None => Err(api_error(StatusCode::UNAUTHORIZED, "Missing ApiKey header.")),
    }
}

fn check_admin_token(state: &MockState, headers: &HeaderMap) -> Result<(), Response> {
    let Some(value) = header_str(headers, "Authorization") else {
        return Err(api_error(StatusCode::UNAUTHORIZED, "Missing Authorization header (Bearer admin token)."));
    };
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        .map(|(_, token)| token.trim());
    match token {
        Some(token) if state.config.admin_token.matches(token) => Ok(()),
        _ => Err(api_error(StatusCode::UNAUTHORIZED, "Invalid admin bearer token.")),
    }
}

async fn read_json_body(headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, Response> {
    if !is_json_content_type(headers) {
        return Err(api_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json."));
    }
    read_body(body, MAX_API_BODY)
        .await
        .ok_or_else(|| api_error(StatusCode::PAYLOAD_TOO_LARGE, "The request body is too large."))
}

fn check_request(prefix: &str, phone: &str, permissions: &SessionPermissions) -> Result<(), Response> {
    if !is_e164(phone) {
        return Err(validation_error(&format!("{prefix}phoneNumber"), "The phone number must be in E.164 form."));
    }
    let ids = &permissions.allowed_contract_type_ids;
    let field = format!("{prefix}sessionPermissions.allowedContractTypeIds");
    if ids.is_empty() && !permissions.digital_identity_only {
        return Err(validation_error(&field, "At least one contract type id is required."));
    }
    if ids.len() > MAX_CONTRACT_TYPE_IDS || ids.iter().any(|&id| id == 0 || u64::from(id) > MAX_CONTRACT_TYPE_ID) {
        return Err(validation_error(&field, "Contract type ids must be positive integers."));
    }
    Ok(())
}

/// The answer of a session endpoint (`{"data": token}` or the error), logged by status.
fn respond(state: &MockState, endpoint: &str, result: Result<Option<String>, Response>) -> Response {
    let response = match result {
        Ok(Some(token)) => json_response(StatusCode::OK, &json!({ "data": token })),
        Ok(None) => api_error(StatusCode::SERVICE_UNAVAILABLE, "Too many sessions."),
        Err(response) => response,
    };
    (state.log)(&format!("mock Vlens: {endpoint} -> {}", response.status().as_u16()));
    response
}

async fn create_auth_session(State(state): State<Arc<MockState>>, headers: HeaderMap, body: Body) -> Response {
    const ENDPOINT: &str = "CreateAuthSession";
    let result = async {
        check_api_key(&state, &headers)?;
        let bytes = read_json_body(&headers, body).await?;
        let req: CreateAuthSessionRequest =
            serde_json::from_slice(&bytes).map_err(|e| validation_error("$", &e.to_string()))?;
        check_request("", &req.phone_number, &req.session_permissions)?;
        Ok::<_, Response>(state.insert(false, req.phone_number, req.session_permissions, RequestFieldsValues::new()))
    }
    .await;
    respond(&state, ENDPOINT, result)
}

async fn create_invitation(State(state): State<Arc<MockState>>, headers: HeaderMap, body: Body) -> Response {
    const ENDPOINT: &str = "CreateInvitation";
    let result = async {
        check_api_key(&state, &headers)?;
        check_admin_token(&state, &headers)?;
        let bytes = read_json_body(&headers, body).await?;
        let req: CreateInvitationRequest =
            serde_json::from_slice(&bytes).map_err(|e| validation_error("$", &e.to_string()))?;
        let input = req.session_input;
        check_request("SessionInput.", &input.phone_number, &input.session_permissions)?;
        for (id, fields) in &input.request_fields_values {
            let field = format!("SessionInput.RequestFieldsValues.{id}");
            if !input.session_permissions.allowed_contract_type_ids.contains(id) {
                return Err(validation_error(&field, "Contract type is not in allowedContractTypeIds."));
            }
            if fields.is_empty() || fields.keys().any(|k| k.is_empty()) {
                return Err(validation_error(&field, "Give field keys and values."));
            }
        }
        Ok(state.insert(true, input.phone_number, input.session_permissions, input.request_fields_values))
    }
    .await;
    respond(&state, ENDPOINT, result)
}

// ---------------------------------------------------------------------------
// App
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct SessionQuery {
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
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
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

/// `GET /session?token=...`
async fn session_page(
    State(state): State<Arc<MockState>>,
    query: Result<Query<SessionQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
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
            (state.log)(&format!("mock Vlens: GET /session -> {} ({})", problem.status().as_u16(), problem.code()));
            let body = format!(
                "<section class=\"screen screen--error\" data-testid=\"token-error\" data-code=\"{code}\">\
                 <div class=\"brand\"><span class=\"brand__mark\" aria-hidden=\"true\">V</span><span class=\"brand__name\">Vlens</span><span class=\"badge\">mock</span></div>\
                 <div class=\"icon icon--error\" aria-hidden=\"true\">!</div>\
                 <h1>{title}</h1><p class=\"lead\">{message}</p><p class=\"muted\">Error code: <code>{code}</code></p></section>",
                code = problem.code(),
                title = if problem == TokenProblem::Expired { "Session expired" } else { "Session not found" },
                message = escape_html(problem.message()),
            );
            let config = json!({ "error": { "code": problem.code(), "message": problem.message() } });
            return html_page(problem.status(), "Vlens: session unavailable", &body, &config);
        }
    };
    (state.log)("mock Vlens: GET /session -> 200");
    let remaining = session.expires_at.saturating_duration_since(Instant::now());
    let prefill: serde_json::Map<String, Value> =
        session.prefill.iter().map(|(id, fields)| (id.to_string(), json!(fields))).collect();
    let config = json!({
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
    let body = "<p class=\"loading\" data-testid=\"loading\">Loading your session…</p>\
                <noscript><p class=\"lead\">This page needs JavaScript.</p></noscript>";
    html_page(StatusCode::OK, "Vlens", body, &config)
}

#[derive(Deserialize)]
struct AppRequest {
    token: String,
    #[serde(default, rename = "previousToken")]
    previous_token: Option<String>,
    #[serde(default)]
    step: Option<String>,
}

async fn app_request(headers: &HeaderMap, body: Body) -> Result<AppRequest, Response> {
    let bad = || {
        json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "code": "BAD_REQUEST", "message": "Send JSON: {\"token\": \"...\"}." }),
        )
    };
    if !is_json_content_type(headers) {
        return Err(bad());
    }
    let bytes = read_body(body, MAX_APP_BODY).await.ok_or_else(bad)?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

/// The answer of an app endpoint: its JSON, its own error response, or the token's problem.
fn session_answer(result: Result<Result<serde_json::Value, Response>, TokenProblem>) -> Response {
    match result {
        Ok(Ok(value)) => json_response(StatusCode::OK, &value),
        Ok(Err(res)) => res,
        Err(problem) => token_error(problem),
    }
}

fn token_error(problem: TokenProblem) -> Response {
    json_response(StatusCode::UNAUTHORIZED, &json!({ "code": problem.code(), "message": problem.message() }))
}

fn remaining_ms(s: &MockSession) -> u64 {
    u64::try_from(s.expires_at.saturating_duration_since(Instant::now()).as_millis()).unwrap_or(u64::MAX)
}

/// `POST /session/api/verify {token, previousToken?}`: checks a token the host sent
/// (after `token-expired`). With `previousToken`, the new session carries on the
/// old one: same session id and step, as long as it is for the same person.
async fn app_verify(State(state): State<Arc<MockState>>, headers: HeaderMap, body: Body) -> Response {
    let req = match app_request(&headers, body).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let previous = req.previous_token.as_deref().filter(|p| *p != req.token).and_then(|p| {
        let sessions = state.sessions();
        sessions.get(p).map(|s| (s.session_id.clone(), s.step.clone(), s.phone_number.clone()))
    });
    let result = state.with_session(&req.token, |s| {
        if let Some((session_id, step, phone)) = previous {
            if phone != s.phone_number {
                return Err(json_response(
                    StatusCode::CONFLICT,
                    &json!({ "code": "TOKEN_MISMATCH", "message": "The new session is for a different phone number." }),
                ));
            }
            s.session_id = session_id;
            if s.step.is_none() {
                s.step = step;
            }
        }
        Ok(json!({ "sessionId": s.session_id, "phoneNumber": s.phone_number, "expiresInMs": remaining_ms(s) }))
    });
    session_answer(result)
}

/// `POST /session/api/step {token, step}`: records progress. `done` completes the
/// session and answers the result the app posts with `completed`.
async fn app_step(State(state): State<Arc<MockState>>, headers: HeaderMap, body: Body) -> Response {
    let req = match app_request(&headers, body).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let Some(step) = req.step.filter(|s| STEPS.contains(&s.as_str())) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "code": "BAD_STEP", "message": "step is one of registration, kyc, contract, done." }),
        );
    };
    let result = state.with_session(&req.token, |s| {
        if s.completed {
            return Err(json_response(
                StatusCode::CONFLICT,
                &json!({ "code": "SESSION_COMPLETED", "message": "This session is already complete." }),
            ));
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
    });
    session_answer(result)
}

/// `POST /session/api/expire {token}`: the demo link that expires the token now.
async fn app_expire(State(state): State<Arc<MockState>>, headers: HeaderMap, body: Body) -> Response {
    let req = match app_request(&headers, body).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    if state.expire_now(&req.token) {
        (state.log)("mock Vlens: token expired on request");
        json_response(StatusCode::OK, &json!({ "expired": true }))
    } else {
        token_error(TokenProblem::Unknown)
    }
}
