//! A typed client for the two Vlens endpoints a host backend needs to embed the
//! Vlens iframe: `CreateAuthSession` and `CreateInvitation`
//! (<https://docs.vlenseg.com>, "Iframe Integration").
//!
//! This module depends only on `serde`, `serde_json` and `reqwest`, and can be copied
//! into any Rust backend on its own:
//!
//! ```no_run
//! use vlens_server::vlens::{CreateAuthSessionRequest, Secret, SessionPermissions, VlensClient};
//! # async fn demo() -> Result<(), vlens_server::vlens::VlensError> {
//! let client = VlensClient::new("https://api.vlenseg.com", Secret::new(std::env::var("VLENS_API_KEY").unwrap()))?;
//! let token = client
//!     .create_auth_session(&CreateAuthSessionRequest {
//!         phone_number: "+201234567890".into(),
//!         session_permissions: SessionPermissions {
//!             allowed_contract_type_ids: vec![414],
//!             minimal_signature_flow: true,
//!             digital_identity_only: false,
//!         },
//!     })
//!     .await?;
//! // Hand `token` to the browser; never the ApiKey.
//! # let _ = token; Ok(()) }
//! ```
//!
//! Secrets (the `ApiKey` and the admin bearer token) are wrapped in [`Secret`], whose
//! `Debug` output is redacted, and no error produced here contains them or the
//! upstream response body.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The production API origin.
pub const DEFAULT_API_URL: &str = "https://api.vlenseg.com";
/// The production origin of the app loaded in the iframe.
pub const DEFAULT_APP_URL: &str = "https://app.vlenseg.com";
/// Path of the auth-session endpoint (header `ApiKey`).
pub const CREATE_AUTH_SESSION_PATH: &str = "/api/IdentityUserSession/CreateAuthSession";
/// Path of the invitation endpoint (headers `ApiKey` and `Authorization: Bearer <admin token>`).
pub const CREATE_INVITATION_PATH: &str = "/api/IdentityUserSession/CreateInvitation";

/// Default limit for one whole request (connect, send, receive).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Default limit for establishing the connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an idle connection to Vlens is kept for reuse.
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(4);
/// Responses larger than this are refused (a session token answer is tiny).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// A credential. `Debug` prints `Secret(***)`; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value, to put in a request header. Never log or return it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `text` contains the secret (an empty secret is in nothing).
    pub fn appears_in(&self, text: &str) -> bool {
        !self.0.is_empty() && text.contains(self.0.as_str())
    }

    /// Compares in time independent of where the first difference is.
    pub fn matches(&self, candidate: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), candidate.as_bytes())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `sessionPermissions`: what the user may do in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionPermissions {
    /// The contract type ids the user may create in this session (`int[]`).
    #[serde(rename = "allowedContractTypeIds")]
    pub allowed_contract_type_ids: Vec<u32>,
    /// Skip optional steps and use the streamlined signing UX.
    #[serde(rename = "minimalSignatureFlow")]
    pub minimal_signature_flow: bool,
    /// Only perform KYC verification; skip the contracting steps. (Capitalised in the API.)
    #[serde(rename = "DigitalIdentityOnly")]
    pub digital_identity_only: bool,
}

/// Body of `POST /api/IdentityUserSession/CreateAuthSession`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAuthSessionRequest {
    /// The user's phone number, in E.164 form (`+201234567890`).
    #[serde(rename = "phoneNumber")]
    pub phone_number: String,
    /// What the user may do in the session.
    #[serde(rename = "sessionPermissions")]
    pub session_permissions: SessionPermissions,
}

/// `RequestFieldsValues`: pre-filled form values keyed by contract type id, then by
/// field key (from `GetBusinessRequestTypeTemplateFields`). Integer keys are written
/// as JSON object keys (`"414"`).
pub type RequestFieldsValues = BTreeMap<u32, BTreeMap<String, String>>;

/// `SessionInput` of an invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    /// The user's phone number, in E.164 form (`+201234567890`).
    #[serde(rename = "phoneNumber")]
    pub phone_number: String,
    /// What the user may do in the session.
    #[serde(rename = "sessionPermissions")]
    pub session_permissions: SessionPermissions,
    /// Form values to pre-fill, keyed by contract type id then field key.
    #[serde(rename = "RequestFieldsValues")]
    pub request_fields_values: RequestFieldsValues,
}

/// Body of `POST /api/IdentityUserSession/CreateInvitation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    /// The session to invite the user to.
    #[serde(rename = "SessionInput")]
    pub session_input: SessionInput,
}

/// Both endpoints answer with the session token in `data` (other fields are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTokenResponse {
    /// The session token; `None` (or blank) means the answer is unusable.
    pub data: Option<String>,
}

