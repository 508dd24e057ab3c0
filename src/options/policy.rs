//! Policy: what the widget refuses whoever asks, because it would leak a secret or reach
//! the wrong server: server secrets handed to the browser, the Vlens API as a token
//! endpoint, a `baseUrl` that is not the plain address of an app over https.

use super::UrlParts;
use crate::error::{invalid, WidgetError};
use alloc::vec::Vec;

/// The host of the Vlens API, which only servers may call.
const VLENS_API_HOST: &str = "api.vlenseg.com";

/// A name with its case, `-`, `_` and other punctuation folded away (`X-Api-Key` → `xapikey`).
fn folded(name: &[u8]) -> Vec<u8> {
    name.iter().filter(|b| b.is_ascii_alphanumeric()).map(u8::to_ascii_lowercase).collect()
}

/// Whether a name (option, header, query or body field) smells like a server secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    is_secret(name.as_bytes())
}

fn is_secret(name: &[u8]) -> bool {
    let f = folded(name);
    f.ends_with(b"apikey") || f == b"admintoken" || f == b"adminaccesstoken"
}

/// The error for a secret handed to the browser. Its full text ships in every build, as do the
/// two about the API host: the fix is a design change, which a short message would not explain.
pub(crate) fn secret_error(name: &str) -> WidgetError {
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

/// Whether a parsed host name is the Vlens API (or below it), however it was spelled:
/// the URL parser lower-cases and percent-decodes; a trailing dot is folded here.
fn is_vlens_api(hostname: &str) -> bool {
    let host = hostname.trim_end_matches('.').to_ascii_lowercase();
    host == VLENS_API_HOST || host.ends_with(".api.vlenseg.com")
}

pub(super) fn check_base_url(url: &UrlParts) -> Result<(), WidgetError> {
    let local = matches!(url.hostname.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    if url.protocol != "https:" && !(url.protocol == "http:" && local) {
        return Err(invalid!(
            "baseUrl",
            "baseUrl must be an https: URL such as https://app.vlenseg.com; http: is allowed only for localhost, 127.0.0.1 and [::1]",));
    }
    if url.has_credentials || !url.search.is_empty() || !url.hash.is_empty() {
        return Err(invalid!(
            "baseUrl",
            "baseUrl must be the plain address of the Vlens app (like https://app.vlenseg.com), without user name, query or fragment",));
    }
    if is_vlens_api(&url.hostname) {
        return Err(WidgetError::invalid(
            "baseUrl points at api.vlenseg.com, the server API; the iframe loads the app: use https://app.vlenseg.com",
        ));
    }
    Ok(())
}

/// Checks a parsed token-provider URL: never the Vlens API, never a secret in its query.
pub(crate) fn check_provider_url(url: &UrlParts) -> Result<(), WidgetError> {
    if is_vlens_api(&url.hostname) {
        return Err(WidgetError::invalid(
            "tokenProvider points at api.vlenseg.com: create the session on your server; the ApiKey must never reach the browser. Point tokenProvider at your own endpoint (e.g. /api/vlens/session)",
        ));
    }
    if url.protocol != "https:" && url.protocol != "http:" {
        return Err(invalid!(
            "tokenProvider",
            "tokenProvider must be an http(s) URL of your own session endpoint, such as /api/vlens/session",
        ));
    }
    check_form_names(url.search.trim_start_matches('?'))
}

/// Refuses a secret among the names of `a=1&b=2` (a query string or a form body).
pub(crate) fn check_form_names(form: &str) -> Result<(), WidgetError> {
    match form.split('&').map(|pair| pair.split('=').next().unwrap_or(pair)).find(|n| is_secret(&percent_decode(n))) {
        Some(name) => Err(secret_error(name)),
        None => Ok(()),
    }
}

/// Bytes, not a `String`: only their ASCII letters and digits matter to [`is_secret`].
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
        match (bytes[i], hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{tests::FakeEnv, Env};

    #[test]
    fn secret_names_are_recognised_however_spelled() {
        for n in ["apiKey", "ApiKey", "api_key", "API-KEY", "Api-Key", "X-ApiKey", "adminToken", "adminAccessToken"] {
            assert!(is_secret_name(n), "{n}");
        }
        assert!(!is_secret_name("baseUrl"));
        assert!(!is_secret_name("apiKeyId"));
    }

    #[test]
    fn the_provider_url_is_never_the_vlens_api_nor_carries_a_secret() {
        let parse = |u: &str| FakeEnv.parse_url(u, Some("https://shop.example/")).unwrap();
        for bad in [
            "https://api.vlenseg.com/x",
            "https://api.vlenseg.com./x",
            "https://API.VlensEG.com/x",
            "https://eu.api.vlenseg.com/x",
            "/api/vlens/session?ApiKey=k",
            "/api/vlens/session?a=1&api%2Dkey=k",
            "data:text/plain,x",
        ] {
            let parts = FakeEnv.parse_url(bad, Some("https://shop.example/")).unwrap_or_default();
            assert!(check_provider_url(&parts).is_err(), "{bad}");
        }
        let err = check_provider_url(&parse("https://api.vlenseg.com./x")).unwrap_err();
        assert!(err.message.contains("ApiKey must never reach the browser"));
        assert!(check_provider_url(&parse("/api/vlens/session?user=1")).is_ok());
        assert!(check_provider_url(&parse("http://127.0.0.1:8080/t")).is_ok());
        assert!(check_form_names("phone=1&X_API_KEY=2").is_err());
    }
}
