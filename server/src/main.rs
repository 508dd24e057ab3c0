//! `vlens-server`: the demo, the reference host backend and (without
//! `VLENS_API_KEY`) a local mock of Vlens. See `docs/server.md`.

use std::process::ExitCode;

use vlens_server::config::{ServerConfig, Upstream};
use vlens_server::util::stderr_logger;

#[tokio::main]
async fn main() -> ExitCode {
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

    let running = match vlens_server::start(config, stderr_logger()).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vlens-server: {e}");
            return ExitCode::FAILURE;
        }
    };

    // One line each, on stdout, so scripts and tests can read the URLs.
    match (&running.mock_url, real) {
        (Some(mock_url), _) => {
            println!("vlens-server: mock Vlens at {mock_url} (no VLENS_API_KEY set: using the local mock)")
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

    let _ = tokio::signal::ctrl_c().await;
    eprintln!("vlens-server: stopping");
    // Open requests get a moment to finish; keep-alive connections do not hold us.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), running.shutdown()).await;
    ExitCode::SUCCESS
}
