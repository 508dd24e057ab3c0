//! `POST /api/vlens/session` on real loopback sockets: against the mock Vlens and
//! against a recording upstream (headers, bodies, validation, upstream failures).

mod common;

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::*;

const TTL: Duration = Duration::from_secs(600);
const TIMEOUT: Duration = Duration::from_secs(5);

fn session_url(host: &Host) -> String {
    format!("{}/api/vlens/session", host.url)
}

fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"))
}

#[tokio::test]
async fn auth_session_through_the_mock() {
    let (mock_url, _, mock_logs) = spawn_mock(TTL).await;
    let host = spawn_host(&mock_url, API_KEY, Some(ADMIN_TOKEN), TIMEOUT, temp_root("auth")).await;

    let (status, body) = post_json(
        &session_url(&host),
        r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414],"minimalSignatureFlow":true,"digitalIdentityOnly":false}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = parse(&body)["token"].as_str().unwrap().to_string();
    assert!(token.len() >= 32);
    assert_no_secrets(&body);

    // The mock app accepts the token.
    let page = http().get(format!("{mock_url}/session?token={token}")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("\"minimalSignatureFlow\":true"), "{html}");
    assert!(html.contains("\"invitation\":false"));
    assert_no_secrets(&html);

    assert!(host.logs().contains("route=/api/vlens/session}: answered status=200 latency_ms="), "{}", host.logs());
    assert!(host.logs().contains(" note=CreateAuthSession"), "{}", host.logs());
    assert_no_secrets(&host.logs());
    assert_no_secrets(&mock_logs.text());
    // Tokens and phone numbers are not logged either.
    assert!(!host.logs().contains(&token) && !host.logs().contains("+201234567890"));
}

#[tokio::test]
async fn invitation_through_the_mock() {
    let (mock_url, _, _) = spawn_mock(TTL).await;
    let host = spawn_host(&mock_url, API_KEY, Some(ADMIN_TOKEN), TIMEOUT, temp_root("inv")).await;

    let (status, body) = post_json(
        &session_url(&host),
        r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414],"prefill":{"414":{"fullName":"Ahmed Mohamed","monthlyIncome":"5000"}}}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = parse(&body)["token"].as_str().unwrap().to_string();
    let html = http().get(format!("{mock_url}/session?token={token}")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("\"invitation\":true"));
    assert!(html.contains("\"fullName\":\"Ahmed Mohamed\""));
    assert!(host.logs().contains(" note=CreateInvitation"), "{}", host.logs());
}

#[tokio::test]
async fn sends_the_documented_headers_and_bodies_upstream() {
    let (url, rec) = spawn_recorder(200, r#"{"data":"upstream-token"}"#, Duration::ZERO).await;
    let host = spawn_host(&url, API_KEY, Some(ADMIN_TOKEN), TIMEOUT, temp_root("rec")).await;

    let (status, body) = post_json(
        &session_url(&host),
        r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414,415],"minimalSignatureFlow":false,"digitalIdentityOnly":true}"#,
    )
    .await;
    assert_eq!((status, parse(&body)), (200, json!({ "token": "upstream-token" })));

    let (status, _) = post_json(
        &session_url(&host),
        r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414],"minimalSignatureFlow":true,"prefill":{"414":{"fullName":"Ahmed Mohamed"}}}"#,
    )
    .await;
    assert_eq!(status, 200);

    let reqs = rec.requests();
    assert_eq!(reqs.len(), 2);
    let auth = &reqs[0];
    assert_eq!(auth.method, "POST");
    assert_eq!(auth.path, "/api/IdentityUserSession/CreateAuthSession");
    assert_eq!(auth.header("ApiKey"), Some(API_KEY));
    assert_eq!(auth.header("Authorization"), None, "no admin token on auth sessions");
    assert_eq!(auth.header("Content-Type"), Some("application/json"));
    assert_eq!(
        auth.json(),
        json!({
            "phoneNumber": "+201234567890",
            "sessionPermissions": {
                "allowedContractTypeIds": [414, 415],
                "minimalSignatureFlow": false,
                "DigitalIdentityOnly": true
            }
        })
    );

    let inv = &reqs[1];
    assert_eq!(inv.path, "/api/IdentityUserSession/CreateInvitation");
    assert_eq!(inv.header("ApiKey"), Some(API_KEY));
    assert_eq!(inv.header("Authorization"), Some(format!("Bearer {ADMIN_TOKEN}").as_str()));
    assert_eq!(
        inv.json(),
        json!({
            "SessionInput": {
                "phoneNumber": "+201234567890",
                "sessionPermissions": {
                    "allowedContractTypeIds": [414],
                    "minimalSignatureFlow": true,
                    "DigitalIdentityOnly": false
                },
                "RequestFieldsValues": { "414": { "fullName": "Ahmed Mohamed" } }
            }
        })
    );
}

