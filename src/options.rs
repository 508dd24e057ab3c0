//! Options of `mountVlens`: defaults, limits and the checks that need no browser.

use crate::error::WidgetError;

/// Where the Vlens app lives unless `baseUrl` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://app.vlenseg.com";
/// The host of the Vlens API, which only servers may call.
pub const VLENS_API_HOST: &str = "api.vlenseg.com";
/// Default iframe height in CSS pixels.
pub const DEFAULT_HEIGHT: f64 = 700.0;
/// Default iframe width.
pub const DEFAULT_WIDTH: &str = "100%";
/// Default iframe title.
pub const DEFAULT_TITLE: &str = "Vlens identity verification";
/// Default per-attempt token timeout.
pub const DEFAULT_TOKEN_TIMEOUT_MS: u32 = 15_000;
/// Default number of token retries.
pub const DEFAULT_RETRIES: u32 = 2;
/// Default iframe load timeout.
pub const DEFAULT_LOAD_TIMEOUT_MS: u32 = 30_000;
/// Largest timeout accepted (ten minutes).
pub const MAX_TIMEOUT_MS: f64 = 600_000.0;
/// Largest `retries` accepted.
pub const MAX_RETRIES: f64 = 10.0;
/// Features the iframe always gets: liveness needs both.
pub const REQUIRED_FEATURES: [&str; 2] = ["camera", "microphone"];

/// Every option `mountVlens` knows; others are reported as probable typos.
pub const KNOWN_OPTIONS: [&str; 19] = [
    "baseUrl",
    "height",
    "width",
    "minHeight",
    "maxHeight",
    "autoResize",
    "allow",
    "title",
    "tokenTimeoutMs",
    "retries",
    "loadTimeoutMs",
    "signal",
    "onReady",
    "onStep",
    "onResize",
    "onComplete",
    "onCancel",
    "onError",
    "onEvent",
];

/// A CSS size: pixels, or a CSS length the browser has accepted.
#[derive(Clone, Debug, PartialEq)]
pub enum Length {
    /// CSS pixels.
    Px(f64),
    /// A CSS length such as `80vh` or `100%`.
    Css(String),
}

/// Whether an option name smells like a server secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace(['_', '-'], "");
    lower == "apikey" || lower == "admintoken" || lower == "adminaccesstoken"
}

/// The error for a secret handed to the browser.
pub fn secret_error(name: &str) -> WidgetError {
    WidgetError::invalid(
        [
            "`",
            name,
            "` must not be given to the widget: the Vlens ApiKey and admin token stay on your server. ",
            "Create the session there (CreateAuthSession / CreateInvitation) and pass the widget a tokenProvider that calls your server",
        ]
        .concat(),
    )
}

/// Checks the parts of a parsed `baseUrl`.
pub fn check_base_url(
    protocol: &str,
    hostname: &str,
    has_credentials: bool,
    search: &str,
    hash: &str,
) -> Result<(), WidgetError> {
    let local = matches!(hostname, "localhost" | "127.0.0.1" | "[::1]");
    if protocol != "https:" && !(protocol == "http:" && local) {
        return Err(WidgetError::invalid(
            "baseUrl must be an https: URL such as https://app.vlenseg.com; http: is allowed only for localhost, 127.0.0.1 and [::1]",
        ));
    }
    if has_credentials || !search.is_empty() || !hash.is_empty() {
        return Err(WidgetError::invalid(
            "baseUrl must be the plain address of the Vlens app (like https://app.vlenseg.com), without user name, query or fragment",
        ));
    }
    if hostname == VLENS_API_HOST {
        return Err(WidgetError::invalid(
            "baseUrl points at api.vlenseg.com, the server API; the iframe loads the app: use https://app.vlenseg.com",
        ));
    }
    Ok(())
}

