//! The demo's HTML pages carry a strict Content-Security-Policy and a
//! Permissions-Policy granting camera and microphone to the Vlens origin only;
//! other answers (scripts, the API) do not need them.

mod common;

use std::sync::Arc;
use std::time::Duration;

use vlens_server::host::{self, page_security_headers, HostState};
use vlens_server::vlens::{Secret, VlensClient};

use common::*;

const TIMEOUT: Duration = Duration::from_secs(5);

/// The host with `app_url` as the widget's `baseUrl`, serving a temporary root.
async fn spawn_with_app_url(app_url: &str, name: &str) -> String {
    let client = VlensClient::builder("http://127.0.0.1:9", Secret::new(API_KEY)).timeout(TIMEOUT).build().unwrap();
    let state = Arc::new(HostState::new(client, None, app_url.to_string(), false, temp_root(name)));
    let addr = spawn(host::router(state)).await;
    format!("http://{addr}")
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get(name).map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn html_pages_get_csp_and_permissions_policy_for_the_vlens_origin() {
    let url = spawn_with_app_url("http://localhost:8081", "headers-mock").await;
    let c = http();
    for path in ["/", "/index.html", "/sub/"] {
        let res = c.get(format!("{url}{path}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(
            header(&res, "content-security-policy").as_deref(),
            Some(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src http://localhost:8081; \
                 style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                 form-action 'self'; frame-ancestors 'self'"
            ),
            "{path}"
        );
        assert_eq!(
            header(&res, "permissions-policy").as_deref(),
            Some("camera=(self \"http://localhost:8081\"), microphone=(self \"http://localhost:8081\")"),
            "{path}"
        );
    }
    // HEAD answers carry the same headers.
    let res = c.head(format!("{url}/")).send().await.unwrap();
    assert!(header(&res, "content-security-policy").is_some());
    assert!(header(&res, "permissions-policy").is_some());
}

#[tokio::test]
async fn only_the_origin_of_the_app_url_is_named() {
    let url = spawn_with_app_url("https://app.vlenseg.com/some/path/", "headers-real").await;
    let res = http().get(format!("{url}/")).send().await.unwrap();
    let csp = header(&res, "content-security-policy").unwrap();
    assert!(csp.contains("; frame-src https://app.vlenseg.com;"), "{csp}");
    assert!(!csp.contains("/some/path"), "{csp}");
    assert_eq!(
        header(&res, "permissions-policy").as_deref(),
        Some("camera=(self \"https://app.vlenseg.com\"), microphone=(self \"https://app.vlenseg.com\")")
    );
}

#[tokio::test]
async fn scripts_api_answers_and_errors_are_unchanged() {
    let url = spawn_with_app_url("http://localhost:8081", "headers-other").await;
    let c = http();
    for path in ["/dist/vlens.js", "/api/vlens/config", "/nope.html", "/sub"] {
        let res = c.get(format!("{url}{path}")).send().await.unwrap();
        assert_eq!(header(&res, "content-security-policy"), None, "{path}");
        assert_eq!(header(&res, "permissions-policy"), None, "{path}");
    }
}

#[test]
fn a_malformed_app_url_grants_nothing_to_any_other_origin() {
    let headers = page_security_headers("not a url", "'self'");
    let [(csp_name, csp), (pp_name, pp)] = &headers[..] else { panic!("{headers:?}") };
    assert_eq!(csp_name.as_str(), "content-security-policy");
    assert_eq!(pp_name.as_str(), "permissions-policy");
    let csp = csp.to_str().unwrap();
    assert!(csp.contains("frame-src 'none';"), "{csp}");
    assert_eq!(pp.to_str().unwrap(), "camera=(self), microphone=(self)");
    // An IPv6 loopback app keeps its brackets; frame-ancestors is as configured.
    let headers = page_security_headers("http://[::1]:8081", "'self' https://portal.example.com");
    let [(_, csp), (_, pp)] = &headers[..] else { panic!("{headers:?}") };
    let csp = csp.to_str().unwrap();
    assert!(csp.contains("frame-src http://[::1]:8081;"), "{csp}");
    assert!(csp.ends_with("; frame-ancestors 'self' https://portal.example.com"), "{csp}");
    assert_eq!(pp.to_str().unwrap(), "camera=(self \"http://[::1]:8081\"), microphone=(self \"http://[::1]:8081\")");
}