/// Why a call failed. `Display` is safe to log: it holds no secret, no URL, no
/// request or response body. The underlying `reqwest::Error` (stripped of its URL)
/// is the [`std::error::Error::source`] of `Timeout` and `Network`.
#[derive(Debug)]
pub enum VlensError {
    /// The client was built with an unusable API URL.
    Config(String),
    /// The HTTP client could not be set up (TLS back end...).
    Client(reqwest::Error),
    /// The request did not finish within the configured timeout.
    Timeout(reqwest::Error),
    /// Connecting, sending or receiving failed (DNS, refused, TLS, reset...).
    Network(reqwest::Error),
    /// Vlens answered with a non-2xx status (401/403: the credentials were refused).
    Status(u16),
    /// Vlens answered 2xx without a usable token in `data`.
    InvalidResponse(&'static str),
    /// The token in `data` contains this credential (`"ApiKey"`, `"admin token"`): an
    /// upstream echoing the request, never something to hand the browser.
    SecretInToken(&'static str),
}

impl fmt::Display for VlensError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VlensError::Config(m) => write!(f, "invalid Vlens client configuration: {m}"),
            VlensError::Client(_) => f.write_str("the HTTP client could not be set up"),
            VlensError::Timeout(_) => f.write_str("Vlens did not answer in time"),
            VlensError::Network(_) => f.write_str("could not reach Vlens"),
            VlensError::Status(s @ (401 | 403)) => {
                write!(f, "Vlens refused the credentials (HTTP {s})")
            }
            VlensError::Status(s) => write!(f, "Vlens answered HTTP {s}"),
            VlensError::InvalidResponse(m) => write!(f, "unexpected answer from Vlens: {m}"),
            VlensError::SecretInToken(name) => write!(
                f,
                "Vlens answered a token that contains the {name}: refused, not passed to the browser \
                 (check that VLENS_API_URL is Vlens's API, not something that echoes requests, \
                 and rotate the {name} if it may have been exposed)"
            ),
        }
    }
}

impl std::error::Error for VlensError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VlensError::Client(e) | VlensError::Timeout(e) | VlensError::Network(e) => Some(e),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for VlensError {
    fn from(err: reqwest::Error) -> Self {
        // The URL is ours (no secret in it), but an error is no place for it.
        let err = err.without_url();
        if err.is_timeout() || error_chain(&err).contains("timed out") {
            VlensError::Timeout(err)
        } else {
            VlensError::Network(err)
        }
    }
}

/// `err` and its sources as one line (`a: b: c`), for a log line.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        let part = next.to_string();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = next.source();
    }
    text
}

/// Builds a [`VlensClient`] with non-default timeouts.
#[derive(Debug)]
pub struct VlensClientBuilder {
    api_url: String,
    api_key: Secret,
    timeout: Duration,
    connect_timeout: Duration,
}

