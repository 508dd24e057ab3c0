//! Issue 11: the server under load and abuse, tested on the real binary and real
//! loopback sockets: stalled connections, the connection cap, SIGTERM, security
//! headers on every kind of answer, the token endpoint's rate limit, and an upstream
//! token that breaks the widget's rules.

mod common;

use std::io::Read;
use std::net::SocketAddr;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::*;

/// The stalled-connection test takes this for writing, the others for reading: its
/// 200 ms promise is about the server, not about sharing two cores with the rest of
/// this file.
static MACHINE: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// The binary, killed (if still running) when dropped. Its stderr is read all the
/// time (a full pipe would block its log writes).
struct Server {
    child: Child,
    lines: Vec<String>,
    stderr: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn demo(&self) -> String {
        let line = self.lines.iter().find(|l| l.starts_with("vlens-server: demo at ")).unwrap();
        line.trim_start_matches("vlens-server: demo at ").trim_end_matches('/').to_string()
    }

    fn mock(&self) -> Option<String> {
        let line = self.lines.iter().find(|l| l.starts_with("vlens-server: mock Vlens at "))?;
        Some(line.trim_start_matches("vlens-server: mock Vlens at ").split(' ').next().unwrap().to_string())
    }

    fn addr(&self) -> SocketAddr {
        self.demo().trim_start_matches("http://").parse().unwrap()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server (SIGKILL) and returns what it wrote to stderr.
    fn stderr(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let text = self.stderr.lock().unwrap().clone();
        text
    }

    /// What it wrote to stderr so far.
    fn stderr_so_far(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

/// Starts the binary with `env` (and free ports) and reads stdout up to the `demo at` line.
async fn start(name: &str, env: &[(&str, &str)]) -> Server {
    let mut child = spawn_binary(name, env);
    let stdout = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let sink = stderr.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let lines = banner(stdout).await;
    Server { child, lines, stderr, reader: Some(reader) }
}

/// How a stalled client misbehaves.
#[derive(Clone, Copy, Debug)]
enum Stall {
    /// Connects and never sends a byte.
    Silent,
    /// Sends part of a request head, then nothing.
    PartialHeaders,
    /// Sends a complete head announcing 1,000 bytes of body, then one byte a second.
    SlowBody,
    /// Completes one request, then keeps the connection open without a second one.
    IdleKeepAlive,
}

/// Misbehaves as `kind` on a connection opened at `opened`; resolves with how long
/// the server kept it open, or `None` when it was still open after `give_up`.
/// Increments `ready` once the connection is in its stalled state.
async fn stalled(
    mut stream: TcpStream,
    opened: Instant,
    kind: Stall,
    give_up: Duration,
    phase: Duration,
    ready: Arc<AtomicUsize>,
) -> Option<Duration> {
    let mut buf = [0u8; 4096];
    match kind {
        Stall::Silent => {}
        Stall::PartialHeaders => {
            stream.write_all(b"GET /api/vlens/config HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.unwrap();
        }
        Stall::SlowBody => {
            stream
                .write_all(
                    b"POST /api/vlens/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
                )
                .await
                .unwrap();
        }
        Stall::IdleKeepAlive => {
            stream.write_all(b"GET /api/vlens/config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
            // Read the whole answer (it is small), then stay silent.
            let mut head = Vec::new();
            while !head.windows(4).any(|w| w == b"\r\n\r\n") || !head.ends_with(b"}") {
                let n = stream.read(&mut buf).await.unwrap();
                assert!(n > 0, "the first request is answered");
                head.extend_from_slice(&buf[..n]);
            }
        }
    }
    ready.fetch_add(1, Ordering::SeqCst);
    let deadline = opened + give_up;
    let mut step = phase + Duration::from_millis(100);
    loop {
        if !matches!(kind, Stall::SlowBody) {
            step = give_up;
        }
        let until = (Instant::now() + step).min(deadline);
        step = Duration::from_secs(1);
        match tokio::time::timeout_at(until.into(), stream.read(&mut buf)).await {
            // Closed by the server (after a 408, or without an answer).
            Ok(Ok(0)) | Ok(Err(_)) => return Some(opened.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) if Instant::now() >= deadline => return None,
            Err(_) => {
                // One more byte of body; a reset while writing also means closed.
                if stream.write_all(b" ").await.is_err() {
                    return Some(opened.elapsed());
                }
            }
        }
    }
}

/// `GET /api/vlens/config` on a fresh connection, timed.
async fn good_request(url: &str) -> Duration {
    let started = Instant::now();
    let res = http().get(format!("{url}/api/vlens/config")).send().await.expect("the good client is answered");
    assert_eq!(res.status(), 200);
    res.bytes().await.unwrap();
    started.elapsed()
}

const STALLED: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_are_closed_and_a_good_client_is_still_served() {
    let _machine = MACHINE.write().await;
    // 1,000 stalled sockets here plus a few for the good client, per kind.
    rlimit::increase_nofile_limit(8192).unwrap();
    let server = start(
        "stall",
        &[
            ("HEADER_TIMEOUT_SECS", "2"),
            ("BODY_TIMEOUT_SECS", "2.5"),
            ("KEEPALIVE_TIMEOUT_SECS", "2"),
            ("MAX_CONNECTIONS", "4096"),
            // The slow bodies must reach the handler (not a 429 from the rate limit).
            ("RATE_LIMIT_BURST", "100000"),
        ],
    )
    .await;
    let addr = server.addr();
    let url = server.demo();
    // Time limits with slack for a shared, loaded machine.
    let give_up = Duration::from_secs(8);
    for (kind, limit) in [
        (Stall::Silent, Duration::from_secs(2)),
        (Stall::PartialHeaders, Duration::from_secs(2)),
        (Stall::SlowBody, Duration::from_millis(2500)),
        (Stall::IdleKeepAlive, Duration::from_secs(2)),
    ] {
        let started = Instant::now();
        // One connection after the other: a burst of 1,000 SYNs at once overflows the
        // kernel's accept queue, and the connections it drops (while the client
        // believes them open) never reach the server at all.
        let ready = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::with_capacity(STALLED);
        for i in 0..STALLED {
            let stream = TcpStream::connect(addr).await.expect("connect");
            // Slow bodies trickle out of phase, as independent clients would.
            let phase = Duration::from_millis((i % 50) as u64 * 10);
            tasks.push(tokio::spawn(stalled(stream, Instant::now(), kind, give_up, phase, ready.clone())));
        }
        // Once all of them stall (the idle ones after their first answer), the good
        // client is answered quickly, each time, before the first stalled one is closed.
        let wait = Instant::now();
        while ready.load(Ordering::SeqCst) < STALLED && wait.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(ready.load(Ordering::SeqCst), STALLED, "{kind:?}: not all connections stalled");
        // The good client runs on a thread and runtime of its own, so what it measures
        // is the server, not this process's 1,000 stalled tasks.
        let probe_url = url.clone();
        let mut probes = tokio::task::spawn_blocking(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let mut probes = Vec::new();
                for _ in 0..10 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    probes.push(good_request(&probe_url).await);
                }
                probes
            })
        })
        .await
        .unwrap();
        probes.sort();
        let slowest = probes[probes.len() - 1];
        let p90 = probes[probes.len() * 9 / 10 - 1];
        let probed_after = started.elapsed();
        let mut open = 0;
        let mut longest = Duration::ZERO;
        for t in tasks {
            match t.await.unwrap() {
                Some(d) => longest = longest.max(d),
                None => open += 1,
            }
        }
        eprintln!("{kind:?}: {STALLED} stalled; good client's answers {probes:?} (probes done {probed_after:?} after the first connect); stalled closed within {longest:?}, {open} still open after {give_up:?} (all done in {:?})", started.elapsed());
        assert_eq!(
            open,
            0,
            "{kind:?}: {open} of {STALLED} stalled connections still open after {give_up:?}; server log: {}",
            server.stderr_so_far()
        );
        // Every answer within 200 ms; on a two-core machine shared with other jobs
        // one probe in ten may be delayed by CPU starvation, never beyond 1 s.
        assert!(p90 <= Duration::from_millis(200), "{kind:?}: the good client waited {probes:?}");
        assert!(slowest <= Duration::from_secs(1), "{kind:?}: the good client waited {probes:?}");
        assert!(longest <= limit + Duration::from_secs(3), "{kind:?}: a stalled connection stayed {longest:?}");
    }
    // Still healthy afterwards.
    assert!(good_request(&url).await <= Duration::from_millis(200));
}

/// Open file descriptors of process `pid`.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0)
}

