//! The `vlens-server` binary: port 0, the start-up lines, mock and real modes.

mod common;

use std::io::Read;
use std::process::{Child, Command};
use std::time::Duration;

use serde_json::{json, Value};

use common::*;

struct Server {
    child: Child,
    lines: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn stderr(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut text = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut text);
        }
        text
    }
}

/// Starts the binary and reads stdout up to the `demo at` line.
async fn start(name: &str, env: &[(&str, &str)]) -> Server {
    let mut child = spawn_binary(name, env);
    let stdout = child.stdout.take().unwrap();
    let lines = banner(stdout).await;
    Server { child, lines }
}

fn url_after<'a>(line: &'a str, prefix: &str) -> &'a str {
    line.strip_prefix(prefix).unwrap().split(' ').next().unwrap()
}

#[tokio::test]
async fn mock_mode_prints_two_origins_and_runs_the_flow() {
    let server = start("bin-mock", &[]).await;
    assert_eq!(server.lines.len(), 2, "{:?}", server.lines);
    assert!(server.lines[0].ends_with(" (no VLENS_API_KEY set: using the local mock)"), "{:?}", server.lines);
    let mock = url_after(&server.lines[0], "vlens-server: mock Vlens at ").to_string();
    let demo = url_after(&server.lines[1], "vlens-server: demo at ").to_string();
    assert!(mock.starts_with("http://localhost:") && !mock.ends_with(":0"), "{mock}");
    assert!(demo.starts_with("http://127.0.0.1:") && demo.ends_with('/') && !demo.ends_with(":0/"), "{demo}");

    let c = http();
    let config: Value = c.get(format!("{demo}api/vlens/config")).send().await.unwrap().json().await.unwrap();
    assert_eq!(config, json!({ "baseUrl": mock, "mock": true, "mockProtocol": "v1" }));
    assert_eq!(c.get(&demo).send().await.unwrap().text().await.unwrap(), "<h1>demo</h1>");

    // The host creates sessions with the generated credentials, invitations included,
    // and the mock app (reached as localhost) accepts them.
    for body in [
        r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414]}"#,
        r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414],"prefill":{"414":{"fullName":"A"}}}"#,
    ] {
        let (status, text) = post_json(&format!("{demo}api/vlens/session"), body).await;
        assert_eq!(status, 200, "{text}");
        let token = serde_json::from_str::<Value>(&text).unwrap()["token"].as_str().unwrap().to_string();
        let page = c.get(format!("{mock}/session?token={token}")).send().await.unwrap();
        assert_eq!(page.status(), 200);
    }
    // Guessing the generated credentials fails.
    let res = c
        .post(format!("{mock}/api/IdentityUserSession/CreateAuthSession"))
        .header("ApiKey", "guess")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let logs = server.stderr();
    assert!(logs.contains("method=POST route=/api/vlens/session}: answered status=200"), "{logs}");
    assert!(!logs.contains("mock-api-key-") && !logs.contains("mock-admin-"), "{logs}");
}

#[tokio::test]
async fn real_mode_uses_the_configured_vlens_and_never_prints_the_secrets() {
    let (api, rec) = spawn_recorder(200, r#"{"data":"real-token"}"#, Duration::ZERO).await;
    let server = start(
        "bin-real",
        &[("VLENS_API_KEY", API_KEY), ("VLENS_API_URL", &api), ("VLENS_APP_URL", "https://app.example.test/")],
    )
    .await;
    assert_eq!(server.lines.len(), 2, "{:?}", server.lines);
    assert!(
        server.lines[0].starts_with(&format!("vlens-server: real Vlens: API {api}, app https://app.example.test ")),
        "{:?}",
        server.lines
    );
    assert!(server.lines[0].contains("disabled, no VLENS_ADMIN_TOKEN"));
    let demo = url_after(&server.lines[1], "vlens-server: demo at ").to_string();

    let c = http();
    let config: Value = c.get(format!("{demo}api/vlens/config")).send().await.unwrap().json().await.unwrap();
    assert_eq!(config, json!({ "baseUrl": "https://app.example.test", "mock": false }));

    let (status, text) = post_json(
        &format!("{demo}api/vlens/session"),
        r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414]}"#,
    )
    .await;
    assert_eq!((status, text.as_str()), (200, r#"{"token":"real-token"}"#));
    assert_eq!(rec.requests()[0].header("ApiKey"), Some(API_KEY));

    let (status, text) = post_json(
        &format!("{demo}api/vlens/session"),
        r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414],"prefill":{"414":{"a":"b"}}}"#,
    )
    .await;
    assert_eq!(status, 501, "{text}");

    let lines = server.lines.join("\n");
    let logs = server.stderr();
    assert_no_secrets(&lines);
    assert_no_secrets(&logs);
}

#[tokio::test]
async fn mock_app_protocol_sets_what_the_mock_app_at_session_speaks() {
    let server = start("bin-foreign", &[("MOCK_APP_PROTOCOL", "foreign")]).await;
    assert!(
        server.lines[0].ends_with(
            " (no VLENS_API_KEY set: using the local mock; its app posts a format of its own: MOCK_APP_PROTOCOL=foreign)"
        ),
        "{:?}",
        server.lines
    );
    let mock = url_after(&server.lines[0], "vlens-server: mock Vlens at ").to_string();
    let demo = url_after(&server.lines[1], "vlens-server: demo at ").to_string();
    let c = http();
    let config: Value = c.get(format!("{demo}api/vlens/config")).send().await.unwrap().json().await.unwrap();
    assert_eq!(config, json!({ "baseUrl": mock, "mock": true, "mockProtocol": "foreign" }));
    let (status, text) = post_json(
        &format!("{demo}api/vlens/session"),
        r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414]}"#,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let token = serde_json::from_str::<Value>(&text).unwrap()["token"].as_str().unwrap().to_string();
    let html = c.get(format!("{mock}/session?token={token}")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#""protocol":"foreign""#), "{html}");
}

#[tokio::test]
async fn an_unknown_mock_app_protocol_stops_the_server_and_names_the_choices() {
    let mut child = spawn_binary("bin-bad-protocol", &[("MOCK_APP_PROTOCOL", "json")]);
    // A server that ignored the variable would run until killed: wait a bounded time.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "exit status");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(r#"MOCK_APP_PROTOCOL="json""#), "{stderr}");
    for choice in ["v1", "silent", "foreign"] {
        assert!(stderr.contains(choice), "{stderr}");
    }
    assert!(out.stdout.is_empty(), "nothing started: {}", String::from_utf8_lossy(&out.stdout));
}

#[tokio::test]
async fn bad_configuration_exits_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_vlens-server")).env_clear().env("PORT", "http").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PORT"));
}
