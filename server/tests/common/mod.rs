//! Helpers for the integration tests: servers on real loopback sockets.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;

use vlens_server::host::{self, HostState};
use vlens_server::mock::{self, MockConfig, MockState};
use vlens_server::util::Logger;
use vlens_server::vlens::{Secret, VlensClient};

pub const API_KEY: &str = "test-api-key-S3CRET-0001";
pub const ADMIN_TOKEN: &str = "test-admin-token-S3CRET-0002";
pub const WRONG_KEY: &str = "wrong-api-key-S3CRET-0003";

/// Asserts that none of the test secrets appears in `text`.
pub fn assert_no_secrets(text: &str) {
    for secret in [API_KEY, ADMIN_TOKEN, WRONG_KEY, "S3CRET"] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

/// Serves `router` on a free loopback port until the test ends.
pub async fn spawn(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    vlens_server::serve(listener, router, std::future::pending());
    addr
}

/// A logger that keeps the lines.
pub fn capture_logger() -> (Logger, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    (Arc::new(move |line: &str| sink.lock().unwrap().push(line.to_string())), lines)
}

pub fn mock_config(ttl: Duration) -> MockConfig {
    MockConfig { api_key: Secret::new(API_KEY), admin_token: Secret::new(ADMIN_TOKEN), token_ttl: ttl }
}

/// The mock on its own port; returns its base URL and state.
pub async fn spawn_mock(ttl: Duration) -> (String, Arc<MockState>, Arc<Mutex<Vec<String>>>) {
    let (log, lines) = capture_logger();
    let state = MockState::new(mock_config(ttl), log);
    let addr = spawn(mock::router(state.clone())).await;
    (format!("http://{addr}"), state, lines)
}

pub struct Host {
    pub url: String,
    pub logs: Arc<Mutex<Vec<String>>>,
}

impl Host {
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().join("\n")
    }
}

/// The host, calling `upstream` with `api_key` (and `admin_token` for invitations).
pub async fn spawn_host(
    upstream: &str,
    api_key: &str,
    admin_token: Option<&str>,
    timeout: Duration,
    root: PathBuf,
) -> Host {
    let (log, logs) = capture_logger();
    let client = VlensClient::builder(upstream, Secret::new(api_key)).timeout(timeout).build().unwrap();
    let state = Arc::new(HostState {
        client,
        admin_token: admin_token.map(Secret::new),
        app_url: "http://localhost:1".to_string(),
        mock: false,
        root,
        log,
    });
    let addr = spawn(host::router(state)).await;
    Host { url: format!("http://{addr}"), logs }
}

/// One request as an upstream saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the upstream body is JSON")
    }
}

/// An upstream that records requests and answers `status`/`body` after `delay`.
#[derive(Clone)]
pub struct Recorder {
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    status: StatusCode,
    body: String,
    delay: Duration,
}

impl Recorder {
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn record(State(rec): State<Recorder>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    rec.requests.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        headers: parts.headers.iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect(),
        body: body.to_vec(),
    });
    tokio::time::sleep(rec.delay).await;
    let mut res = Response::new(Body::from(rec.body.clone()));
    *res.status_mut() = rec.status;
    res.headers_mut().insert(axum::http::header::CONTENT_TYPE, "application/json".parse().unwrap());
    res.into_response()
}

/// Starts a recording upstream; returns its URL and the recorder.
pub async fn spawn_recorder(status: u16, body: &str, delay: Duration) -> (String, Recorder) {
    let rec = Recorder {
        requests: Arc::new(Mutex::new(Vec::new())),
        status: StatusCode::from_u16(status).unwrap(),
        body: body.to_string(),
        delay,
    };
    let addr = spawn(Router::new().fallback(record).with_state(rec.clone())).await;
    (format!("http://{addr}"), rec)
}

/// A folder with www/ and dist/ for the static-file tests.
pub fn temp_root(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vlens-server-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("www/sub")).unwrap();
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    std::fs::write(dir.join("www/index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(dir.join("www/sub/index.html"), "<h1>sub</h1>").unwrap();
    std::fs::write(dir.join("dist/vlens.js"), "var Vlens;").unwrap();
    std::fs::write(dir.join("secret.txt"), "outside").unwrap();
    dir
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// POSTs JSON text; returns status and body text.
pub async fn post_json(url: &str, body: &str) -> (u16, String) {
    let res = http().post(url).header("Content-Type", "application/json").body(body.to_string()).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}
