//! Session tokens: what counts as one, and how failing attempts are retried and reported.

use crate::error::{ErrorCode, WidgetError};
use alloc::string::String;
use alloc::vec::Vec;

/// The complaint about an oversized token.
pub(crate) const TOO_LONG: &str = "the token provider returned a token longer than 4096 characters";

/// Longest token accepted, in characters.
pub const MAX_TOKEN_CHARS: usize = 4096;
/// Longest explanation taken from an endpoint's error body, in characters.
pub(crate) const MAX_REASON_CHARS: usize = 300;
/// First backoff delay, in milliseconds.
pub(crate) const BACKOFF_BASE_MS: f64 = 250.0;
/// Longest backoff delay, in milliseconds.
pub(crate) const BACKOFF_MAX_MS: f64 = 4000.0;

/// Why the provider is asked for a token (`ctx.reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The first token of a mount.
    Initial,
    /// The app said its token expired.
    Expired,
    /// The host called `refresh()`.
    Refresh,
    /// A retry after a failed attempt.
    Retry,
}

impl Reason {
    /// The reason as JavaScript sees it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Reason::Initial => "initial",
            Reason::Expired => "expired",
            Reason::Refresh => "refresh",
            Reason::Retry => "retry",
        }
    }
}

/// Checks a token the provider returned.
pub fn check(token: &str) -> Result<(), WidgetError> {
    let problem = if token.is_empty() {
        "the token provider returned an empty token"
    // Characters counted as the bytes that start one: `chars().count()` costs the wasm 1 KB.
    } else if token.bytes().filter(|b| (b & 0xC0) != 0x80).count() > MAX_TOKEN_CHARS {
        TOO_LONG
    } else if token.chars().any(char::is_control) {
        "the token provider returned a token containing control characters"
    } else {
        return Ok(());
    };
    Err(invalid(problem))
}

/// A `TOKEN_INVALID` error with a hint on what a provider must return.
pub(crate) fn invalid(problem: &str) -> WidgetError {
    WidgetError::new(
        ErrorCode::TokenInvalid,
        [
            problem,
            ": return the session token string from Vlens's `data` field, as JSON {\"token\": \"...\"} or text/plain",
        ]
        .concat(),
        false,
    )
}

/// How one attempt to get a token went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A transient failure worth retrying (network error, 5xx, 408, 429, a rejected function).
    Transient(String),
    /// A failure that retrying will not fix (other 4xx).
    Final(String),
    /// The attempt took longer than `tokenTimeoutMs`.
    Timeout,
    /// The answer was not a usable token.
    Invalid(WidgetError),
}

impl Failure {
    /// Whether another attempt may succeed.
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(self, Failure::Transient(_) | Failure::Timeout)
    }

    /// The error reported once the attempts of one acquisition are used up.
    pub(crate) fn into_error(self, purpose: Reason, timeout_ms: u32) -> WidgetError {
        let code =
            if purpose == Reason::Expired { ErrorCode::TokenRefreshFailed } else { ErrorCode::TokenProviderFailed };
        match self {
            Failure::Invalid(e) => e,
            Failure::Timeout => WidgetError::new(
                ErrorCode::TokenTimeout,
                [
                    "the token provider did not answer within tokenTimeoutMs (",
                    &decimal(timeout_ms),
                    " ms): check that your session endpoint is reachable, or raise tokenTimeoutMs",
                ]
                .concat(),
                true,
            ),
            Failure::Transient(why) | Failure::Final(why) => WidgetError::new(code, why, true),
        }
    }
}

/// `n` in decimal, without pulling the formatting machinery into the wasm.
pub(crate) fn decimal(mut n: u32) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// Whether an HTTP status is worth retrying: 5xx (but 501 and 505, which never heal), 408 and 429.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    (status >= 500 && status != 501 && status != 505) || status == 408 || status == 429
}

