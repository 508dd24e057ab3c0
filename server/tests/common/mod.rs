//! Helpers for the integration tests: servers on real loopback sockets.
#![allow(dead_code)]

use std::cell::RefCell;
use std::io::Write;
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

use vlens_server::config::{Limits, RateLimit};
use vlens_server::host::{self, HostState};
use vlens_server::mock::{self, MockConfig, MockState};
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
    vlens_server::serve(listener, router, Limits::default(), std::future::pending());
    addr
}

/// What the servers of this test logged (through `tracing`).
#[derive(Clone)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

thread_local! {
    static CAPTURE: RefCell<Option<(Logs, tracing::subscriber::DefaultGuard)>> = const { RefCell::new(None) };
}

/// Captures the `tracing` output of this thread (a `#[tokio::test]` runs the test
/// and the servers it spawns on one thread), formatted as the binary logs it.
pub fn capture_logs() -> Logs {
    CAPTURE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some((logs, _)) = &*c {
            return logs.clone();
        }
        let logs = Logs(Arc::new(Mutex::new(Vec::new())));
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_target(false)
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        *c = Some((logs.clone(), guard));
        logs
    })
}

pub fn mock_config(ttl: Duration) -> MockConfig {
    MockConfig {
        api_key: Secret::new(API_KEY),
        admin_token: Secret::new(ADMIN_TOKEN),
        token_ttl: ttl,
        max_sessions: vlens_server::config::DEFAULT_MOCK_MAX_SESSIONS,
        protocol: mock::MockProtocol::default(),
    }
}

/// The mock on its own port; returns its base URL, state and logs.
pub async fn spawn_mock(ttl: Duration) -> (String, Arc<MockState>, Logs) {
    spawn_mock_with(mock_config(ttl)).await
}

/// The mock with `config`.
pub async fn spawn_mock_with(config: MockConfig) -> (String, Arc<MockState>, Logs) {
    let logs = capture_logs();
    let state = MockState::new(config);
    let addr = spawn(mock::router(state.clone())).await;
    (format!("http://{addr}"), state, logs)
}

pub struct Host {
    pub url: String,
    pub logs: Logs,
}

impl Host {
    pub fn logs(&self) -> String {
        self.logs.text()
    }
}

/// A rate limit no test reaches.
pub const NO_RATE_LIMIT: RateLimit = RateLimit { per_minute: 1_000_000, burst: 1_000_000 };

/// The host, calling `upstream` with `api_key` (and `admin_token` for invitations).
pub async fn spawn_host(
    upstream: &str,
    api_key: &str,
    admin_token: Option<&str>,
    timeout: Duration,
    root: PathBuf,
) -> Host {
    let logs = capture_logs();
    let client = VlensClient::builder(upstream, Secret::new(api_key)).timeout(timeout).build().unwrap();
    let mut state = HostState::new(client, admin_token.map(Secret::new), "http://localhost:1".to_string(), false, root);
    state.rate_limit = NO_RATE_LIMIT;
    let state = Arc::new(state);
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

/// The lines a spawned server binary prints up to and including its `demo at` banner.
pub async fn banner(stdout: std::process::ChildStdout) -> Vec<String> {
    use std::io::{BufRead, BufReader};
    tokio::time::timeout(
        Duration::from_secs(20),
        tokio::task::spawn_blocking(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let line = line.unwrap();
                let last = line.starts_with("vlens-server: demo at ");
                lines.push(line);
                if last {
                    break;
                }
            }
            lines
        }),
    )
    .await
    .expect("the server printed its URL in time")
    .unwrap()
}

/// Spawns the server binary with piped output, free ports, its own root `name`, and `env`.
pub fn spawn_binary(name: &str, env: &[(&str, &str)]) -> std::process::Child {
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vlens-server"));
    cmd.env_clear()
        .env("PORT", "0")
        .env("MOCK_PORT", "0")
        .env("VLENS_ROOT", temp_root(name))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}
