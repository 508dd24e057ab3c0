//! Configuration from the environment.
//!
//! | variable                 | default                   | meaning |
//! |--------------------------|---------------------------|---------|
//! | `VLENS_API_KEY`          | (none: use the local mock) | the `ApiKey` of your Vlens business |
//! | `VLENS_ADMIN_TOKEN`      | (none: no invitations)    | admin bearer token, needed for `prefill` (CreateInvitation) |
//! | `VLENS_API_URL`          | `https://api.vlenseg.com` | Vlens API origin |
//! | `VLENS_APP_URL`          | `https://app.vlenseg.com` | origin of the app loaded in the iframe |
//! | `VLENS_TIMEOUT_SECS`     | `15`                      | limit for one call to Vlens |
//! | `HOST`                   | `127.0.0.1`               | bind address of both servers |
//! | `PORT`                   | `8080`                    | port of the host (demo + API); `0` picks a free one |
//! | `MOCK_PORT`              | `8081`                    | port of the mock Vlens; `0` picks a free one |
//! | `MOCK_TOKEN_TTL_SECS`    | `600`                     | lifetime of the mock's session tokens |
//! | `MOCK_MAX_SESSIONS`      | `10000`                   | most live sessions the mock keeps |
//! | `MOCK_APP_PROTOCOL`      | `v1`                      | what the mock app at `/session` posts: `v1`, `silent` (nothing) or `foreign` (its own format) |
//! | `VLENS_ROOT`             | current directory         | repository root: `www/` and `dist/` are served from it |
//! | `HEADER_TIMEOUT_SECS`    | `10`                      | time for a request's head (line and headers) to arrive |
//! | `BODY_TIMEOUT_SECS`      | `15`                      | time for a request's whole body to arrive |
//! | `KEEPALIVE_TIMEOUT_SECS` | `5`                       | how long an idle keep-alive connection stays open |
//! | `MAX_CONNECTIONS`        | `512`                     | open connections per listener; more wait in the backlog |
//! | `SHUTDOWN_GRACE_SECS`    | `10`                      | on SIGINT/SIGTERM, how long requests in flight may take |
//! | `RATE_LIMIT_PER_MINUTE`  | `30`                      | session requests per client IP and minute (steady rate) |
//! | `RATE_LIMIT_BURST`       | `10`                      | session requests a client may make at once |
//! | `FRAME_ANCESTORS`        | `'self'`                  | CSP `frame-ancestors` of the pages: who may frame them |

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use crate::mock::MockProtocol;
use crate::vlens::{normalize_base_url, Secret, VlensError, DEFAULT_API_URL, DEFAULT_APP_URL, DEFAULT_TIMEOUT};

/// Which Vlens the host talks to.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// The real Vlens (or any compatible server).
    Real {
        /// API origin (`VLENS_API_URL`), normalised without a trailing `/`.
        api_url: String,
        /// Origin of the app loaded in the iframe (`VLENS_APP_URL`), normalised.
        app_url: String,
        /// The business's `ApiKey` (`VLENS_API_KEY`).
        api_key: Secret,
        /// Admin bearer token for invitations (`VLENS_ADMIN_TOKEN`); `None` disables `prefill`.
        admin_token: Option<Secret>,
    },
    /// The built-in mock, started on its own port with generated credentials.
    Mock,
}

/// Connection limits of every listener (host and mock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time for a request's head to arrive, from the connection's start or from the
    /// end of the previous answer (`HEADER_TIMEOUT_SECS`). The connection is closed
    /// without an answer after it.
    pub header_timeout: Duration,
    /// Time for a request's whole body to arrive, from its head (`BODY_TIMEOUT_SECS`).
    /// A handler reading the body then answers 408 and the connection is closed.
    pub body_timeout: Duration,
    /// How long a keep-alive connection may sit idle between requests
    /// (`KEEPALIVE_TIMEOUT_SECS`). hyper also starts the header timer when a
    /// connection becomes idle, so the shorter of the two applies.
    pub keepalive_timeout: Duration,
    /// Most open connections per listener (`MAX_CONNECTIONS`); further clients wait
    /// in the kernel's backlog until one closes.
    pub max_connections: usize,
    /// On SIGINT/SIGTERM, how long requests in flight may still take (`SHUTDOWN_GRACE_SECS`).
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(15),
            keepalive_timeout: Duration::from_secs(5),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// The per-client limit of `POST /api/vlens/session` (a token bucket per client IP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Steady rate: requests per minute (`RATE_LIMIT_PER_MINUTE`).
    pub per_minute: u32,
    /// Requests a client may make at once before the rate applies (`RATE_LIMIT_BURST`).
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit { per_minute: 30, burst: 10 }
    }
}