#[tokio::test]
async fn each_validation_error_is_a_400_naming_the_field() {
    let (url, rec) = spawn_recorder(200, r#"{"data":"t"}"#, Duration::ZERO).await;
    let host = spawn_host(&url, API_KEY, Some(ADMIN_TOKEN), TIMEOUT, temp_root("val")).await;
    let ok_ids = r#""allowedContractTypeIds":[414]"#;
    let phone = r#""phoneNumber":"+201234567890""#;
    let long_value = "v".repeat(1001);
    let many_ids = (1..=51).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let cases: Vec<(String, &str)> = vec![
        ("not json".into(), "body"),
        ("[1,2]".into(), "body"),
        (format!("{{{ok_ids}}}"), "phoneNumber"),
        (format!(r#"{{"phoneNumber":null,{ok_ids}}}"#), "phoneNumber"),
        (format!(r#"{{"phoneNumber":201234567890,{ok_ids}}}"#), "phoneNumber"),
        (format!(r#"{{"phoneNumber":"01234567890",{ok_ids}}}"#), "phoneNumber"),
        (format!(r#"{{"phoneNumber":"+20 123 456 7890",{ok_ids}}}"#), "phoneNumber"),
        (format!(r#"{{"phoneNumber":"+1234567890123456",{ok_ids}}}"#), "phoneNumber"),
        (format!("{{{phone}}}"), "allowedContractTypeIds"),
        (format!(r#"{{{phone},"allowedContractTypeIds":[]}}"#), "allowedContractTypeIds"),
        (format!(r#"{{{phone},"allowedContractTypeIds":414}}"#), "allowedContractTypeIds"),
        (format!(r#"{{{phone},"allowedContractTypeIds":[{many_ids}]}}"#), "allowedContractTypeIds"),
        (format!(r#"{{{phone},"allowedContractTypeIds":[414,0]}}"#), "allowedContractTypeIds[1]"),
        (format!(r#"{{{phone},"allowedContractTypeIds":[-1]}}"#), "allowedContractTypeIds[0]"),
        (format!(r#"{{{phone},"allowedContractTypeIds":[1.5]}}"#), "allowedContractTypeIds[0]"),
        (format!(r#"{{{phone},"allowedContractTypeIds":["414"]}}"#), "allowedContractTypeIds[0]"),
        (format!(r#"{{{phone},"allowedContractTypeIds":[2147483648]}}"#), "allowedContractTypeIds[0]"),
        (format!(r#"{{{phone},{ok_ids},"minimalSignatureFlow":"true"}}"#), "minimalSignatureFlow"),
        (format!(r#"{{{phone},{ok_ids},"digitalIdentityOnly":0}}"#), "digitalIdentityOnly"),
        (format!(r#"{{{phone},{ok_ids},"DigitalIdentityOnly":true}}"#), "DigitalIdentityOnly"),
        (format!(r#"{{{phone},{ok_ids},"prefill":"x"}}"#), "prefill"),
        (format!(r#"{{{phone},{ok_ids},"prefill":{{"abc":{{"a":"b"}}}}}}"#), "prefill.abc"),
        (format!(r#"{{{phone},{ok_ids},"prefill":{{"999":{{"a":"b"}}}}}}"#), "prefill.999"),
        (format!(r#"{{{phone},{ok_ids},"prefill":{{"414":[]}}}}"#), "prefill.414"),
        (format!(r#"{{{phone},{ok_ids},"prefill":{{"414":{{}}}}}}"#), "prefill.414"),
        (format!(r#"{{{phone},{ok_ids},"prefill":{{"414":{{"income":5000}}}}}}"#), "prefill.414.income"),
        (format!(r#"{{{phone},{ok_ids},"prefill":{{"414":{{"note":"{long_value}"}}}}}}"#), "prefill.414.note"),
        (format!(r#"{{{phone},{ok_ids},"prefill":{{"414":{{" name":"x"}}}}}}"#), "prefill.414. name"),
    ];
    for (body, field) in &cases {
        let (status, text) = post_json(&session_url(&host), body).await;
        assert_eq!(status, 400, "{body} -> {text}");
        let v = parse(&text);
        assert_eq!(v["field"], json!(field), "{body} -> {text}");
        assert!(v["error"].as_str().is_some_and(|m| !m.is_empty()), "{text}");
    }
    assert!(rec.requests().is_empty(), "invalid input never reaches Vlens");

    // Wrong media type and oversized bodies.
    let res = http().post(session_url(&host)).header("Content-Type", "text/plain").body("{}").send().await.unwrap();
    assert_eq!(res.status(), 415);
    assert!(parse(&res.text().await.unwrap())["error"].is_string());
    let huge =
        format!(r#"{{"phoneNumber":"+201234567890","allowedContractTypeIds":[414],"x":"{}"}}"#, "a".repeat(70_000));
    let (status, text) = post_json(&session_url(&host), &huge).await;
    assert_eq!(status, 413);
    assert!(parse(&text)["error"].is_string());
    assert!(rec.requests().is_empty());
    assert_no_secrets(&host.logs());
}

const GOOD: &str = r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414]}"#;
const GOOD_PREFILL: &str =
    r#"{"phoneNumber":"+201234567890","allowedContractTypeIds":[414],"prefill":{"414":{"fullName":"A"}}}"#;

/// A 502 with a safe message and no secret.
fn assert_safe_502(status: u16, body: &str) {
    assert_eq!(status, 502, "{body}");
    let v = parse(body);
    assert!(v["error"].as_str().is_some_and(|m| m.contains("try again")), "{body}");
    assert_eq!(v.as_object().unwrap().len(), 1, "{body}");
    assert_no_secrets(body);
}

#[tokio::test]
async fn upstream_401_becomes_502_without_secrets() {
    let (mock_url, _, _) = spawn_mock(TTL).await;
    // Wrong ApiKey.
    let host = spawn_host(&mock_url, WRONG_KEY, Some(ADMIN_TOKEN), TIMEOUT, temp_root("401a")).await;
    let (status, body) = post_json(&session_url(&host), GOOD).await;
    assert_safe_502(status, &body);
    assert!(host.logs().contains("401"), "{}", host.logs());
    assert_no_secrets(&host.logs());
    let (status, body) = post_json(&session_url(&host), GOOD_PREFILL).await;
    assert_safe_502(status, &body);

    // Right ApiKey, wrong admin token.
    let host = spawn_host(&mock_url, API_KEY, Some(WRONG_KEY), TIMEOUT, temp_root("401b")).await;
    let (status, body) = post_json(&session_url(&host), GOOD_PREFILL).await;
    assert_safe_502(status, &body);
    assert_no_secrets(&host.logs());
}

#[tokio::test]
async fn upstream_500_becomes_502_without_leaking_its_body() {
    let echo =
        format!(r#"{{"message":"internal error for ApiKey {API_KEY} / {ADMIN_TOKEN}","trace":"at Vlens.Internal"}}"#);
    let (url, rec) = spawn_recorder(500, &echo, Duration::ZERO).await;
    let host = spawn_host(&url, API_KEY, Some(ADMIN_TOKEN), TIMEOUT, temp_root("500")).await;
    for body in [GOOD, GOOD_PREFILL] {
        let (status, text) = post_json(&session_url(&host), body).await;
        assert_safe_502(status, &text);
        assert!(!text.contains("Vlens.Internal"));
    }
    assert_eq!(rec.requests().len(), 2);
    assert!(!host.logs().contains("Vlens.Internal"));
    assert_no_secrets(&host.logs());
}

#[tokio::test]
async fn upstream_timeout_becomes_502() {
    let (url, _) = spawn_recorder(200, r#"{"data":"too-late"}"#, Duration::from_secs(5)).await;
    let host = spawn_host(&url, API_KEY, Some(ADMIN_TOKEN), Duration::from_millis(300), temp_root("timeout")).await;
    let started = Instant::now();
    let (status, body) = post_json(&session_url(&host), GOOD).await;
    assert_safe_502(status, &body);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert!(!body.contains("too-late"));
    assert!(host.logs().contains("did not answer in time"), "{}", host.logs());
    assert_no_secrets(&host.logs());
}

#[tokio::test]
async fn unreachable_or_odd_upstreams_become_502() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let host = spawn_host(&format!("http://127.0.0.1:{port}"), API_KEY, None, TIMEOUT, temp_root("down")).await;
    let (status, body) = post_json(&session_url(&host), GOOD).await;
    assert_safe_502(status, &body);

    for answer in [r#"{"data":null}"#, r#"{"data":""}"#, "<html>oops</html>", r#"{"token":"x"}"#] {
        let (url, _) = spawn_recorder(200, answer, Duration::ZERO).await;
        let host = spawn_host(&url, API_KEY, None, TIMEOUT, temp_root("odd")).await;
        let (status, body) = post_json(&session_url(&host), GOOD).await;
        assert_safe_502(status, &body);
    }
}

#[tokio::test]
async fn an_upstream_token_holding_a_secret_becomes_502() {
    // An upstream that echoes what it was sent (a misconfigured VLENS_API_URL, a proxy, a
    // bug) must not turn the ApiKey or the admin token into a "session token" for the page.
    let tokens =
        [API_KEY.to_string(), format!("eyJ.{API_KEY}.sig"), ADMIN_TOKEN.to_string(), format!("Bearer {ADMIN_TOKEN}")];
    for (i, token) in tokens.iter().enumerate() {
        let (url, rec) = spawn_recorder(200, &json!({ "data": token }).to_string(), Duration::ZERO).await;
        let host = spawn_host(&url, API_KEY, Some(ADMIN_TOKEN), TIMEOUT, temp_root("echo")).await;
        for body in [GOOD, GOOD_PREFILL] {
            let (status, text) = post_json(&session_url(&host), body).await;
            assert_safe_502(status, &text);
        }
        assert_eq!(rec.requests().len(), 2, "case {i}");
        let logs = host.logs();
        let which = if i < 2 { "ApiKey" } else { "admin token" };
        assert!(logs.contains(&format!("a token that contains the {which}")), "case {i}: {logs}");
        assert_no_secrets(&logs);
    }
    // A token that merely shares a prefix with a secret is fine.
    let (url, _) = spawn_recorder(200, r#"{"data":"test-api-key-abc"}"#, Duration::ZERO).await;
    let host = spawn_host(&url, API_KEY, Some(ADMIN_TOKEN), TIMEOUT, temp_root("prefix")).await;
    let (status, body) = post_json(&session_url(&host), GOOD).await;
    assert_eq!((status, parse(&body)), (200, json!({ "token": "test-api-key-abc" })));
}

#[tokio::test]
async fn prefill_without_admin_token_is_501() {
    let (url, rec) = spawn_recorder(200, r#"{"data":"t"}"#, Duration::ZERO).await;
    let host = spawn_host(&url, API_KEY, None, TIMEOUT, temp_root("501")).await;
    let (status, body) = post_json(&session_url(&host), GOOD_PREFILL).await;
    assert_eq!(status, 501, "{body}");
    let v = parse(&body);
    assert_eq!(v["field"], "prefill");
    assert!(v["error"].as_str().unwrap().contains("admin token"));
    assert!(rec.requests().is_empty());
    // Without prefill the same server works.
    let (status, _) = post_json(&session_url(&host), GOOD).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn config_endpoint_and_static_files() {
    let root = temp_root("static");
    let host = spawn_host("http://127.0.0.1:9", API_KEY, None, TIMEOUT, root).await;
    let c = http();

    let res = c.get(format!("{}/api/vlens/config", host.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({ "baseUrl": "http://localhost:1", "mock": false }));

    let res = c.get(format!("{}/", host.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(res.text().await.unwrap(), "<h1>demo</h1>");

    let res = c.get(format!("{}/dist/vlens.js", host.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/javascript; charset=utf-8");

    let res = c.get(format!("{}/sub", host.url)).send().await.unwrap();
    // ServeDir redirects a folder without its slash (307, as tower-http does).
    assert_eq!(res.status(), 307);
    assert_eq!(res.headers()["location"], "/sub/");
    let res = c.get(format!("{}/sub/", host.url)).send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "<h1>sub</h1>");

    for path in
        ["/../secret.txt", "/%2e%2e/secret.txt", "/dist/..%2fwww/index.html", "/dist/%2e%2e/secret.txt", "/nope.html"]
    {
        // Send the path as is (no client-side normalisation).
        let res = c.get(format!("{}{path}", host.url)).send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert!(!text.contains("outside"), "{path}");
        assert!(status == 404 || path.starts_with("/.."), "{path} -> {status}");
    }

    let res = c.get(format!("{}/api/nope", host.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = c.get(format!("{}/api/vlens/session", host.url)).send().await.unwrap();
    assert_eq!(res.status(), 405);
}