#[tokio::test]
async fn the_connection_cap_holds_and_waiting_clients_are_served_later() {
    let _machine = MACHINE.read().await;
    let server = start("cap", &[("MAX_CONNECTIONS", "20"), ("HEADER_TIMEOUT_SECS", "1")]).await;
    let addr = server.addr();
    let before = open_fds(server.pid());
    let mut silent = Vec::new();
    for _ in 0..100 {
        silent.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let during = open_fds(server.pid());
    assert!(during <= before + 20 + 2, "the server holds {} sockets over its start (cap 20)", during - before);
    // A good client waits in the backlog behind the 80 silent ones the cap left
    // there: about five rounds of the 1 s header timeout.
    let waited = good_request(&server.demo()).await;
    assert!(waited < Duration::from_secs(15), "{waited:?}");
    drop(silent);
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish() {
    let _machine = MACHINE.read().await;
    // A slow upstream keeps the session request in flight when SIGTERM arrives.
    let (api, _rec) = spawn_recorder(200, r#"{"data":"slow-token"}"#, Duration::from_millis(1500)).await;
    let server = start("sigterm", &[("VLENS_API_KEY", API_KEY), ("VLENS_API_URL", &api)]).await;
    let url = format!("{}/api/vlens/session", server.demo());
    let request = tokio::spawn(async move {
        post_json(&url, r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414]}"#).await
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let status = Command::new("kill").args(["-TERM", &server.pid().to_string()]).status().unwrap();
    assert!(status.success());
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), request).await.unwrap().unwrap();
    assert_eq!((status, body.as_str()), (200, r#"{"token":"slow-token"}"#));
    // New connections are no longer accepted, and the process exits by itself, cleanly.
    let mut server = server;
    let exit = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || {
            let code = server.child.wait().unwrap();
            (code, server)
        }),
    )
    .await
    .expect("the server exits after SIGTERM")
    .unwrap();
    assert!(exit.0.success(), "{:?}", exit.0);
    assert!(TcpStream::connect(exit.1.addr()).await.is_err());
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get(name).map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn security_headers_on_pages_json_404_and_static_files() {
    let _machine = MACHINE.read().await;
    let server = start("sechead", &[]).await;
    let demo = server.demo();
    let mock = server.mock().unwrap();
    let c = http();

    // Pages: the full set.
    for path in ["/", "/index.html", "/sub/"] {
        let res = c.get(format!("{demo}{path}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let csp = header(&res, "content-security-policy").unwrap_or_default();
        for directive in [
            "default-src 'self'",
            "frame-ancestors 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "object-src 'none'",
            &format!("frame-src {mock}"),
        ] {
            assert!(csp.split(';').any(|d| d.trim() == directive), "{path}: {directive:?} missing in {csp:?}");
        }
        assert_eq!(header(&res, "x-frame-options").as_deref(), Some("SAMEORIGIN"), "{path}");
        assert_eq!(header(&res, "referrer-policy").as_deref(), Some("strict-origin-when-cross-origin"), "{path}");
        assert_eq!(
            header(&res, "permissions-policy").as_deref(),
            Some(format!("camera=(self \"{mock}\"), microphone=(self \"{mock}\")").as_str()),
            "{path}"
        );
        assert_eq!(header(&res, "x-content-type-options").as_deref(), Some("nosniff"), "{path}");
    }

    // Everything else, from both servers: nosniff, and never framed.
    let session = format!("{demo}/api/vlens/session");
    let answers = [
        c.get(format!("{demo}/api/vlens/config")).send().await.unwrap(),
        c.post(&session).header("Content-Type", "application/json").body("[]").send().await.unwrap(),
        c.post(&session).body("x").send().await.unwrap(),
        c.get(&session).send().await.unwrap(),
        c.get(format!("{demo}/api/nope")).send().await.unwrap(),
        c.get(format!("{demo}/nope.html")).send().await.unwrap(),
        c.get(format!("{demo}/dist/vlens.js")).send().await.unwrap(),
        c.get(format!("{demo}/sub")).send().await.unwrap(),
        c.get(format!("{mock}/assets/app.css")).send().await.unwrap(),
        c.get(format!("{mock}/nope")).send().await.unwrap(),
        c.post(format!("{mock}/api/IdentityUserSession/CreateAuthSession")).body("{}").send().await.unwrap(),
        c.get(format!("{mock}/session?token=nope")).send().await.unwrap(),
    ];
    for res in answers {
        let what = format!("{} {}", res.url(), res.status());
        assert_eq!(header(&res, "x-content-type-options").as_deref(), Some("nosniff"), "{what}");
        if res.url().as_str().starts_with(&demo) {
            assert_eq!(header(&res, "x-frame-options").as_deref(), Some("SAMEORIGIN"), "{what}");
        }
    }
}

#[tokio::test]
async fn frame_ancestors_is_configurable() {
    let _machine = MACHINE.read().await;
    let server = start("ancestors", &[("FRAME_ANCESTORS", "'self' https://portal.example.com")]).await;
    let res = http().get(format!("{}/", server.demo())).send().await.unwrap();
    let csp = header(&res, "content-security-policy").unwrap();
    assert!(csp.split(';').any(|d| d.trim() == "frame-ancestors 'self' https://portal.example.com"), "{csp}");
    // X-Frame-Options cannot name another origin: it is left out rather than contradicting the CSP.
    assert_eq!(header(&res, "x-frame-options"), None);
    let bad = Command::new(env!("CARGO_BIN_EXE_vlens-server"))
        .env_clear()
        .env("FRAME_ANCESTORS", "'self'; script-src *")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("FRAME_ANCESTORS"));
}

const SESSION_BODY: &str = r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414]}"#;

#[tokio::test]
async fn the_token_endpoint_answers_429_with_retry_after_past_the_limit() {
    let _machine = MACHINE.read().await;
    let server = start("ratelimit", &[("RATE_LIMIT_BURST", "3"), ("RATE_LIMIT_PER_MINUTE", "6")]).await;
    let url = format!("{}/api/vlens/session", server.demo());
    for i in 0..3 {
        let (status, body) = post_json(&url, SESSION_BODY).await;
        assert_eq!(status, 200, "request {i}: {body}");
    }
    let res = http().post(&url).header("Content-Type", "application/json").body(SESSION_BODY).send().await.unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = header(&res, "retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
    assert_eq!(header(&res, "x-content-type-options").as_deref(), Some("nosniff"));
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("Too many"), "{body}");
    // Other endpoints are not limited.
    assert_eq!(http().get(format!("{}/api/vlens/config", server.demo())).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn oversized_and_control_character_upstream_tokens_are_502() {
    let _machine = MACHINE.read().await;
    let long = "a".repeat(60_000);
    let evil = "tok\u{0}en\n</script><script>alert(1)</script>";
    for token in [long.as_str(), evil, "\u{7f}", &"é".repeat(4097)] {
        let body = serde_json::json!({ "data": token }).to_string();
        let (api, _rec) = spawn_recorder(200, &body, Duration::ZERO).await;
        let server = start("badtoken", &[("VLENS_API_KEY", API_KEY), ("VLENS_API_URL", &api)]).await;
        let (status, text) = post_json(&format!("{}/api/vlens/session", server.demo()), SESSION_BODY).await;
        assert_eq!(status, 502, "{text}");
        assert!(!text.contains("tok") && !text.contains("aaaa") && !text.contains("script"), "{text}");
        let logs = server.stderr();
        assert!(logs.contains("502"), "logged: {logs}");
        assert!(!logs.contains("aaaa") && !logs.contains("script") && !logs.contains("ééé"), "{logs}");
    }
    // A token at the limit (4096 characters) is fine.
    let body = serde_json::json!({ "data": "é".repeat(4096) }).to_string();
    let (api, _rec) = spawn_recorder(200, &body, Duration::ZERO).await;
    let server = start("goodtoken", &[("VLENS_API_KEY", API_KEY), ("VLENS_API_URL", &api)]).await;
    let (status, _) = post_json(&format!("{}/api/vlens/session", server.demo()), SESSION_BODY).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn no_request_derived_text_reaches_a_log_line() {
    let _machine = MACHINE.read().await;
    let server = start("logs", &[]).await;
    let demo = server.demo();
    let c = http();
    let marker = "\u{2028}\u{202e}MARKER-evil";
    let bodies = [
        serde_json::json!({ "phoneNumber": "+201234567890", "allowedContractTypeIds": [414], marker: 1 }).to_string(),
        serde_json::json!({ "phoneNumber": marker, "allowedContractTypeIds": [414] }).to_string(),
        serde_json::json!({ "phoneNumber": "+201234567890", "allowedContractTypeIds": [414], "prefill": { "414": { marker: marker } } }).to_string(),
        format!("{{\"{marker}\": "),
    ];
    for body in &bodies {
        let res = c
            .post(format!("{demo}/api/vlens/session"))
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{}", res.status());
    }
    for path in ["/MARKER-evil%E2%80%A8", "/api/MARKER-evil", "/dist/MARKER-evil"] {
        c.get(format!("{demo}{path}")).header("User-Agent", "MARKER-evil").send().await.unwrap();
    }
    c.get(format!("{}/session?token=MARKER-evil", server.mock().unwrap())).send().await.unwrap();
    let logs = server.stderr();
    assert!(logs.contains("/api/vlens/session") && logs.contains("400"), "requests are logged: {logs}");
    assert!(!logs.contains("MARKER") && !logs.contains('\u{2028}') && !logs.contains('\u{202e}'), "{logs}");
}

#[tokio::test]
async fn a_trickling_body_gets_408_and_the_connection_is_closed() {
    let _machine = MACHINE.read().await;
    let server = start("trickle", &[("BODY_TIMEOUT_SECS", "1"), ("HEADER_TIMEOUT_SECS", "5")]).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"POST /api/vlens/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {
                assert!(started.elapsed() < Duration::from_secs(6), "still open after 6 s");
                let _ = stream.write_all(b" ").await;
            }
        }
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    assert!(text.contains("did not arrive in time"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

/// Sends `request` on a new connection to `addr`; returns what came back until the
/// server closed the connection (or `limit` passed) and when the first byte came.
async fn exchange(addr: SocketAddr, request: &[u8], limit: Duration) -> (String, Option<Duration>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let mut first = None;
    let mut buf = [0u8; 4096];
    while let Ok(Ok(n)) = tokio::time::timeout_at((started + limit).into(), stream.read(&mut buf)).await {
        if n == 0 {
            break;
        }
        first.get_or_insert_with(|| started.elapsed());
        answer.extend_from_slice(&buf[..n]);
    }
    (String::from_utf8_lossy(&answer).into_owned(), first)
}

/// The head of a session request announcing `length` bytes of body, with `extra` headers.
fn declared(length: u64, extra: &str) -> Vec<u8> {
    format!(
        "POST /api/vlens/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n{extra}\r\n"
    )
    .into_bytes()
}

const EXPECT: &str = "Expect: 100-continue\r\n";

#[tokio::test]
async fn a_declared_body_over_the_cap_gets_413_at_once() {
    let _machine = MACHINE.read().await;
    let server = start("declared", &[("BODY_TIMEOUT_SECS", "10")]).await;
    // `Expect: 100-continue` with 100 MB: 413 instead of an invitation to send it.
    let (text, first) = exchange(server.addr(), &declared(100 * 1024 * 1024, EXPECT), Duration::from_secs(3)).await;
    assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
    assert!(!text.contains("100 Continue"), "{text}");
    assert!(text.contains("larger than 64 KiB"), "{text}");
    assert!(first.is_some_and(|t| t < Duration::from_secs(2)), "{first:?}");
    // 1e12 bytes announced, none sent: 413 at once, not a 408 after the body timeout,
    // and the connection is closed (the body will never be read).
    let (text, first) = exchange(server.addr(), &declared(1_000_000_000_000, ""), Duration::from_secs(3)).await;
    assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
    assert!(text.to_ascii_lowercase().contains("connection: close"), "{text}");
    assert!(first.is_some_and(|t| t < Duration::from_secs(2)), "{first:?}");
    // One byte over the cap is refused before it is sent; a body at the cap is read.
    let (text, _) = exchange(server.addr(), &declared(64 * 1024 + 1, EXPECT), Duration::from_secs(3)).await;
    assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
    let mut at_cap = declared(64 * 1024, "Connection: close\r\n");
    at_cap.extend(std::iter::repeat_n(b' ', 64 * 1024 - SESSION_BODY.len()));
    at_cap.extend_from_slice(SESSION_BODY.as_bytes());
    let (text, _) = exchange(server.addr(), &at_cap, Duration::from_secs(3)).await;
    assert!(text.starts_with("HTTP/1.1 200 "), "{text}");
}