/// The default `frame-ancestors`: only pages of the same origin may frame ours.
pub const DEFAULT_FRAME_ANCESTORS: &str = "'self'";
/// The default cap on the mock's live sessions.
pub const DEFAULT_MOCK_MAX_SESSIONS: usize = 10_000;

/// Everything [`crate::start`] needs, read from the environment (see the table above).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Bind address of both servers (`HOST`).
    pub bind: IpAddr,
    /// Port of the host (`PORT`); `0` picks a free one.
    pub port: u16,
    /// Port of the mock Vlens (`MOCK_PORT`); `0` picks a free one.
    pub mock_port: u16,
    /// Repository root (`VLENS_ROOT`): `www/` and `dist/` are served from it.
    pub root: PathBuf,
    /// Which Vlens the host talks to: real when `VLENS_API_KEY` is set, else the mock.
    pub upstream: Upstream,
    /// Limit for one call to Vlens (`VLENS_TIMEOUT_SECS`).
    pub vlens_timeout: Duration,
    /// Lifetime of the mock's session tokens (`MOCK_TOKEN_TTL_SECS`).
    pub mock_token_ttl: Duration,
    /// Most live sessions the mock keeps (`MOCK_MAX_SESSIONS`).
    pub mock_max_sessions: usize,
    /// What the mock app at `/session` posts to the page (`MOCK_APP_PROTOCOL`).
    pub mock_protocol: MockProtocol,
    /// Timeouts and the connection cap of both listeners.
    pub limits: Limits,
    /// The session endpoint's per-client rate limit.
    pub rate_limit: RateLimit,
    /// CSP `frame-ancestors` sources of the pages (`FRAME_ANCESTORS`).
    pub frame_ancestors: String,
}

/// A setting that cannot be used; the message names the variable.
#[derive(Debug)]
pub enum ConfigError {
    /// A variable's value is malformed or out of range.
    Invalid {
        /// The variable, e.g. `PORT`.
        variable: &'static str,
        /// What a valid value looks like.
        expected: &'static str,
        /// The value given.
        value: String,
    },
    /// `VLENS_API_URL` or `VLENS_APP_URL` is not a usable base URL.
    Url {
        /// The variable.
        variable: &'static str,
        /// Why (holds no secret).
        source: VlensError,
    },
    /// The current directory (the default `VLENS_ROOT`) cannot be read.
    CurrentDir(std::io::Error),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Invalid { variable, expected, value } => write!(f, "{variable}={value:?}: {expected}"),
            ConfigError::Url { variable, source } => write!(f, "{variable}: {source}"),
            ConfigError::CurrentDir(e) => write!(f, "cannot read the current directory (set VLENS_ROOT): {e}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Invalid { .. } => None,
            ConfigError::Url { source, .. } => Some(source),
            ConfigError::CurrentDir(e) => Some(e),
        }
    }
}

fn invalid(variable: &'static str, expected: &'static str, value: &str) -> ConfigError {
    ConfigError::Invalid { variable, expected, value: value.to_string() }
}