/// The failure an HTTP error status means, with advice for the host's developer.
///
/// `reason` is the endpoint's own explanation (`error` or `message` of a JSON body), if any.
pub(crate) fn status_failure(url: &str, status: u16, reason: Option<&str>) -> Failure {
    let reason = reason.map(|r| r.chars().filter(|c| !c.is_control()).take(MAX_REASON_CHARS).collect::<String>());
    let why = [
        "the token endpoint ",
        url,
        " answered HTTP ",
        &decimal(u32::from(status)),
        reason.as_deref().map_or("", |_| " ("),
        reason.as_deref().unwrap_or(""),
        reason.as_deref().map_or("", |_| ")"),
        if is_retryable_status(status) {
            ": check your server's logs; the request was retried"
        } else if status >= 500 {
            ": your server cannot do this request (check its configuration and logs)"
        } else if status == 401 || status == 403 {
            ": the endpoint refused the request; is the user signed in to your site and are cookies sent (credentials)?"
        } else {
            ": the endpoint refused the request; check its method, headers and body"
        },
    ]
    .concat();
    if is_retryable_status(status) {
        Failure::Transient(why)
    } else {
        Failure::Final(why)
    }
}

/// Delay before retry number `retry` (1-based), with `random` in `[0, 1)` for jitter.
pub(crate) fn backoff_ms(retry: u32, random: f64) -> u32 {
    let exp = BACKOFF_BASE_MS * f64::from(1u32 << retry.saturating_sub(1).min(8));
    let random = if random.is_finite() { random.clamp(0.0, 1.0) } else { 0.0 };
    let jitter = 0.5 + 0.5 * random;
    (exp.min(BACKOFF_MAX_MS) * jitter) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_tokens_including_url_specials() {
        assert_eq!(check("eyJhbGciOi.abc-_"), Ok(()));
        assert_eq!(check("a&b#c%d\"e'f<g"), Ok(()));
        assert_eq!(check(&"x".repeat(MAX_TOKEN_CHARS)), Ok(()));
    }

    #[test]
    fn rejects_empty_long_and_control_tokens() {
        for bad in [String::new(), "x".repeat(MAX_TOKEN_CHARS + 1), "a\nb".into(), "a\u{0}b".into(), "a\u{9f}".into()] {
            let err = check(&bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::TokenInvalid);
            assert!(!err.recoverable);
            assert!(err.message.contains("{\"token\""), "{}", err.message);
        }
    }

    #[test]
    fn retries_only_transient_statuses() {
        for s in [500, 502, 503, 408, 429] {
            assert!(status_failure("/api", s, None).is_retryable(), "{s}");
        }
        for s in [400, 401, 403, 404, 422, 501, 505] {
            assert!(!status_failure("/api", s, None).is_retryable(), "{s}");
        }
        assert!(Failure::Timeout.is_retryable());
        assert!(!Failure::Invalid(invalid("x")).is_retryable());
    }

    #[test]
    fn failures_map_to_the_most_specific_code() {
        let t = Failure::Timeout.into_error(Reason::Initial, 15000);
        assert_eq!((t.code, t.recoverable), (ErrorCode::TokenTimeout, true));
        assert!(t.message.contains("15000 ms"));
        let f = status_failure("/api/vlens/session", 500, None).into_error(Reason::Initial, 1);
        assert_eq!(f.code, ErrorCode::TokenProviderFailed);
        assert!(f.message.contains("/api/vlens/session answered HTTP 500"));
        assert_eq!(status_failure("/x", 400, None).into_error(Reason::Refresh, 1).code, ErrorCode::TokenProviderFailed);
        assert_eq!(status_failure("/x", 400, None).into_error(Reason::Expired, 1).code, ErrorCode::TokenRefreshFailed);
        assert_eq!(Failure::Invalid(invalid("x")).into_error(Reason::Expired, 1).code, ErrorCode::TokenInvalid);
    }

    #[test]
    fn decimal_matches_display() {
        for n in [0, 7, 10, 408, 15000, u32::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn the_endpoints_own_reason_is_quoted_bounded_and_clean() {
        let Failure::Final(why) = status_failure("/api/vlens/session", 400, Some("phoneNumber must be E.164\n")) else {
            panic!("a 400 is final")
        };
        assert!(
            why.starts_with("the token endpoint /api/vlens/session answered HTTP 400 (phoneNumber must be E.164): ")
        );
        let Failure::Transient(long) = status_failure("/x", 503, Some(&"y".repeat(5000))) else {
            panic!("a 503 is retried")
        };
        assert!(long.len() < MAX_REASON_CHARS + 200);
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        assert_eq!(backoff_ms(1, 0.999_999), 249);
        assert_eq!(backoff_ms(1, 0.0), 125);
        assert_eq!(backoff_ms(2, 0.0), 250);
        assert_eq!(backoff_ms(3, 1.0), 1000);
        assert_eq!(backoff_ms(30, 1.0), 4000);
        assert_eq!(backoff_ms(0, f64::NAN), 125);
    }
}
