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
//!   token; it posts to its parent in the configured [`MockProtocol`], and
//!   `GET /{v1,silent,foreign}/session?token=...` in the one named;
//! * `POST /session/api/verify`, `/session/api/step`, `/session/api/expire`: the
//!   app's own calls (JSON `{token, ...}`), answering 401
//!   `{"code": "TOKEN_EXPIRED" | "TOKEN_UNKNOWN"}` for a bad token;
//! * `GET /assets/app.js`, `/assets/app.css`.
//!
//! [`api`] holds the API's handlers, [`app`] the app's; the markup is in
//! `server/assets/`. The session store here counts live sessions only toward its
//! cap ([`MockConfig::max_sessions`]); expired ones are purged when room is needed.

pub mod api;
pub mod app;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::DEFAULT_MOCK_MAX_SESSIONS;
use crate::telemetry::trace_layer;
use crate::util::{random_hex, random_uuid};
use crate::vlens::{RequestFieldsValues, Secret, SessionPermissions};

/// How long an expired token is still recognised as expired (rather than unknown),
/// as long as the store is not full.
pub const EXPIRED_KEPT_FOR: Duration = Duration::from_secs(3600);

/// The steps of the flow, as the app reports them.
pub const STEPS: [&str; 4] = ["registration", "kyc", "contract", "done"];

/// What the mock app posts to the page that embeds it: its dialect. `/session`
/// speaks the configured one (`MOCK_APP_PROTOCOL`), `/{name}/session` the one named,
/// so a page can pick one per mount with the widget's `baseUrl` (`origin/{name}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MockProtocol {
    /// The widget's wire protocol (`docs/protocol.md`).
    #[default]
    V1,
    /// Nothing at all, and it listens to nothing: the flow still runs to its end.
    Silent,
    /// A format of its own: `{event, payload}` objects and JSON strings; it still
    /// takes the widget's v1 `token` message.
    Foreign,
}

impl MockProtocol {
    /// Every dialect.
    pub const ALL: [MockProtocol; 3] = [MockProtocol::V1, MockProtocol::Silent, MockProtocol::Foreign];

    /// Its name, in `MOCK_APP_PROTOCOL`, the path prefix and the app's page.
    pub fn name(self) -> &'static str {
        match self {
            MockProtocol::V1 => "v1",
            MockProtocol::Silent => "silent",
            MockProtocol::Foreign => "foreign",
        }
    }

    /// The dialect called `name` (exactly).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Credentials the mock accepts and how long its tokens live.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The `ApiKey` both endpoints require.
    pub api_key: Secret,
    /// The admin bearer token `CreateInvitation` requires.
    pub admin_token: Secret,
    /// How long a session token stays valid after it is created.
    pub token_ttl: Duration,
    /// Most live (unexpired) sessions; more are refused with 503.
    pub max_sessions: usize,
    /// What the app at `/session` posts to its parent (`MOCK_APP_PROTOCOL`).
    pub protocol: MockProtocol,
}

impl MockConfig {
    /// Random credentials (kept in memory, never printed).
    pub fn generated(token_ttl: Duration) -> Self {
        MockConfig {
            api_key: Secret::new(format!("mock-api-key-{}", random_hex(24))),
            admin_token: Secret::new(format!("mock-admin-{}", random_hex(24))),
            token_ttl,
            max_sessions: DEFAULT_MOCK_MAX_SESSIONS,
            protocol: MockProtocol::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct MockSession {
    pub(crate) session_id: String,
    pub(crate) invitation: bool,
    pub(crate) phone_number: String,
    pub(crate) permissions: SessionPermissions,
    pub(crate) prefill: RequestFieldsValues,
    pub(crate) expires_at: Instant,
    pub(crate) step: Option<String>,
    pub(crate) completed: bool,
}

/// The mock's shared state.
pub struct MockState {
    config: MockConfig,
    sessions: Mutex<HashMap<String, MockSession>>,
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

    pub(crate) fn status(self) -> StatusCode {
        match self {
            TokenProblem::Unknown => StatusCode::NOT_FOUND,
            TokenProblem::Expired => StatusCode::GONE,
        }
    }
}

impl MockState {
    /// An empty session store with `config`'s credentials.
    pub fn new(config: MockConfig) -> Arc<Self> {
        Arc::new(MockState { config, sessions: Mutex::new(HashMap::new()) })
    }

    /// The credentials and token lifetime the mock runs with.
    pub fn config(&self) -> &MockConfig {
        &self.config
    }

    pub(crate) fn sessions(&self) -> MutexGuard<'_, HashMap<String, MockSession>> {
        // A panic elsewhere while holding the lock leaves the map usable.
        self.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sessions in the store, live or expired (for tests and diagnostics).
    pub fn stored_sessions(&self) -> usize {
        self.sessions().len()
    }

    /// Stores a new session and returns its token, or `None` when the live sessions
    /// fill the cap.
    pub(crate) fn insert(
        &self,
        invitation: bool,
        phone_number: String,
        permissions: SessionPermissions,
        prefill: RequestFieldsValues,
    ) -> Option<String> {
        let now = Instant::now();
        let mut sessions = self.sessions();
        if sessions.len() >= self.config.max_sessions {
            // Only live sessions count: expired ones make room (they are then
            // unknown rather than expired, which the app handles the same way).
            sessions.retain(|_, s| s.expires_at > now);
            if sessions.len() >= self.config.max_sessions {
                return None;
            }
        } else if sessions.len() % 1024 == 0 {
            // Now and then, forget sessions that expired long ago.
            sessions.retain(|_, s| now.saturating_duration_since(s.expires_at) < EXPIRED_KEPT_FOR);
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
    pub(crate) fn with_session<T>(
        &self,
        token: &str,
        f: impl FnOnce(&mut MockSession) -> T,
    ) -> Result<T, TokenProblem> {
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

/// The mock's routes, with `X-Content-Type-Options: nosniff` on every answer and
/// request logs.
pub fn router(state: Arc<MockState>) -> Router {
    Router::new()
        .route("/", get(app::index))
        .route("/api/IdentityUserSession/CreateAuthSession", post(api::create_auth_session))
        .route("/api/IdentityUserSession/CreateInvitation", post(api::create_invitation))
        .route("/session", get(app::session_page))
        .route("/{protocol}/session", get(app::protocol_session_page))
        .route("/session/api/verify", post(app::verify))
        .route("/session/api/step", post(app::step))
        .route("/session/api/expire", post(app::expire))
        .route("/assets/app.js", get(app::app_js))
        .route("/assets/app.css", get(app::app_css))
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(trace_layer("mock"))
}