impl ServerConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `get` (which returns a variable's value). Empty
    /// values count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());

        let bind = match var("HOST") {
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(h) if h.eq_ignore_ascii_case("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(h) => h
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .map_err(|_| invalid("HOST", "not an IP address (e.g. 127.0.0.1 or 0.0.0.0)", &h))?,
        };
        let port = parse_port(var("PORT"), "PORT", 8080)?;
        let mock_port = parse_port(var("MOCK_PORT"), "MOCK_PORT", 8081)?;
        let vlens_timeout = parse_secs(var("VLENS_TIMEOUT_SECS"), "VLENS_TIMEOUT_SECS", DEFAULT_TIMEOUT)?;
        let mock_token_ttl = parse_secs(var("MOCK_TOKEN_TTL_SECS"), "MOCK_TOKEN_TTL_SECS", Duration::from_secs(600))?;
        let mock_max_sessions =
            parse_count(var("MOCK_MAX_SESSIONS"), "MOCK_MAX_SESSIONS", DEFAULT_MOCK_MAX_SESSIONS, 10_000_000)?;
        let mock_protocol = match var("MOCK_APP_PROTOCOL") {
            None => MockProtocol::default(),
            Some(v) => MockProtocol::from_name(&v.to_ascii_lowercase()).ok_or_else(|| {
                invalid(
                    "MOCK_APP_PROTOCOL",
                    "what the mock Vlens app posts to the page: v1 (the widget's protocol), silent (nothing) or \
                     foreign (a format of its own)",
                    &v,
                )
            })?,
        };
        let root = match var("VLENS_ROOT") {
            Some(r) => PathBuf::from(r),
            None => std::env::current_dir().map_err(ConfigError::CurrentDir)?,
        };
        let d = Limits::default();
        let limits = Limits {
            header_timeout: parse_secs(var("HEADER_TIMEOUT_SECS"), "HEADER_TIMEOUT_SECS", d.header_timeout)?,
            body_timeout: parse_secs(var("BODY_TIMEOUT_SECS"), "BODY_TIMEOUT_SECS", d.body_timeout)?,
            keepalive_timeout: parse_secs(
                var("KEEPALIVE_TIMEOUT_SECS"),
                "KEEPALIVE_TIMEOUT_SECS",
                d.keepalive_timeout,
            )?,
            max_connections: parse_count(var("MAX_CONNECTIONS"), "MAX_CONNECTIONS", d.max_connections, 1_000_000)?,
            shutdown_grace: parse_secs(var("SHUTDOWN_GRACE_SECS"), "SHUTDOWN_GRACE_SECS", d.shutdown_grace)?,
        };
        let r = RateLimit::default();
        let rate_limit = RateLimit {
            per_minute: parse_count(
                var("RATE_LIMIT_PER_MINUTE"),
                "RATE_LIMIT_PER_MINUTE",
                r.per_minute as usize,
                60_000_000,
            )? as u32,
            burst: parse_count(var("RATE_LIMIT_BURST"), "RATE_LIMIT_BURST", r.burst as usize, 1_000_000)? as u32,
        };
        let frame_ancestors = match var("FRAME_ANCESTORS") {
            None => DEFAULT_FRAME_ANCESTORS.to_string(),
            Some(v) if is_source_list(&v) => v.split_whitespace().collect::<Vec<_>>().join(" "),
            Some(v) => return Err(invalid(
                "FRAME_ANCESTORS",
                "a CSP source list such as 'self' https://portal.example.com ('none', 'self', origins; no ';' or ',')",
                &v,
            )),
        };

        let upstream = match var("VLENS_API_KEY") {
            None => Upstream::Mock,
            Some(key) => {
                let api_url = var("VLENS_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_string());
                let app_url = var("VLENS_APP_URL").unwrap_or_else(|| DEFAULT_APP_URL.to_string());
                Upstream::Real {
                    api_url: normalize_base_url(&api_url)
                        .map_err(|source| ConfigError::Url { variable: "VLENS_API_URL", source })?,
                    app_url: normalize_base_url(&app_url)
                        .map_err(|source| ConfigError::Url { variable: "VLENS_APP_URL", source })?,
                    api_key: Secret::new(key),
                    admin_token: var("VLENS_ADMIN_TOKEN").map(Secret::new),
                }
            }
        };

        Ok(ServerConfig {
            bind,
            port,
            mock_port,
            root,
            upstream,
            vlens_timeout,
            mock_token_ttl,
            mock_max_sessions,
            mock_protocol,
            limits,
            rate_limit,
            frame_ancestors,
        })
    }
}

/// Whether `value` is a CSP source list that cannot smuggle another directive in:
/// visible ASCII words, none holding `;` or `,`.
fn is_source_list(value: &str) -> bool {
    !value.is_empty()
        && value.split_whitespace().all(|w| w.bytes().all(|b| b.is_ascii_graphic() && b != b';' && b != b','))
}

fn parse_port(value: Option<String>, name: &'static str, default: u16) -> Result<u16, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| invalid(name, "not a port number (0-65535; 0 picks a free port)", &v)),
    }
}

fn parse_secs(value: Option<String>, name: &'static str, default: Duration) -> Result<Duration, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => match v.parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(Duration::from_secs_f64(s)),
            _ => Err(invalid(name, "must be a number of seconds between 0 and 86400", &v)),
        },
    }
}