impl VlensClientBuilder {
    /// Limit for one whole request. Default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for connecting. Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Creates the client. Fails on an unusable API URL or HTTP client setup.
    pub fn build(self) -> Result<VlensClient, VlensError> {
        let api_url = normalize_base_url(&self.api_url)?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            // Never forward the ApiKey / admin token to wherever a redirect points.
            .redirect(reqwest::redirect::Policy::none())
            // Drop idle pooled connections before a server with a short keep-alive
            // (5 s is common, and the mock's default) closes them under us: reusing
            // one as it closes fails the call.
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .user_agent(concat!("vlens-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(VlensError::Client)?;
        Ok(VlensClient { http, api_url, api_key: self.api_key })
    }
}

/// Checks an `http(s)` base URL without credentials, query or fragment and returns it
/// without a trailing `/`.
pub fn normalize_base_url(raw: &str) -> Result<String, VlensError> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| VlensError::Config(format!("{raw:?} is not a URL: {e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(VlensError::Config(format!("{raw:?} must be an http(s) URL")));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(VlensError::Config(format!("{raw:?} must not carry credentials, a query or a fragment")));
    }
    if url.host_str().is_none() {
        return Err(VlensError::Config(format!("{raw:?} has no host")));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Client for the Vlens Identity User Session API. Cheap to clone.
#[derive(Clone)]
pub struct VlensClient {
    http: reqwest::Client,
    api_url: String,
    api_key: Secret,
}

impl fmt::Debug for VlensClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VlensClient").field("api_url", &self.api_url).field("api_key", &self.api_key).finish()
    }
}

impl VlensClient {
    /// A client with the default timeouts. `api_url` is e.g. [`DEFAULT_API_URL`].
    pub fn new(api_url: &str, api_key: Secret) -> Result<Self, VlensError> {
        Self::builder(api_url, api_key).build()
    }

    /// A builder, to set timeouts before [`VlensClientBuilder::build`].
    pub fn builder(api_url: &str, api_key: Secret) -> VlensClientBuilder {
        VlensClientBuilder {
            api_url: api_url.to_string(),
            api_key,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }

    /// The API base URL, without a trailing `/`.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// `CreateAuthSession` (header `ApiKey`). Returns the session token from `data`.
    pub async fn create_auth_session(&self, request: &CreateAuthSessionRequest) -> Result<String, VlensError> {
        let req = self.http.post(format!("{}{}", self.api_url, CREATE_AUTH_SESSION_PATH)).json(request);
        self.send(req, None).await
    }

    /// `CreateInvitation` (headers `ApiKey` and `Authorization: Bearer <admin token>`).
    /// Returns the session token from `data`.
    pub async fn create_invitation(
        &self,
        request: &CreateInvitationRequest,
        admin_token: &Secret,
    ) -> Result<String, VlensError> {
        let req = self
            .http
            .post(format!("{}{}", self.api_url, CREATE_INVITATION_PATH))
            .bearer_auth(admin_token.expose())
            .json(request);
        self.send(req, Some(admin_token)).await
    }

    /// Sends `req` with the `ApiKey` (and the `admin_token` it carries, if any) and reads
    /// the token, refusing one that holds either credential.
    async fn send(&self, req: reqwest::RequestBuilder, admin_token: Option<&Secret>) -> Result<String, VlensError> {
        let mut response = req
            .header("ApiKey", self.api_key.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            return Err(VlensError::Status(status.as_u16()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(VlensError::InvalidResponse("the response is too large"));
            }
            body.extend_from_slice(&chunk);
        }
        let token = parse_token_response(&body)?;
        refuse_secret(&token, &self.api_key, "ApiKey")?;
        if let Some(admin_token) = admin_token {
            refuse_secret(&token, admin_token, "admin token")?;
        }
        Ok(token)
    }
}

/// Refuses a `token` that contains `secret` (called `name` in the error): the browser
/// gets the token, and a credential must never reach it.
pub fn refuse_secret(token: &str, secret: &Secret, name: &'static str) -> Result<(), VlensError> {
    if secret.appears_in(token) {
        Err(VlensError::SecretInToken(name))
    } else {
        Ok(())
    }
}

/// Reads the token from a `{ "data": "<token>" }` answer.
pub fn parse_token_response(body: &[u8]) -> Result<String, VlensError> {
    let parsed: SessionTokenResponse =
        serde_json::from_slice(body).map_err(|_| VlensError::InvalidResponse("the body is not the documented JSON"))?;
    match parsed.data {
        Some(token) if !token.trim().is_empty() => Ok(token.trim().to_string()),
        _ => Err(VlensError::InvalidResponse("no token in `data`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("sk_live_abc");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        let c = VlensClient::new("https://api.vlenseg.com/", s).unwrap();
        assert!(!format!("{c:?}").contains("sk_live_abc"));
        assert_eq!(c.api_url(), "https://api.vlenseg.com");
    }

    #[test]
    fn secret_matches() {
        let s = Secret::new("abc");
        assert!(s.matches("abc"));
        assert!(!s.matches("abd"));
        assert!(!s.matches("ab"));
        assert!(!s.matches(""));
    }

    #[test]
    fn a_token_holding_a_secret_is_refused() {
        let key = Secret::new("k3y");
        assert!(refuse_secret("tok", &key, "ApiKey").is_ok());
        for token in ["k3y", "a.k3y.b"] {
            let err = refuse_secret(token, &key, "ApiKey").unwrap_err();
            assert!(!err.to_string().contains("k3y") && err.to_string().contains("ApiKey"), "{err}");
        }
        assert!(refuse_secret("tok", &Secret::new(""), "ApiKey").is_ok(), "an empty secret is in nothing");
    }

    #[test]
    fn base_url_checks() {
        assert_eq!(normalize_base_url("http://localhost:8081").unwrap(), "http://localhost:8081");
        assert_eq!(normalize_base_url("https://x.example/vlens/").unwrap(), "https://x.example/vlens");
        for bad in ["", "ftp://x", "https://u:p@x", "https://x/?q=1", "https://x/#f", "not a url"] {
            assert!(normalize_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn token_response() {
        assert_eq!(parse_token_response(br#"{"data":"tok"}"#).unwrap(), "tok");
        assert_eq!(parse_token_response(br#"{"data":"tok","isSuccess":true,"errors":[]}"#).unwrap(), "tok");
        assert!(parse_token_response(br#"{"data":""}"#).is_err());
        assert!(parse_token_response(br#"{"data":null}"#).is_err());
        assert!(parse_token_response(br#"{"data":5}"#).is_err());
        assert!(parse_token_response(b"<html>").is_err());
    }
}
