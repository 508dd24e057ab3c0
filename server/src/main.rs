//! `vlens-server`: the demo, the reference host backend and (without
//! `VLENS_API_KEY`) a local mock of Vlens. See `docs/server.md`.

use std::process::ExitCode;

use vlens_server::config::{ServerConfig, Upstream};
use vlens_server::mock::MockProtocol;

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM (what container platforms send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    vlens_server::telemetry::init_stderr();
    let config = match ServerConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vlens-server: {e}");
            return ExitCode::from(2);
        }
    };
    let real = match &config.upstream {
        Upstream::Real { api_url, app_url, admin_token, .. } => {
            Some((api_url.clone(), app_url.clone(), admin_token.is_some()))
        }
        Upstream::Mock => None,
    };
    if !config.root.join("www").is_dir() {
        eprintln!(
            "vlens-server: warning: no www/ folder in {} (start from the repository root or set VLENS_ROOT)",
            config.root.display()
        );
    } else if !config.root.join("dist").is_dir() {
        eprintln!("vlens-server: warning: no dist/ folder yet: build the widget (npm run build)");
    }

    // Room for MAX_CONNECTIONS sockets per listener: raise the soft limit on open
    // files to the hard one (as Go and others do).
    let wanted = 2 * config.limits.max_connections as u64 + 256;
    match rlimit::increase_nofile_limit(wanted) {
        Ok(got) if got < wanted => eprintln!(
            "vlens-server: warning: only {got} open files allowed; MAX_CONNECTIONS={} needs about {wanted}",
            config.limits.max_connections
        ),
        _ => {}
    }
    let grace = config.limits.shutdown_grace;
    let protocol = config.mock_protocol;

    let running = match vlens_server::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vlens-server: {e}");
            return ExitCode::FAILURE;
        }
    };

    // One line each, on stdout, so scripts and tests can read the URLs.
    match (&running.mock_url, real) {
        (Some(mock_url), _) => {
            // Said only when it is not the widget's own protocol, which everything expects.
            let dialect = match protocol {
                MockProtocol::V1 => String::new(),
                MockProtocol::Silent => format!("; its app posts nothing: MOCK_APP_PROTOCOL={}", protocol.name()),
                MockProtocol::Foreign => {
                    format!("; its app posts a format of its own: MOCK_APP_PROTOCOL={}", protocol.name())
                }
            };
            println!("vlens-server: mock Vlens at {mock_url} (no VLENS_API_KEY set: using the local mock{dialect})")
        }
        (None, Some((api_url, app_url, invitations))) => {
            println!(
                "vlens-server: real Vlens: API {api_url}, app {app_url} (invitations with prefill: {})",
                if invitations { "enabled" } else { "disabled, no VLENS_ADMIN_TOKEN" }
            )
        }
        (None, None) => {}
    }
    println!("vlens-server: demo at {}", running.host_url);

    stop_signal().await;
    eprintln!("vlens-server: stopping: no new connections; requests in flight may finish");
    // Requests in flight get SHUTDOWN_GRACE_SECS to finish; idle keep-alive
    // connections are closed at once.
    if tokio::time::timeout(grace, running.shutdown()).await.is_err() {
        eprintln!("vlens-server: requests still open after {grace:?}: stopping anyway");
    }
    ExitCode::SUCCESS
}