fn parse_count(value: Option<String>, name: &'static str, default: usize, max: usize) -> Result<usize, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= 1 && n <= max => Ok(n),
            _ => Err(invalid(name, "must be a whole number from 1", &v)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(vars: &[(&str, &str)]) -> Result<ServerConfig, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ServerConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_the_mock() {
        let c = cfg(&[]).unwrap();
        assert!(matches!(c.upstream, Upstream::Mock));
        assert_eq!((c.port, c.mock_port), (8080, 8081));
        assert_eq!(c.bind, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(c.mock_token_ttl, Duration::from_secs(600));
        assert!(matches!(cfg(&[("VLENS_API_KEY", "  ")]).unwrap().upstream, Upstream::Mock));
    }

    #[test]
    fn real_mode() {
        let c = cfg(&[("VLENS_API_KEY", "k"), ("VLENS_APP_URL", "https://app.example/"), ("PORT", "0")]).unwrap();
        let Upstream::Real { api_url, app_url, admin_token, .. } = c.upstream else { panic!() };
        assert_eq!(api_url, "https://api.vlenseg.com");
        assert_eq!(app_url, "https://app.example");
        assert!(admin_token.is_none());
        assert_eq!(c.port, 0);
    }

    #[test]
    fn rejects_bad_values() {
        assert!(cfg(&[("PORT", "x")]).is_err());
        assert!(cfg(&[("PORT", "70000")]).is_err());
        assert!(cfg(&[("HOST", "example.com")]).is_err());
        assert!(cfg(&[("MOCK_TOKEN_TTL_SECS", "0")]).is_err());
        assert!(cfg(&[("VLENS_API_KEY", "k"), ("VLENS_API_URL", "ftp://x")]).is_err());
        assert_eq!(cfg(&[("MOCK_TOKEN_TTL_SECS", "0.5")]).unwrap().mock_token_ttl, Duration::from_millis(500));
        assert_eq!(cfg(&[("HOST", "[::1]")]).unwrap().bind.to_string(), "::1");
        for (name, value) in [
            ("HEADER_TIMEOUT_SECS", "0"),
            ("BODY_TIMEOUT_SECS", "x"),
            ("MAX_CONNECTIONS", "0"),
            ("RATE_LIMIT_BURST", "-1"),
            ("MOCK_MAX_SESSIONS", "1.5"),
            ("FRAME_ANCESTORS", "'self'; script-src *"),
            ("FRAME_ANCESTORS", "'self',https://x"),
        ] {
            let e = cfg(&[(name, value)]).unwrap_err();
            assert!(e.to_string().starts_with(name), "{e}");
        }
    }

    #[test]
    fn mock_app_protocol() {
        assert_eq!(cfg(&[]).unwrap().mock_protocol, MockProtocol::V1);
        for p in MockProtocol::ALL {
            assert_eq!(cfg(&[("MOCK_APP_PROTOCOL", p.name())]).unwrap().mock_protocol, p);
        }
        assert_eq!(cfg(&[("MOCK_APP_PROTOCOL", " Foreign ")]).unwrap().mock_protocol, MockProtocol::Foreign);
        for bad in ["json", "v2", "none", "'silent'"] {
            let e = cfg(&[("MOCK_APP_PROTOCOL", bad)]).unwrap_err().to_string();
            assert!(e.starts_with(&format!("MOCK_APP_PROTOCOL={bad:?}: ")), "{e}");
            for p in MockProtocol::ALL {
                assert!(e.contains(&format!("{} (", p.name())), "{e} names {}", p.name());
            }
        }
    }

    #[test]
    fn limits() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.limits, Limits::default());
        assert_eq!(c.rate_limit, RateLimit { per_minute: 30, burst: 10 });
        assert_eq!(c.frame_ancestors, "'self'");
        let c = cfg(&[
            ("HEADER_TIMEOUT_SECS", "1"),
            ("MAX_CONNECTIONS", "7"),
            ("FRAME_ANCESTORS", " 'self'   https://portal.example.com "),
        ])
        .unwrap();
        assert_eq!(c.limits.header_timeout, Duration::from_secs(1));
        assert_eq!(c.limits.max_connections, 7);
        assert_eq!(c.frame_ancestors, "'self' https://portal.example.com");
    }
}
