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
//! | 408 | `{"error": "..."}` | the body did not arrive within the body timeout |
//! | 413 | `{"error": "..."}` | body over 64 KiB (a declared length over it: at once, before `100 Continue`) |
//! | 415 | `{"error": "..."}` | `Content-Type` is not `application/json` |
//! | 429 | `{"error": "..."}` + `Retry-After` | the client's rate limit is used up |
//! | 501 | `{"error": "...", "field": "prefill"}` | `prefill` given, but no `VLENS_ADMIN_TOKEN` is configured |
//! | 502 | `{"error": "..."}` | Vlens failed: refused credentials, 5xx, timeout, unreachable, bad answer, a token the widget would refuse or one holding a credential |

use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tower::ServiceExt;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::PeerIpKeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::{RateLimit, DEFAULT_FRAME_ANCESTORS};
use crate::error::{ApiError, JsonBody};
use crate::files;
use crate::mock::MockProtocol;
use crate::telemetry::{trace_layer, LogNote};
use crate::validate::parse_session_value;
use crate::vlens::{
    error_chain, refuse_secret, CreateAuthSessionRequest, CreateInvitationRequest, Secret, SessionInput, VlensClient,
};

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
    /// What the mock app at `/session` posts (given to the page when `mock`).
    pub mock_protocol: MockProtocol,
    /// Repository root: `www/` and `dist/` are served from it.
    pub root: PathBuf,
    /// The session endpoint's per-client rate limit.
    pub rate_limit: RateLimit,
    /// CSP `frame-ancestors` of the pages (`'self'` by default).
    pub frame_ancestors: String,
}

impl HostState {
    /// A host with the default rate limit and `frame-ancestors 'self'`.
    pub fn new(client: VlensClient, admin_token: Option<Secret>, app_url: String, mock: bool, root: PathBuf) -> Self {
        HostState {
            client,
            admin_token,
            app_url,
            mock,
            mock_protocol: MockProtocol::default(),
            root,
            rate_limit: RateLimit::default(),
            frame_ancestors: DEFAULT_FRAME_ANCESTORS.to_string(),
        }
    }
}

/// The host's routes, with security headers on every answer, request logs and the
/// session endpoint's rate limit.
pub fn router(state: Arc<HostState>) -> Router {
    let headers = Arc::new(SecurityHeaders::new(&state.app_url, &state.frame_ancestors));
    Router::new()
        .route("/api/vlens/session", post(create_session).route_layer(rate_limit_layer(state.rate_limit)))
        .route("/api/vlens/config", get(config))
        .route("/api/{*rest}", any(|| async { ApiError::NotFound }))
        .route("/api", any(|| async { ApiError::NotFound }))
        .fallback(static_files)
        .with_state(state)
        .layer(middleware::from_fn_with_state(headers, security_headers))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(trace_layer("host"))
}

/// A token bucket per client IP (the peer address: behind a reverse proxy, limit
/// there, or key on the proxy's client header with `tower_governor`'s
/// `SmartIpKeyExtractor` once the proxy is the only way in).
fn rate_limit_layer(
    limit: RateLimit,
) -> GovernorLayer<
    PeerIpKeyExtractor,
    governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>,
    axum::body::Body,
> {
    let period = Duration::from_secs(60) / limit.per_minute.max(1);
    let config = Arc::new(
        GovernorConfigBuilder::default()
            .period(period)
            .burst_size(limit.burst.max(1))
            .finish()
            .expect("a non-zero period and burst"),
    );
    // Forget clients that have been quiet for a while, until the router is dropped.
    let weak: Weak<_> = Arc::downgrade(&config);
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                let Some(config) = weak.upgrade() else { break };
                config.limiter().retain_recent();
            }
        });
    }
    GovernorLayer::new(config).error_handler(|e| {
        let retry_after = match e {
            // governor rounds the wait down to whole seconds: round up instead.
            GovernorError::TooManyRequests { wait_time, .. } => wait_time + 1,
            _ => 1,
        };
        ApiError::TooManyRequests { retry_after }.into_response()
    })
}

