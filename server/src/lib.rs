//! Reference host backend for `vlens-widget`, with a local mock of Vlens.
//!
//! * [`vlens`]: a typed client for `CreateAuthSession` and `CreateInvitation`,
//!   usable on its own by any Rust backend.
//! * [`host`]: the integrator's side: `POST /api/vlens/session` and the demo's
//!   static files.
//! * [`mock`]: a stand-in for Vlens (API and iframe app) on a second origin.
//! * [`serve`]: the accept loop with timeouts, a connection cap and graceful shutdown.
//! * [`start`]: runs both as configured by [`config::ServerConfig`].

#![deny(missing_docs)]

pub mod config;
pub mod error;
pub mod files;
pub mod host;
pub mod mock;
pub mod serve;
pub mod telemetry;
pub mod util;
pub mod validate;
pub mod vlens;

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use config::{ServerConfig, Upstream};
use vlens::{VlensClient, VlensError};

pub use serve::serve;

/// Why the servers could not start.
#[derive(Debug)]
pub enum StartError {
    /// A port could not be bound.
    Bind {
        /// Which server (`PORT` or `MOCK_PORT`).
        what: &'static str,
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: io::Error,
    },
    /// The Vlens client could not be built.
    Client(VlensError),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Bind { what, addr, source } => write!(f, "cannot listen on {addr} ({what}): {source}"),
            StartError::Client(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Bind { source, .. } => Some(source),
            StartError::Client(e) => Some(e),
        }
    }
}

/// The listen backlog: clients waiting while the connection cap is reached (the
/// kernel caps it at `net.core.somaxconn`).
const BACKLOG: u32 = 4096;

async fn bind(addr: SocketAddr, what: &'static str) -> Result<(TcpListener, SocketAddr), StartError> {
    let err = |source| StartError::Bind { what, addr, source };
    let socket =
        if addr.is_ipv4() { tokio::net::TcpSocket::new_v4() } else { tokio::net::TcpSocket::new_v6() }.map_err(err)?;
    // As std and tokio do on Unix: rebinding right after a restart works.
    #[cfg(unix)]
    socket.set_reuseaddr(true).map_err(err)?;
    socket.bind(addr).map_err(err)?;
    let listener = socket.listen(BACKLOG).map_err(err)?;
    let local = listener.local_addr().map_err(err)?;
    Ok((listener, local))
}

/// The running servers.
pub struct Running {
    /// The address the host listens on.
    pub host_addr: SocketAddr,
    /// The URL to open (the demo), e.g. `http://127.0.0.1:8080/`.
    pub host_url: String,
    /// The address the mock listens on, when it runs.
    pub mock_addr: Option<SocketAddr>,
    /// The mock's origin (`http://localhost:PORT`), when it runs.
    pub mock_url: Option<String>,
    /// Where the host points the widget (`baseUrl`).
    pub app_url: String,
    /// The mock's state (its generated credentials), when it runs.
    pub mock_state: Option<Arc<mock::MockState>>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<io::Result<()>>>,
}

impl Running {
    /// Stops accepting connections, lets open requests finish, closes idle
    /// connections and waits for all of them.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// How a URL names a listening address: loopback and unspecified addresses as
/// `display_host` (`127.0.0.1` or `localhost`), others as themselves.
fn url_host(addr: SocketAddr, display_host: &str) -> String {
    let ip = addr.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        format!("{display_host}:{}", addr.port())
    } else if let IpAddr::V6(v6) = ip {
        format!("[{v6}]:{}", addr.port())
    } else {
        addr.to_string()
    }
}

/// Binds and starts the host (and the mock, when no `VLENS_API_KEY` is set).
///
/// The host is reached as `http://127.0.0.1:PORT` and the mock as
/// `http://localhost:MOCK_PORT`: two different origins, so the widget's origin
/// checks are real.
pub async fn start(config: ServerConfig) -> Result<Running, StartError> {
    let (shutdown, rx) = watch::channel(false);
    let stop = move || {
        let mut rx = rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    let mut tasks = Vec::new();

    let (client, admin_token, app_url, mock_info) = match &config.upstream {
        Upstream::Real { api_url, app_url, api_key, admin_token } => {
            let client = VlensClient::builder(api_url, api_key.clone())
                .timeout(config.vlens_timeout)
                .build()
                .map_err(StartError::Client)?;
            (client, admin_token.clone(), app_url.clone(), None)
        }
        Upstream::Mock => {
            let mut mock_config = mock::MockConfig::generated(config.mock_token_ttl);
            mock_config.max_sessions = config.mock_max_sessions;
            mock_config.protocol = config.mock_protocol;
            // The mock is always on a loopback (or the configured) address; the host
            // calls its API on 127.0.0.1 and the browser loads its app as `localhost`.
            let (listener, addr) = bind(SocketAddr::new(config.bind, config.mock_port), "MOCK_PORT").await?;
            let state = mock::MockState::new(mock_config.clone());
            tasks.push(serve(listener, mock::router(state.clone()), config.limits, stop()));
            let api_ip = if addr.ip().is_unspecified() { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { addr.ip() };
            let api_url = format!("http://{}", SocketAddr::new(api_ip, addr.port()));
            let client = VlensClient::builder(&api_url, mock_config.api_key.clone())
                .timeout(config.vlens_timeout)
                .build()
                .map_err(StartError::Client)?;
            let app_url = format!("http://{}", url_host(addr, "localhost"));
            (client, Some(mock_config.admin_token.clone()), app_url.clone(), Some((addr, app_url, state)))
        }
    };

    let host_state = Arc::new(host::HostState {
        client,
        admin_token,
        app_url: app_url.clone(),
        mock: mock_info.is_some(),
        mock_protocol: config.mock_protocol,
        root: config.root.clone(),
        rate_limit: config.rate_limit,
        frame_ancestors: config.frame_ancestors.clone(),
    });
    let (listener, host_addr) = bind(SocketAddr::new(config.bind, config.port), "PORT").await?;
    tasks.push(serve(listener, host::router(host_state), config.limits, stop()));

    let (mock_addr, mock_url, mock_state) = match mock_info {
        Some((addr, url, state)) => (Some(addr), Some(url), Some(state)),
        None => (None, None, None),
    };
    Ok(Running {
        host_addr,
        host_url: format!("http://{}/", url_host(host_addr, "127.0.0.1")),
        mock_addr,
        mock_url,
        app_url,
        mock_state,
        shutdown,
        tasks,
    })
}