/// Checks the parts of a parsed token-provider URL.
pub fn check_provider_url(protocol: &str, hostname: &str) -> Result<(), WidgetError> {
    if hostname == VLENS_API_HOST || hostname.ends_with(".api.vlenseg.com") {
        return Err(WidgetError::invalid(
            "tokenProvider points at api.vlenseg.com: create the session on your server; the ApiKey must never reach the browser. Point tokenProvider at your own endpoint (e.g. /api/vlens/session)",
        ));
    }
    if protocol != "https:" && protocol != "http:" {
        return Err(WidgetError::invalid(
            "tokenProvider must be an http(s) URL of your own session endpoint, such as /api/vlens/session",
        ));
    }
    Ok(())
}

/// `baseUrl` without a trailing slash, so `/session` can be appended.
pub fn trim_base(origin: &str, pathname: &str) -> String {
    [origin, pathname.trim_end_matches('/')].concat()
}

/// The iframe `src` for a token; `encoded_token` is already `encodeURIComponent`-ed.
pub fn session_src(base: &str, encoded_token: &str) -> String {
    [base, "/session?token=", encoded_token].concat()
}

/// The iframe's `allow` attribute: camera and microphone, then the host's extra features.
pub fn allow_attr<'a>(extras: impl IntoIterator<Item = &'a str>) -> Result<String, WidgetError> {
    let mut out: Vec<String> = REQUIRED_FEATURES.iter().map(|f| (*f).to_string()).collect();
    for item in extras {
        for directive in item.split(';').map(str::trim).filter(|d| !d.is_empty()) {
            let ok = directive.len() <= 200
                && directive.chars().all(|c| c.is_ascii_alphanumeric() || " -_'*:/.[]".contains(c));
            if !ok {
                return Err(WidgetError::invalid(
                    [
                        "allow: '",
                        directive,
                        "' is not a permissions-policy feature such as 'fullscreen' or 'clipboard-write'",
                    ]
                    .concat(),
                ));
            }
            let name = directive.split(' ').next().unwrap_or(directive);
            if !out.iter().any(|d| d.split(' ').next() == Some(name)) {
                out.push(directive.to_string());
            }
        }
    }
    Ok(out.join("; "))
}

/// Checks a timeout option (milliseconds).
pub fn timeout_ms(name: &str, value: Option<f64>, default: u32) -> Result<u32, WidgetError> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v > 0.0 && v <= MAX_TIMEOUT_MS => Ok(v as u32),
        Some(_) => Err(WidgetError::invalid([name, " must be a number of milliseconds between 1 and 600000"].concat())),
    }
}

/// Checks `retries`.
pub fn retries(value: Option<f64>) -> Result<u32, WidgetError> {
    match value {
        None => Ok(DEFAULT_RETRIES),
        Some(v) if v.fract() == 0.0 && (0.0..=MAX_RETRIES).contains(&v) => Ok(v as u32),
        Some(_) => Err(WidgetError::invalid("retries must be a whole number from 0 to 10")),
    }
}

/// Checks a size in pixels (`height` as a number, `minHeight`, `maxHeight`).
pub fn pixels(name: &str, value: f64) -> Result<f64, WidgetError> {
    if (0.0..=crate::protocol::MAX_HEIGHT).contains(&value) {
        Ok(value)
    } else {
        Err(WidgetError::invalid([name, " must be a number of CSS pixels between 0 and 100000"].concat()))
    }
}

/// Checks that `minHeight` does not exceed `maxHeight`.
pub fn check_clamp(min: Option<f64>, max: Option<f64>) -> Result<(), WidgetError> {
    match (min, max) {
        (Some(lo), Some(hi)) if lo > hi => Err(WidgetError::invalid("minHeight must not be larger than maxHeight")),
        _ => Ok(()),
    }
}

