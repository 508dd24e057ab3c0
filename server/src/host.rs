//! The host backend: what an integrator's server does.
//!
//! * `POST /api/vlens/session` turns the browser's request into a Vlens session
//!   token (`CreateAuthSession`, or `CreateInvitation` when `prefill` is given) and
//!   answers `{"token": "..."}`. The `ApiKey` and the admin token stay here.
//! * `GET /api/vlens/config` tells the demo page where the Vlens app lives.
//! * Everything else is static: `dist/` under `/dist/`, `www/` under `/`.
//!
//! Answers of the session endpoint:
//!
//! | status | body | when |
//! |--------|------|------|
//! | 200 | `{"token": "..."}` | Vlens created the session |
//! | 400 | `{"error": "<message>", "field": "<field>"}` | invalid input; `field` names it (`body` for a non-JSON body) |
//! | 413 | `{"error": "..."}` | body over 64 KiB |
//! | 415 | `{"error": "..."}` | `Content-Type` is not `application/json` |
//! | 501 | `{"error": "...", "field": "prefill"}` | `prefill` given, but no `VLENS_ADMIN_TOKEN` is configured |
//! | 502 | `{"error": "..."}` | Vlens failed: refused credentials, 5xx, timeout, unreachable, bad answer |

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::files;
use crate::util::{is_json_content_type, json_response, read_body, Logger};
use crate::validate::{parse_session_request, MAX_BODY_BYTES};
use crate::vlens::{CreateAuthSessionRequest, CreateInvitationRequest, Secret, SessionInput, VlensClient};

/// What the host needs to run.
pub struct HostState {
    /// The Vlens API client (holds the `ApiKey`).
    pub client: VlensClient,
    /// Admin bearer token for invitations; `None` disables `prefill`.
    pub admin_token: Option<Secret>,
    /// Origin (or base URL) of the Vlens app, given to the page as `baseUrl`.
    pub app_url: String,
    /// Whether the upstream is the built-in mock.
    pub mock: bool,
    /// Repository root: `www/` and `dist/` are served from it.
    pub root: PathBuf,
    /// Where request log lines go.
    pub log: Logger,
}

/// The host's routes.
pub fn router(state: Arc<HostState>) -> Router {
    Router::new()
        .route("/api/vlens/session", post(create_session))
        .route("/api/vlens/config", get(config))
        .fallback(static_files)
        .with_state(state)
}

fn error(status: StatusCode, message: &str, field: Option<&str>) -> Response {
    let body = match field {
        Some(field) => json!({ "error": message, "field": field }),
        None => json!({ "error": message }),
    };
    json_response(status, &body)
}

async fn config(State(state): State<Arc<HostState>>) -> Response {
    json_response(StatusCode::OK, &json!({ "baseUrl": state.app_url, "mock": state.mock }))
}

/// `POST /api/vlens/session`.
///
/// In a real application, the phone number would come from the signed-in user's
/// account rather than from the request; the demo lets the visitor type it.
async fn create_session(State(state): State<Arc<HostState>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let log = |status: StatusCode, what: &str| {
        (state.log)(&format!(
            "POST /api/vlens/session -> {} ({what}, {} ms)",
            status.as_u16(),
            started.elapsed().as_millis()
        ));
    };

    // Requiring JSON also stops cross-site form posts: a browser sends
    // `application/json` cross-origin only after a CORS preflight, which this server
    // never approves.
    if !is_json_content_type(&headers) {
        log(StatusCode::UNSUPPORTED_MEDIA_TYPE, "not JSON");
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the request as JSON (Content-Type: application/json).",
            None,
        );
    }
    let Some(bytes) = read_body(body, MAX_BODY_BYTES).await else {
        log(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
        return error(StatusCode::PAYLOAD_TOO_LARGE, "The request body is larger than 64 KiB.", None);
    };
    let request = match parse_session_request(&bytes) {
        Ok(r) => r,
        Err(e) => {
            log(StatusCode::BAD_REQUEST, &format!("invalid {}", e.field));
            return error(StatusCode::BAD_REQUEST, &e.message, Some(&e.field));
        }
    };

    let (endpoint, result) = match request.prefill {
        None => {
            let body = CreateAuthSessionRequest {
                phone_number: request.phone_number,
                session_permissions: request.permissions,
            };
            ("CreateAuthSession", state.client.create_auth_session(&body).await)
        }
        Some(values) => {
            let Some(admin_token) = &state.admin_token else {
                log(StatusCode::NOT_IMPLEMENTED, "prefill without VLENS_ADMIN_TOKEN");
                return error(
                    StatusCode::NOT_IMPLEMENTED,
                    "This server cannot pre-fill forms: it has no Vlens admin token configured. Send the request without prefill.",
                    Some("prefill"),
                );
            };
            let body = CreateInvitationRequest {
                session_input: SessionInput {
                    phone_number: request.phone_number,
                    session_permissions: request.permissions,
                    request_fields_values: values,
                },
            };
            ("CreateInvitation", state.client.create_invitation(&body, admin_token).await)
        }
    };

    match result {
        Ok(token) => {
            log(StatusCode::OK, endpoint);
            json_response(StatusCode::OK, &json!({ "token": token }))
        }
        Err(e) => {
            // The error's text holds no secret and no body; the answer holds even less.
            log(StatusCode::BAD_GATEWAY, &format!("{endpoint}: {e}"));
            error(StatusCode::BAD_GATEWAY, "Vlens could not create a session right now. Please try again later.", None)
        }
    }
}

