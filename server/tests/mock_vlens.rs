//! The mock Vlens: API authentication and validation, token expiry, the app's
//! pages and its own API.

mod common;

use std::time::Duration;

use serde_json::{json, Value};

use common::*;

const AUTH: &str = "/api/IdentityUserSession/CreateAuthSession";
const INVITE: &str = "/api/IdentityUserSession/CreateInvitation";
const TTL: Duration = Duration::from_secs(600);

const AUTH_BODY: &str = r#"{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":[414],"minimalSignatureFlow":true,"DigitalIdentityOnly":false}}"#;
const INVITE_BODY: &str = r#"{"SessionInput":{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":[414],"minimalSignatureFlow":true,"DigitalIdentityOnly":false},"RequestFieldsValues":{"414":{"fullName":"Ahmed Mohamed","monthlyIncome":"5000"}}}}"#;

async fn call(url: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let mut req = http().post(url).body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_no_secrets(&text);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

const JSON: (&str, &str) = ("Content-Type", "application/json");

async fn new_token(mock: &str, body: &str) -> String {
    let (status, v) = call(&format!("{mock}{AUTH}"), &[JSON, ("ApiKey", API_KEY)], body).await;
    assert_eq!(status, 200, "{v}");
    v["data"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn create_auth_session_checks_the_api_key() {
    let (mock, _, logs) = spawn_mock(TTL).await;
    let url = format!("{mock}{AUTH}");

    let (status, v) = call(&url, &[JSON], AUTH_BODY).await;
    assert_eq!(status, 401, "{v}");
    let (status, _) = call(&url, &[JSON, ("ApiKey", WRONG_KEY)], AUTH_BODY).await;
    assert_eq!(status, 401);
    let (status, _) = call(&url, &[JSON, ("ApiKey", "")], AUTH_BODY).await;
    assert_eq!(status, 401);
    // Auth comes before the body: a bad body without a key is still a 401.
    let (status, _) = call(&url, &[JSON], "garbage").await;
    assert_eq!(status, 401);

    let (status, v) = call(&url, &[JSON, ("apikey", API_KEY)], AUTH_BODY).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["data"].as_str().is_some_and(|t| t.len() == 64));
    assert_eq!(v.as_object().unwrap().len(), 1);
    assert_no_secrets(&logs.text());
}

#[tokio::test]
async fn create_auth_session_rejects_malformed_bodies() {
    let (mock, _, _) = spawn_mock(TTL).await;
    let url = format!("{mock}{AUTH}");
    let key = ("ApiKey", API_KEY);

    let (status, _) = call(&url, &[key], AUTH_BODY).await;
    assert_eq!(status, 415, "no Content-Type");
    let (status, _) = call(&url, &[("Content-Type", "text/plain"), key], AUTH_BODY).await;
    assert_eq!(status, 415);

    let bad = [
        "not json",
        "{}",
        r#"{"phoneNumber":"+201234567890"}"#,
        // Lower-case d: not the documented name.
        r#"{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":[414],"minimalSignatureFlow":true,"digitalIdentityOnly":false}}"#,
        // Missing DigitalIdentityOnly.
        r#"{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":[414],"minimalSignatureFlow":true}}"#,
        r#"{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":["414"],"minimalSignatureFlow":true,"DigitalIdentityOnly":false}}"#,
        r#"{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":[0],"minimalSignatureFlow":true,"DigitalIdentityOnly":false}}"#,
        r#"{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":[],"minimalSignatureFlow":true,"DigitalIdentityOnly":false}}"#,
        r#"{"phoneNumber":"0123","sessionPermissions":{"allowedContractTypeIds":[414],"minimalSignatureFlow":true,"DigitalIdentityOnly":false}}"#,
        // An invitation body sent to the auth endpoint.
        INVITE_BODY,
    ];
    for body in bad {
        let (status, v) = call(&url, &[JSON, key], body).await;
        assert_eq!(status, 400, "{body} -> {v}");
        assert!(v["errors"].is_object(), "{v}");
    }
    let (status, v) = call(&url, &[JSON, key], bad[8]).await;
    assert_eq!((status, v["errors"]["phoneNumber"].is_array()), (400, true), "{v}");

    // KYC only may come without contract types.
    let kyc_only = r#"{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":[],"minimalSignatureFlow":false,"DigitalIdentityOnly":true}}"#;
    assert_eq!(call(&url, &[JSON, key], kyc_only).await.0, 200);
}

#[tokio::test]
async fn create_invitation_checks_both_credentials() {
    let (mock, _, _) = spawn_mock(TTL).await;
    let url = format!("{mock}{INVITE}");
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    let key = ("ApiKey", API_KEY);

    let (status, _) = call(&url, &[JSON, key], INVITE_BODY).await;
    assert_eq!(status, 401, "no admin token");
    let (status, _) = call(&url, &[JSON, ("Authorization", bearer.as_str())], INVITE_BODY).await;
    assert_eq!(status, 401, "no ApiKey");
    let wrong = format!("Bearer {WRONG_KEY}");
    let (status, _) = call(&url, &[JSON, key, ("Authorization", wrong.as_str())], INVITE_BODY).await;
    assert_eq!(status, 401, "wrong admin token");
    let basic = format!("Basic {ADMIN_TOKEN}");
    let (status, _) = call(&url, &[JSON, key, ("Authorization", basic.as_str())], INVITE_BODY).await;
    assert_eq!(status, 401, "not a bearer token");
    let (status, _) = call(&url, &[JSON, ("ApiKey", WRONG_KEY), ("Authorization", bearer.as_str())], INVITE_BODY).await;
    assert_eq!(status, 401, "wrong ApiKey");

    let auth = ("Authorization", bearer.as_str());
    let (status, v) = call(&url, &[JSON, key, auth], INVITE_BODY).await;
    assert_eq!(status, 200, "{v}");
    let token = v["data"].as_str().unwrap();

    // Not wrapped in SessionInput, prefill for a contract not allowed, bad JSON.
    let unwrapped = r#"{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":[414],"minimalSignatureFlow":true,"DigitalIdentityOnly":false},"RequestFieldsValues":{"414":{"a":"b"}}}"#;
    let foreign = INVITE_BODY.replace("\"414\":{", "\"415\":{");
    for body in [unwrapped, foreign.as_str(), "{", AUTH_BODY] {
        let (status, v) = call(&url, &[JSON, key, auth], body).await;
        assert_eq!(status, 400, "{body} -> {v}");
    }

    // The app shows the pre-filled values.
    let html = http().get(format!("{mock}/session?token={token}")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("\"monthlyIncome\":\"5000\""));
}

#[tokio::test]
async fn tokens_expire_after_the_ttl() {
    let (mock, _, _) = spawn_mock(Duration::from_millis(400)).await;
    let token = new_token(&mock, AUTH_BODY).await;
    let c = http();

    let res = c.get(format!("{mock}/session?token={token}")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    let expires: u64 = html
        .split("\"expiresInMs\":")
        .nth(1)
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(expires > 0 && expires <= 400, "{expires}");
    let (status, _) = call(
        &format!("{mock}/session/api/step"),
        &[JSON],
        &json!({ "token": token, "step": "registration" }).to_string(),
    )
    .await;
    assert_eq!(status, 200);

    tokio::time::sleep(Duration::from_millis(500)).await;

    let res = c.get(format!("{mock}/session?token={token}")).send().await.unwrap();
    assert_eq!(res.status(), 410);
    let html = res.text().await.unwrap();
    assert!(html.contains("Session expired"), "a visible error: {html}");
    assert!(html.contains("\"code\":\"TOKEN_EXPIRED\""), "{html}");
    let (status, v) =
        call(&format!("{mock}/session/api/step"), &[JSON], &json!({ "token": token, "step": "kyc" }).to_string()).await;
    assert_eq!((status, v["code"].as_str()), (401, Some("TOKEN_EXPIRED")));

    for url in
        [format!("{mock}/session?token=unknown"), format!("{mock}/session"), format!("{mock}/session?token=%ff%fe&x")]
    {
        let res = c.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 404, "{url}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Session not found") && html.contains("\"code\":\"TOKEN_UNKNOWN\""), "{html}");
    }
}

#[tokio::test]
async fn the_app_api_follows_the_flow_and_carries_a_session_over_a_new_token() {
    let (mock, state, _) = spawn_mock(TTL).await;
    let step = format!("{mock}/session/api/step");
    let first = new_token(&mock, AUTH_BODY).await;

    let (status, v) = call(&step, &[JSON], &json!({ "token": first, "step": "registration" }).to_string()).await;
    assert_eq!(status, 200, "{v}");
    let (status, _) = call(&step, &[JSON], &json!({ "token": first, "step": "signing" }).to_string()).await;
    assert_eq!(status, 400);
    let (status, _) = call(&step, &[("Content-Type", "text/plain")], &json!({ "token": first }).to_string()).await;
    assert_eq!(status, 400);

    // The demo link expires the token at once.
    let (status, _) =
        call(&format!("{mock}/session/api/expire"), &[JSON], &json!({ "token": first }).to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(state.check_token(&first), Err(vlens_server::mock::TokenProblem::Expired));
    let (status, v) = call(&step, &[JSON], &json!({ "token": first, "step": "kyc" }).to_string()).await;
    assert_eq!((status, v["code"].as_str()), (401, Some("TOKEN_EXPIRED")));

    // The host supplies a new token; the app verifies it and keeps its session.
    let html = http().get(format!("{mock}/session?token={}", new_token(&mock, AUTH_BODY).await)).send().await.unwrap();
    assert_eq!(html.status(), 200);
    let second = new_token(&mock, AUTH_BODY).await;
    let verify = format!("{mock}/session/api/verify");
    let (status, v) = call(&verify, &[JSON], &json!({ "token": "nope", "previousToken": first }).to_string()).await;
    assert_eq!((status, v["code"].as_str()), (401, Some("TOKEN_UNKNOWN")));
    let (status, v) = call(&verify, &[JSON], &json!({ "token": second, "previousToken": first }).to_string()).await;
    assert_eq!(status, 200, "{v}");
    let session_id = v["sessionId"].as_str().unwrap().to_string();
    assert!(v["expiresInMs"].as_u64().unwrap() > 0);

    let (status, _) = call(&step, &[JSON], &json!({ "token": second, "step": "kyc" }).to_string()).await;
    assert_eq!(status, 200);
    let (status, _) = call(&step, &[JSON], &json!({ "token": second, "step": "contract" }).to_string()).await;
    assert_eq!(status, 200);
    let (status, v) = call(&step, &[JSON], &json!({ "token": second, "step": "done" }).to_string()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["result"],
        json!({ "sessionId": session_id, "contractTypeIds": [414], "phoneNumber": "+201234567890" })
    );
    let (status, v) = call(&step, &[JSON], &json!({ "token": second, "step": "done" }).to_string()).await;
    assert_eq!((status, v["code"].as_str()), (409, Some("SESSION_COMPLETED")));

    // A token for someone else does not continue this session.
    let other = new_token(&mock, &AUTH_BODY.replace("+201234567890", "+201111111111")).await;
    let (status, v) = call(&verify, &[JSON], &json!({ "token": other, "previousToken": second }).to_string()).await;
    assert_eq!((status, v["code"].as_str()), (409, Some("TOKEN_MISMATCH")));
}

#[tokio::test]
async fn kyc_only_sessions_sign_nothing() {
    let (mock, _, _) = spawn_mock(TTL).await;
    let body = r#"{"phoneNumber":"+201234567890","sessionPermissions":{"allowedContractTypeIds":[414],"minimalSignatureFlow":false,"DigitalIdentityOnly":true}}"#;
    let token = new_token(&mock, body).await;
    let step = format!("{mock}/session/api/step");
    call(&step, &[JSON], &json!({ "token": token, "step": "kyc" }).to_string()).await;
    let (_, v) = call(&step, &[JSON], &json!({ "token": token, "step": "done" }).to_string()).await;
    assert_eq!(v["result"]["contractTypeIds"], json!([]));
}

#[tokio::test]
async fn the_app_page_is_safe_and_self_contained() {
    let (mock, _, _) = spawn_mock(TTL).await;
    let (status, v) = call(
        &format!("{mock}{INVITE}"),
        &[JSON, ("ApiKey", API_KEY), ("Authorization", &format!("Bearer {ADMIN_TOKEN}"))],
        &INVITE_BODY.replace("Ahmed Mohamed", "</script><script>alert(1)</script>"),
    )
    .await;
    assert_eq!(status, 200);
    let token = v["data"].as_str().unwrap();
    let res = http().get(format!("{mock}/session?token={token}")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'"));
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let html = res.text().await.unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("\\u003c/script\\u003e"));
    assert_eq!(html.matches("<script").count(), 2, "only the config block and app.js");

    let c = http();
    let js = c.get(format!("{mock}/assets/app.js")).send().await.unwrap();
    assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
    let js = js.text().await.unwrap();
    for needle in [
        "'token-expired'",
        "'completed'",
        "'cancelled'",
        "'vlens-host'",
        "ancestorOrigins",
        "postMessage(message, hostOrigin)",
    ] {
        assert!(js.contains(needle), "{needle}");
    }
    assert!(!js.contains("'*'"), "never posts to '*'");
    let css = c.get(format!("{mock}/assets/app.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_flood_does_not_lock_the_mock() {
    // Sessions that live 1 ms: a flood of ten times the cap must not fill it (before
    // the fix, expired sessions counted for an hour and the last ones were refused).
    let mut config = mock_config(Duration::from_millis(1));
    config.max_sessions = 500;
    let (mock, state, _) = spawn_mock_with(config).await;
    let url = format!("{mock}{AUTH}");
    let c = http();
    let flood = 5_000;
    let mut tasks = tokio::task::JoinSet::new();
    let per_task = flood / 10;
    for _ in 0..10 {
        let (c, url) = (c.clone(), url.clone());
        tasks.spawn(async move {
            let mut refused = 0;
            for _ in 0..per_task {
                let res = c
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .header("ApiKey", API_KEY)
                    .body(AUTH_BODY)
                    .send()
                    .await
                    .unwrap();
                if res.status() != 200 {
                    refused += 1;
                }
            }
            refused
        });
    }
    let mut refused = 0;
    while let Some(r) = tasks.join_next().await {
        refused += r.unwrap();
    }
    assert_eq!(refused, 0, "{refused} of {flood} sessions refused");
    assert!(state.stored_sessions() <= 500, "expired sessions are purged: {}", state.stored_sessions());
    // And sessions are still created afterwards; this one lives 1 ms, so once that has
    // surely passed its page answers 410 (a fast request could otherwise beat the TTL).
    let token = new_token(&mock, AUTH_BODY).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(http().get(format!("{mock}/session?token={token}")).send().await.unwrap().status(), 410);

    // Live sessions still count: past the cap, 503.
    let mut config = mock_config(TTL);
    config.max_sessions = 3;
    let (mock, _, _) = spawn_mock_with(config).await;
    for _ in 0..3 {
        new_token(&mock, AUTH_BODY).await;
    }
    let (status, _) = call(&format!("{mock}{AUTH}"), &[JSON, ("ApiKey", API_KEY)], AUTH_BODY).await;
    assert_eq!(status, 503);
}

#[tokio::test]
async fn hidden_elements_stay_hidden_in_the_app_css() {
    // `.camera__placeholder { display: grid }` used to beat the `hidden` attribute, so
    // "Waiting for camera permission..." stayed over the live video.
    let (mock, _, _) = spawn_mock(TTL).await;
    let css = http().get(format!("{mock}/assets/app.css")).send().await.unwrap().text().await.unwrap();
    let compact: String = css.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(compact.contains("[hidden]{display:none!important"), "no [hidden] rule that wins over display: grid");
}

/// The configuration block the app reads (`<script type="application/json" id="vlens-config">`).
fn page_config(html: &str) -> Value {
    let start = html.find(r#"id="vlens-config">"#).map(|i| i + r#"id="vlens-config">"#.len()).expect("a config block");
    let end = html[start..].find("</script>").expect("the end of the config block");
    serde_json::from_str(&html[start..start + end]).expect("JSON config")
}

#[tokio::test]
async fn the_app_speaks_the_dialect_of_its_path_and_plain_session_speaks_the_configured_one() {
    use vlens_server::mock::MockProtocol;
    let c = http();
    for (configured, default) in
        [(None, "v1"), (Some(MockProtocol::Silent), "silent"), (Some(MockProtocol::Foreign), "foreign")]
    {
        let mut config = mock_config(TTL);
        if let Some(protocol) = configured {
            config.protocol = protocol;
        }
        let (mock, _, _) = spawn_mock_with(config).await;
        for (path, dialect) in [
            ("/session", default),
            ("/v1/session", "v1"),
            ("/silent/session", "silent"),
            ("/foreign/session", "foreign"),
        ] {
            let token = new_token(&mock, AUTH_BODY).await;
            let res = c.get(format!("{mock}{path}?token={token}")).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(res.headers()["referrer-policy"], "no-referrer", "{path}");
            let config = page_config(&res.text().await.unwrap());
            assert_eq!(config["protocol"], dialect, "{path} with {default} configured");
            assert_eq!(config["phoneNumber"], "+201234567890");

            // The error page of an unknown token speaks the same dialect.
            let res = c.get(format!("{mock}{path}?token=unknown")).send().await.unwrap();
            assert_eq!(res.status(), 404, "{path}");
            let config = page_config(&res.text().await.unwrap());
            assert_eq!(
                (config["protocol"].as_str(), config["error"]["code"].as_str()),
                (Some(dialect), Some("TOKEN_UNKNOWN"))
            );
        }
        // Only those: no app under another prefix.
        let token = new_token(&mock, AUTH_BODY).await;
        for path in ["/xml/session", "/V1/session", "/silent/session/x", "/silent", "/foreign/"] {
            let res = c.get(format!("{mock}{path}?token={token}")).send().await.unwrap();
            assert_eq!(res.status(), 404, "{path}");
            assert!(!res.text().await.unwrap().contains("vlens-config"), "{path}");
        }
    }
}
