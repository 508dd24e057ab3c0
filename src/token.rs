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
    /// A 429 or 503 whose `Retry-After` asks for this many milliseconds before the next attempt.
    RetryAfter(String, u32),
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
        matches!(self, Failure::Transient(_) | Failure::RetryAfter(..) | Failure::Timeout)
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
            Failure::Transient(why) | Failure::RetryAfter(why, _) | Failure::Final(why) => {
                WidgetError::new(code, why, true)
            }
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
/// `reason` is the endpoint's own explanation (`error` or `message` of a JSON body), if any;
/// `wait_ms` its `Retry-After` (see [`retry_after_ms`]), honoured on a 429 or a 503.
pub(crate) fn status_failure(url: &str, status: u16, reason: Option<&str>, wait_ms: Option<u32>) -> Failure {
    let reason = reason.map(|r| r.chars().filter(|c| !c.is_control()).take(MAX_REASON_CHARS).collect::<String>());
    let paced = wait_ms.filter(|_| status == 429 || status == 503);
    let why = [
        "the token endpoint ",
        url,
        " answered HTTP ",
        &decimal(u32::from(status)),
        reason.as_deref().map_or("", |_| " ("),
        reason.as_deref().unwrap_or(""),
        reason.as_deref().map_or("", |_| ")"),
        if paced.is_some() {
            ": the widget waited as its Retry-After asked, up to tokenTimeoutMs in all; key your server's rate limit by signed-in user, not IP"
        } else if is_retryable_status(status) {
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
    match paced {
        Some(wait) => Failure::RetryAfter(why, wait),
        None if is_retryable_status(status) => Failure::Transient(why),
        None => Failure::Final(why),
    }
}

/// A `Retry-After` header as the milliseconds to wait: delta-seconds, or an HTTP date less
/// `now_ms` (a date already past is 0); `None` when it is neither. `date_ms` is the header
/// read as a date, Unix milliseconds or NaN (the browser's `Date.parse`, which reads the
/// three date forms HTTP allows).
pub(crate) fn retry_after_ms(header: &str, date_ms: f64, now_ms: f64) -> Option<u32> {
    let ms = match digits(header) {
        Some(seconds) => seconds * 1000.0,
        None if date_ms.is_finite() => date_ms - now_ms,
        None => return None,
    };
    // Saturating: a negative wait is 0, a huge one u32::MAX.
    Some(ms as u32)
}

/// A run of ASCII digits as a number (saturating to infinity); `None` for anything else.
fn digits(text: &str) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0.0, |n, b| b.is_ascii_digit().then(|| n * 10.0 + f64::from(b - b'0')))
}

/// What one acquisition of a token has spent of its retry budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tries {
    /// Failed attempts retried so far (`retries` caps them).
    retried: u32,
    /// Milliseconds spent waiting as `Retry-After` asked (`tokenTimeoutMs` caps them).
    waited_ms: u32,
}

impl Tries {
    /// After `failure`: the delay before the next attempt and the budget then spent, or
    /// `None` to give up. `random` in `[0, 1)` spreads the delay.
    ///
    /// A failure is retried after the backoff while `retries` allows. A `Retry-After` (on a
    /// 429 or 503) is the server pacing its clients rather than a failure: the next attempt
    /// waits at least what it asked, spread up to twice that so that users behind one
    /// address (an office NAT) do not all come back at the same moment, without using up
    /// `retries`. Those waits add up to `tokenTimeoutMs` (`cap_ms`) at most: when the
    /// server asks for more than is left, the widget gives up at once rather than ask again
    /// before it was told to. `retries: 0` means no second attempt of any kind.
    pub(crate) fn next(self, failure: &Failure, retries: u32, cap_ms: u32, random: f64) -> Option<(u32, Tries)> {
        if !failure.is_retryable() || retries == 0 {
            return None;
        }
        match *failure {
            Failure::RetryAfter(_, wait) if wait > 0 => {
                let left = cap_ms.saturating_sub(self.waited_ms);
                if wait > left {
                    return None;
                }
                let ms = ((f64::from(wait) * (1.0 + unit(random))) as u32).min(left);
                Some((ms, Tries { waited_ms: self.waited_ms + ms, ..self }))
            }
            _ if self.retried < retries => {
                let retried = self.retried + 1;
                Some((backoff_ms(retried, random), Tries { retried, ..self }))
            }
            _ => None,
        }
    }
}