async fn static_files(State(state): State<Arc<HostState>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    if path == "/dist" {
        let mut res = StatusCode::MOVED_PERMANENTLY.into_response();
        res.headers_mut().insert(header::LOCATION, HeaderValue::from_static("/dist/"));
        return res;
    }
    if let Some(rest) = path.strip_prefix("/dist/") {
        let res = files::serve(&state.root.join("dist"), rest, &method).await;
        if res.status() == StatusCode::NOT_FOUND && !state.root.join("dist").is_dir() {
            return (StatusCode::NOT_FOUND, "dist/ does not exist yet: build the widget first (npm run build).\n")
                .into_response();
        }
        return res;
    }
    if path.starts_with("/api/") {
        return error(StatusCode::NOT_FOUND, "No such API endpoint.", None);
    }
    let www = state.root.join("www");
    if !www.is_dir() {
        let text = format!(
            "vlens-server: no www/ folder in {}. Start the server from the repository root or set VLENS_ROOT.\n",
            state.root.display()
        );
        return (StatusCode::NOT_FOUND, text).into_response();
    }
    let mut res = files::serve(&www, &path, &method).await;
    let is_html = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_html {
        res.headers_mut().extend(page_security_headers(&state.app_url));
    }
    res
}

/// The headers a page embedding the widget should send: a strict
/// `Content-Security-Policy` that lets the page frame only the Vlens app, and a
/// `Permissions-Policy` that grants camera and microphone to the page and to the
/// Vlens origin (liveness needs both). `app_url` is the widget's `baseUrl`; only its
/// origin is used.
///
/// `'wasm-unsafe-eval'` lets the widget compile its WebAssembly; `connect-src 'self'`
/// covers the token endpoint. Without a usable origin (a malformed `app_url`), no
/// origin is granted anything.
pub fn page_security_headers(app_url: &str) -> [(header::HeaderName, HeaderValue); 2] {
    const NO_ORIGIN_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
         frame-src 'none'; style-src 'self'; img-src 'self' data:; connect-src 'self'";
    const NO_ORIGIN_PERMISSIONS: &str = "camera=(self), microphone=(self)";
    let origin =
        reqwest::Url::parse(app_url).ok().map(|u| u.origin()).filter(|o| o.is_tuple()).map(|o| o.ascii_serialization());
    let values = origin.and_then(|o| {
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src {o}; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'"
        );
        let permissions = format!("camera=(self \"{o}\"), microphone=(self \"{o}\")");
        // An origin serialises to visible ASCII, so both are valid header values.
        Some((HeaderValue::from_str(&csp).ok()?, HeaderValue::from_str(&permissions).ok()?))
    });
    let (csp, permissions) = values
        .unwrap_or_else(|| (HeaderValue::from_static(NO_ORIGIN_CSP), HeaderValue::from_static(NO_ORIGIN_PERMISSIONS)));
    [(header::CONTENT_SECURITY_POLICY, csp), (header::HeaderName::from_static("permissions-policy"), permissions)]
}