/// The height to apply for an app's resize request.
pub fn clamp_height(requested: f64, min: Option<f64>, max: Option<f64>) -> f64 {
    let h = max.map_or(requested, |m| requested.min(m));
    min.map_or(h, |m| h.max(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_must_be_https_except_on_loopback() {
        assert!(check_base_url("https:", "app.vlenseg.com", false, "", "").is_ok());
        for host in ["localhost", "127.0.0.1", "[::1]"] {
            assert!(check_base_url("http:", host, false, "", "").is_ok(), "{host}");
        }
        let err = check_base_url("http:", "example.com", false, "", "").unwrap_err();
        assert!(err.message.contains("https:"));
        assert!(check_base_url("javascript:", "", false, "", "").is_err());
        assert!(check_base_url("http:", "127.0.0.2", false, "", "").is_err());
        assert!(check_base_url("https:", "app.vlenseg.com", true, "", "").is_err());
        assert!(check_base_url("https:", "app.vlenseg.com", false, "?a=1", "").is_err());
        assert!(check_base_url("https:", "app.vlenseg.com", false, "", "#x").is_err());
        assert!(check_base_url("https:", "api.vlenseg.com", false, "", "").is_err());
    }

    #[test]
    fn provider_url_must_not_be_the_vlens_api() {
        let err = check_provider_url("https:", "api.vlenseg.com").unwrap_err();
        assert!(err.message.contains("ApiKey must never reach the browser"));
        assert!(check_provider_url("https:", "eu.api.vlenseg.com").is_err());
        assert!(check_provider_url("https:", "shop.example").is_ok());
        assert!(check_provider_url("http:", "127.0.0.1").is_ok());
        assert!(check_provider_url("data:", "").is_err());
    }

    #[test]
    fn secret_names_are_recognised() {
        for n in ["apiKey", "ApiKey", "api_key", "API-KEY", "adminToken", "adminAccessToken"] {
            assert!(is_secret_name(n), "{n}");
        }
        assert!(!is_secret_name("baseUrl"));
        assert!(secret_error("ApiKey").message.contains("stay on your server"));
    }

    #[test]
    fn src_and_base_are_joined_without_double_slashes() {
        assert_eq!(trim_base("https://app.vlenseg.com", "/"), "https://app.vlenseg.com");
        assert_eq!(trim_base("http://localhost:9", "/vlens/"), "http://localhost:9/vlens");
        assert_eq!(session_src("https://app.vlenseg.com", "a%26b"), "https://app.vlenseg.com/session?token=a%26b");
    }

    #[test]
    fn allow_always_has_camera_and_microphone_once() {
        assert_eq!(allow_attr([]).unwrap(), "camera; microphone");
        assert_eq!(
            allow_attr(["fullscreen; camera", "clipboard-write", "fullscreen"]).unwrap(),
            "camera; microphone; fullscreen; clipboard-write"
        );
        assert_eq!(allow_attr(["microphone 'src'", " ;; "]).unwrap(), "camera; microphone");
        assert!(allow_attr(["camera\" onload=\"x"]).is_err());
        assert!(allow_attr(["<script>"]).is_err());
    }

    #[test]
    fn numeric_options_are_bounded() {
        assert_eq!(timeout_ms("tokenTimeoutMs", None, 15000), Ok(15000));
        assert_eq!(timeout_ms("tokenTimeoutMs", Some(250.7), 1), Ok(250));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 700_000.0] {
            assert!(timeout_ms("loadTimeoutMs", Some(bad), 1).unwrap_err().message.starts_with("loadTimeoutMs"));
        }
        assert_eq!(retries(None), Ok(2));
        assert_eq!(retries(Some(0.0)), Ok(0));
        for bad in [-1.0, 1.5, 11.0, f64::NAN] {
            assert!(retries(Some(bad)).is_err());
        }
        assert_eq!(pixels("height", 700.0), Ok(700.0));
        assert!(pixels("height", -5.0).is_err());
        assert!(pixels("minHeight", f64::NAN).is_err());
        assert!(check_clamp(Some(500.0), Some(400.0)).is_err());
        assert!(check_clamp(Some(400.0), None).is_ok());
    }

    #[test]
    fn clamping_respects_both_bounds() {
        assert_eq!(clamp_height(900.0, Some(400.0), Some(800.0)), 800.0);
        assert_eq!(clamp_height(100.0, Some(400.0), Some(800.0)), 400.0);
        assert_eq!(clamp_height(600.0, None, None), 600.0);
    }
}