async fn config(State(state): State<Arc<HostState>>) -> Response {
    let mut body = json!({ "baseUrl": state.app_url, "mock": state.mock });
    if state.mock {
        body["mockProtocol"] = json!(state.mock_protocol.name());
    }
    let mut res = Json(body).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `POST /api/vlens/session`.
///
/// In a real application, the phone number would come from the signed-in user's
/// account rather than from the request; the demo lets the visitor type it.
///
/// Requiring JSON (415 otherwise) also stops cross-site form posts: a browser sends
/// `application/json` cross-origin only after a CORS preflight, which this server
/// never approves.
async fn create_session(
    State(state): State<Arc<HostState>>,
    JsonBody(body, _): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let request = parse_session_value(body)?;
    let (endpoint, result) = match request.prefill {
        None => {
            let body = CreateAuthSessionRequest {
                phone_number: request.phone_number,
                session_permissions: request.permissions,
            };
            // The client refuses the credentials it sent; the host holds the admin token too.
            let result = state.client.create_auth_session(&body).await.and_then(|token| match &state.admin_token {
                Some(admin_token) => refuse_secret(&token, admin_token, "admin token").map(|()| token),
                None => Ok(token),
            });
            ("CreateAuthSession", result)
        }
        Some(values) => {
            let admin_token = state.admin_token.as_ref().ok_or(ApiError::PrefillUnavailable)?;
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
    let token = result.map_err(|e| {
        // The error's text holds no secret, URL or body; the answer holds even less.
        tracing::warn!(endpoint, error = %error_chain(&e), "Vlens failed");
        ApiError::Upstream
    })?;
    // The widget's own rules (one definition): a token it would refuse is a bad
    // answer from Vlens, not something to hand the page.
    if vlens_widget::token::check(&token).is_err() {
        tracing::warn!(
            endpoint,
            "Vlens answered a token the widget refuses (empty, over {} characters, or with control characters)",
            vlens_widget::token::MAX_TOKEN_CHARS
        );
        return Err(ApiError::Upstream);
    }
    let mut res = Json(json!({ "token": token })).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.extensions_mut().insert(LogNote(endpoint));
    Ok(res)
}

/// `www/` under `/` and `dist/` under `/dist/`, through `tower-http`'s `ServeDir`,
/// after [`files::resolve`] refused hidden names and escapes (and symbolic links
/// leading out of the folder), with `Cache-Control: no-cache`.
async fn static_files(State(state): State<Arc<HostState>>, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut res = StatusCode::METHOD_NOT_ALLOWED.into_response();
        res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return res;
    }
    let path = req.uri().path().to_string();
    if path == "/dist" {
        return redirect("/dist/");
    }
    let (folder, rest) = match path.strip_prefix("/dist/") {
        Some(rest) => (state.root.join("dist"), rest),
        None => (state.root.join("www"), path.as_str()),
    };
    if !folder.is_dir() {
        let text = if rest.len() < path.len() {
            "dist/ does not exist yet: build the widget first (npm run build).\n".to_string()
        } else {
            format!(
                "vlens-server: no www/ folder in {}. Start the server from the repository root or set VLENS_ROOT.\n",
                state.root.display()
            )
        };
        return (StatusCode::NOT_FOUND, text).into_response();
    }
    let Some(file) = files::resolve(&folder, rest) else {
        return files::not_found(req.method());
    };
    if !files::stays_inside(&folder, &file).await {
        return files::not_found(req.method());
    }
    // ServeDir sees the path relative to its folder.
    let (mut parts, body) = req.into_parts();
    let relative = if rest.starts_with('/') { rest.to_string() } else { format!("/{rest}") };
    parts.uri = match relative.parse() {
        Ok(uri) => uri,
        Err(_) => return files::not_found(&parts.method),
    };
    let method = parts.method.clone();
    let Ok(res) = ServeDir::new(&folder).oneshot(Request::from_parts(parts, body)).await;
    let mut res = res.map(axum::body::Body::new);
    if res.status() == StatusCode::NOT_FOUND {
        return files::not_found(&method);
    }
    if res.status().is_redirection() {
        // ServeDir redirects `/sub` to `/sub/` relative to its folder: put the mount back.
        if let Some(location) = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) {
            let mount = if folder.ends_with("dist") { "/dist" } else { "" };
            if let Ok(v) = HeaderValue::from_str(&format!("{mount}{location}")) {
                res.headers_mut().insert(header::LOCATION, v);
            }
        }
        return res;
    }
    if res.status().is_success() {
        let is_dir = tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir());
        let served = if is_dir { file.join("index.html") } else { file };
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(files::content_type(&served)));
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    res
}