/// Delay before retry number `retry` (1-based), with `random` in `[0, 1)` for jitter.
pub(crate) fn backoff_ms(retry: u32, random: f64) -> u32 {
    let exp = BACKOFF_BASE_MS * f64::from(1u32 << retry.saturating_sub(1).min(8));
    let jitter = 0.5 + 0.5 * unit(random);
    (exp.min(BACKOFF_MAX_MS) * jitter) as u32
}

/// `random` within `[0, 1]` (0 when it is not a number).
fn unit(random: f64) -> f64 {
    if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.0
    }
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
            assert!(status_failure("/api", s, None, None).is_retryable(), "{s}");
        }
        for s in [400, 401, 403, 404, 422, 501, 505] {
            assert!(!status_failure("/api", s, None, None).is_retryable(), "{s}");
        }
        assert!(Failure::Timeout.is_retryable());
        assert!(!Failure::Invalid(invalid("x")).is_retryable());
    }

    #[test]
    fn failures_map_to_the_most_specific_code() {
        let t = Failure::Timeout.into_error(Reason::Initial, 15000);
        assert_eq!((t.code, t.recoverable), (ErrorCode::TokenTimeout, true));
        assert!(t.message.contains("15000 ms"));
        let f = status_failure("/api/vlens/session", 500, None, None).into_error(Reason::Initial, 1);
        assert_eq!(f.code, ErrorCode::TokenProviderFailed);
        assert!(f.message.contains("/api/vlens/session answered HTTP 500"));
        assert_eq!(
            status_failure("/x", 400, None, None).into_error(Reason::Refresh, 1).code,
            ErrorCode::TokenProviderFailed
        );
        assert_eq!(
            status_failure("/x", 400, None, None).into_error(Reason::Expired, 1).code,
            ErrorCode::TokenRefreshFailed
        );
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
        let Failure::Final(why) = status_failure("/api/vlens/session", 400, Some("phoneNumber must be E.164\n"), None)
        else {
            panic!("a 400 is final")
        };
        assert!(
            why.starts_with("the token endpoint /api/vlens/session answered HTTP 400 (phoneNumber must be E.164): ")
        );
        let Failure::Transient(long) = status_failure("/x", 503, Some(&"y".repeat(5000)), None) else {
            panic!("a 503 is retried")
        };
        assert!(long.len() < MAX_REASON_CHARS + 200);
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_an_http_date() {
        let (date, not_a_date) = (784_111_777_000.0, f64::NAN);
        assert_eq!(retry_after_ms("120", not_a_date, 0.0), Some(120_000));
        assert_eq!(retry_after_ms("0", not_a_date, 0.0), Some(0));
        // Seconds first: `Date.parse("120")` reads a year.
        assert_eq!(retry_after_ms("120", -58_000_000_000_000.0, date), Some(120_000));
        assert_eq!(retry_after_ms("99999999999", not_a_date, 0.0), Some(u32::MAX), "saturates");
        let header = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(retry_after_ms(header, date, date - 2_500.0), Some(2_500));
        assert_eq!(retry_after_ms(header, date, date + 60_000.0), Some(0), "a date already past");
        for bad in ["", "soon", "1.5", " 12", "+3"] {
            assert_eq!(retry_after_ms(bad, not_a_date, 0.0), None, "{bad:?}");
        }
    }

    #[test]
    fn retry_after_is_honoured_on_429_and_503_only() {
        for (status, wait) in [(429, 3000), (503, 0)] {
            let Failure::RetryAfter(why, ms) = status_failure("/x", status, None, Some(wait)) else {
                panic!("{status} with Retry-After is paced")
            };
            assert_eq!(ms, wait);
            assert!(why.contains("waited as its Retry-After asked") && why.contains("by signed-in user"), "{why}");
        }
        assert_eq!(status_failure("/x", 429, None, None), Failure::Transient(why(429)));
        assert_eq!(status_failure("/x", 500, None, Some(3000)), Failure::Transient(why(500)));
        assert!(matches!(status_failure("/x", 400, None, Some(3000)), Failure::Final(_)));
        assert!(Failure::RetryAfter(String::new(), 1).is_retryable());
        let e = status_failure("/x", 429, None, Some(1)).into_error(Reason::Initial, 1);
        assert_eq!((e.code, e.recoverable), (ErrorCode::TokenProviderFailed, true));
    }

    fn why(status: u16) -> String {
        match status_failure("/x", status, None, None) {
            Failure::Transient(why) | Failure::Final(why) => why,
            other => panic!("{other:?}"),
        }
    }

    /// The delays of `failures` in turn until `Tries::next` gives up (`None` last).
    fn delays(failures: &[Failure], retries: u32, cap_ms: u32, random: f64) -> Vec<Option<u32>> {
        let mut tries = Tries::default();
        let mut out = Vec::new();
        for f in failures {
            match tries.next(f, retries, cap_ms, random) {
                Some((ms, next)) => {
                    out.push(Some(ms));
                    tries = next;
                }
                None => {
                    out.push(None);
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn a_retry_after_is_waited_spread_up_to_twice_it_without_using_up_retries() {
        let after = |ms| Failure::RetryAfter(String::new(), ms);
        assert_eq!(delays(&[after(1000)], 2, 15_000, 0.0), [Some(1000)]);
        assert_eq!(delays(&[after(1000)], 2, 15_000, 0.5), [Some(1500)]);
        assert_eq!(delays(&[after(1000)], 2, 15_000, 0.999_999), [Some(1999)]);
        assert_eq!(delays(&[after(5000)], 2, 15_000, f64::NAN), [Some(5000)]);
        // Five paced waits and still both retries left: the server is pacing, not failing.
        let mut failures = vec![after(2000); 5];
        failures.extend([Failure::Timeout, Failure::Timeout, Failure::Timeout]);
        assert_eq!(
            delays(&failures, 2, 15_000, 0.0),
            [Some(2000), Some(2000), Some(2000), Some(2000), Some(2000), Some(125), Some(250), None]
        );
    }

    #[test]
    fn retry_after_waits_add_up_to_token_timeout_ms_at_most() {
        let after = |ms| Failure::RetryAfter(String::new(), ms);
        // 6 s spread to 9 s, then the 6 s left cut the second spread short, then nothing is left.
        assert_eq!(delays(&[after(6000), after(6000), after(1)], 2, 15_000, 0.5), [Some(9000), Some(6000), None]);
        // A wait longer than tokenTimeoutMs is not cut short: the widget gives up at once.
        assert_eq!(delays(&[after(3_600_000)], 2, 15_000, 0.0), [None]);
        assert_eq!(delays(&[after(u32::MAX)], 2, u32::MAX, 1.0), [Some(u32::MAX)]);
        // A Retry-After of 0 (or a date already past) is an ordinary retry.
        assert_eq!(delays(&[after(0), after(0), after(0)], 2, 15_000, 1.0), [Some(250), Some(500), None]);
        // No retries at all with `retries: 0`.
        assert_eq!(delays(&[after(1000)], 0, 15_000, 0.0), [None]);
        // Final failures are never retried.
        assert_eq!(delays(&[Failure::Final(String::new())], 2, 15_000, 0.0), [None]);
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
