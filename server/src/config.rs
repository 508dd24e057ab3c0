//! Configuration from the environment.
//!
//! | variable              | default                   | meaning |
//! |-----------------------|---------------------------|---------|
//! | `VLENS_API_KEY`       | (none: use the local mock) | the `ApiKey` of your Vlens business |
//! | `VLENS_ADMIN_TOKEN`   | (none: no invitations)    | admin bearer token, needed for `prefill` (CreateInvitation) |
//! | `VLENS_API_URL`       | `https://api.vlenseg.com` | Vlens API origin |
//! | `VLENS_APP_URL`       | `https://app.vlenseg.com` | origin of the app loaded in the iframe |
//! | `VLENS_TIMEOUT_SECS`  | `15`                      | limit for one call to Vlens |
//! | `HOST`                | `127.0.0.1`               | bind address of both servers |
//! | `PORT`                | `8080`                    | port of the host (demo + API); `0` picks a free one |
//! | `MOCK_PORT`           | `8081`                    | port of the mock Vlens; `0` picks a free one |
//! | `MOCK_TOKEN_TTL_SECS` | `600`                     | lifetime of the mock's session tokens |
//! | `VLENS_ROOT`          | current directory         | repository root: `www/` and `dist/` are served from it |

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use crate::vlens::{normalize_base_url, Secret, DEFAULT_API_URL, DEFAULT_APP_URL, DEFAULT_TIMEOUT};

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
}

impl ServerConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `get` (which returns a variable's value). Empty
    /// values count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());

        let bind = match var("HOST") {
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(h) if h.eq_ignore_ascii_case("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(h) => h
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .map_err(|_| format!("HOST={h:?} is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)"))?,
        };
        let port = parse_port(var("PORT"), "PORT", 8080)?;
        let mock_port = parse_port(var("MOCK_PORT"), "MOCK_PORT", 8081)?;
        let vlens_timeout = parse_secs(var("VLENS_TIMEOUT_SECS"), "VLENS_TIMEOUT_SECS", DEFAULT_TIMEOUT)?;
        let mock_token_ttl = parse_secs(var("MOCK_TOKEN_TTL_SECS"), "MOCK_TOKEN_TTL_SECS", Duration::from_secs(600))?;
        let root = match var("VLENS_ROOT") {
            Some(r) => PathBuf::from(r),
            None => std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?,
        };

        let upstream = match var("VLENS_API_KEY") {
            None => Upstream::Mock,
            Some(key) => {
                let api_url = var("VLENS_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_string());
                let app_url = var("VLENS_APP_URL").unwrap_or_else(|| DEFAULT_APP_URL.to_string());
                Upstream::Real {
                    api_url: normalize_base_url(&api_url).map_err(|e| format!("VLENS_API_URL: {e}"))?,
                    app_url: normalize_base_url(&app_url).map_err(|e| format!("VLENS_APP_URL: {e}"))?,
                    api_key: Secret::new(key),
                    admin_token: var("VLENS_ADMIN_TOKEN").map(Secret::new),
                }
            }
        };

        Ok(ServerConfig { bind, port, mock_port, root, upstream, vlens_timeout, mock_token_ttl })
    }
}

fn parse_port(value: Option<String>, name: &str, default: u16) -> Result<u16, String> {
    match value {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| format!("{name}={v:?} is not a port number (0-65535; 0 picks a free port)")),
    }
}

fn parse_secs(value: Option<String>, name: &str, default: Duration) -> Result<Duration, String> {
    match value {
        None => Ok(default),
        Some(v) => match v.parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(Duration::from_secs_f64(s)),
            _ => Err(format!("{name}={v:?} must be a number of seconds between 0 and 86400")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(vars: &[(&str, &str)]) -> Result<ServerConfig, String> {
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
    }
}