fn redirect(location: &'static str) -> Response {
    let mut res = StatusCode::MOVED_PERMANENTLY.into_response();
    res.headers_mut().insert(header::LOCATION, HeaderValue::from_static(location));
    res
}

/// The headers the host adds: on every answer `X-Frame-Options` (when
/// `frame-ancestors` is `'self'` or `'none'`) and `Referrer-Policy`; on HTML pages
/// also the [`page_security_headers`].
pub struct SecurityHeaders {
    every: Vec<(HeaderName, HeaderValue)>,
    pages: Vec<(HeaderName, HeaderValue)>,
}

impl SecurityHeaders {
    /// The headers for a page embedding the Vlens app at `app_url`, framed by `frame_ancestors`.
    pub fn new(app_url: &str, frame_ancestors: &str) -> Self {
        let mut every = vec![(header::REFERRER_POLICY, HeaderValue::from_static(REFERRER_POLICY))];
        if let Some(xfo) = x_frame_options(frame_ancestors) {
            every.push((header::X_FRAME_OPTIONS, xfo));
        }
        SecurityHeaders { every, pages: page_security_headers(app_url, frame_ancestors) }
    }
}

async fn security_headers(State(headers): State<Arc<SecurityHeaders>>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let is_html = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let h = res.headers_mut();
    for (name, value) in &headers.every {
        h.insert(name.clone(), value.clone());
    }
    if is_html {
        for (name, value) in &headers.pages {
            h.insert(name.clone(), value.clone());
        }
    }
    res
}

/// `strict-origin-when-cross-origin`: other origins (the Vlens app among them) see
/// only the page's origin, which the app needs to address its messages where
/// `location.ancestorOrigins` is missing (Firefox); paths and queries never leave.
pub const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";

/// `X-Frame-Options` matching `frame-ancestors` for browsers without CSP level 2:
/// `SAMEORIGIN` for `'self'`, `DENY` for `'none'`, none for a list naming other
/// origins (the header cannot express it, and CSP wins where both are understood).
pub fn x_frame_options(frame_ancestors: &str) -> Option<HeaderValue> {
    match frame_ancestors.trim() {
        "'self'" => Some(HeaderValue::from_static("SAMEORIGIN")),
        "'none'" => Some(HeaderValue::from_static("DENY")),
        _ => None,
    }
}

/// The headers a page embedding the widget should send: a strict
/// `Content-Security-Policy` that lets the page frame only the Vlens app, lets only
/// `frame_ancestors` frame the page, and forbids `<base>`, plugins and form posts
/// elsewhere; and a `Permissions-Policy` that grants camera and microphone to the
/// Vlens origin and to no other (liveness needs both). `self` stays in the list: a
/// frame can only be delegated a feature its parent document has itself (Chromium
/// denies the iframe's `getUserMedia` otherwise). `app_url` is the widget's
/// `baseUrl`; only its origin is used.
///
/// `'wasm-unsafe-eval'` lets the widget compile its WebAssembly; `connect-src 'self'`
/// covers the token endpoint. Without a usable origin (a malformed `app_url`), no
/// origin is granted anything.
pub fn page_security_headers(app_url: &str, frame_ancestors: &str) -> Vec<(HeaderName, HeaderValue)> {
    let origin =
        reqwest::Url::parse(app_url).ok().map(|u| u.origin()).filter(|o| o.is_tuple()).map(|o| o.ascii_serialization());
    let (frame_src, allow) = match &origin {
        Some(o) => (o.clone(), format!("(self \"{o}\")")),
        None => ("'none'".to_string(), "(self)".to_string()),
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src {frame_src}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {frame_ancestors}"
    );
    let permissions = format!("camera={allow}, microphone={allow}");
    // An origin serialises to visible ASCII and `frame_ancestors` is checked by the
    // configuration, so both are valid header values; fall back to the strictest.
    let csp = HeaderValue::from_str(&csp).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src 'none'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        )
    });
    let permissions = HeaderValue::from_str(&permissions)
        .unwrap_or_else(|_| HeaderValue::from_static("camera=(self), microphone=(self)"));
    vec![(header::CONTENT_SECURITY_POLICY, csp), (HeaderName::from_static("permissions-policy"), permissions)]
}
