//! `automaintainer dashboard`: serves the web dashboard over the store (`DATABASE_URL`, or the
//! embedded SQLite default). Bound to loopback by default; binding to any other address needs
//! an access token in `AM_DASHBOARD_TOKEN`, so the run history is never published by accident.

use std::net::SocketAddr;

use crate::contract::InputError;
use crate::dashboard::{app, DashboardConfig};
use crate::error::Error;
use crate::secrets::{Secret, Secrets};

/// The variable the access token is read from (never a flag: flags show up in `ps`).
pub const TOKEN_VARIABLE: &str = "AM_DASHBOARD_TOKEN";

#[derive(Debug, clap::Args)]
pub struct DashboardArgs {
    /// The address to listen on. Any address other than loopback requires AM_DASHBOARD_TOKEN.
    #[arg(long, default_value = "127.0.0.1:3000")]
    bind: SocketAddr,
    /// Seconds between reloads of the overview page; 0 turns them off.
    #[arg(long, default_value_t = 15)]
    refresh_secs: u32,
}

pub fn run(args: &DashboardArgs, secrets: &Secrets) -> Result<(), Error> {
    let token = std::env::var(TOKEN_VARIABLE)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(Secret::new);
    check_exposure(args.bind, token.is_some())?;
    let config = DashboardConfig {
        token,
        refresh_secs: args.refresh_secs,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))?;
    runtime.block_on(serve(args.bind, config, secrets))
}

/// Refuses to publish the dashboard beyond this machine without a token.
fn check_exposure(bind: SocketAddr, has_token: bool) -> Result<(), InputError> {
    if bind.ip().is_loopback() || has_token {
        return Ok(());
    }
    Err(InputError::field(
        "--bind",
        format!(
            "a loopback address (127.0.0.1, ::1) unless {TOKEN_VARIABLE} is set; {bind} would \
             publish the dashboard without a token"
        ),
    ))
}

async fn serve(bind: SocketAddr, config: DashboardConfig, secrets: &Secrets) -> Result<(), Error> {
    let store = crate::store::open(secrets.database_url.as_ref()).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| Error::io(format!("listen on {bind}"), e))?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::io("read the listening address", e))?;
    tracing::info!(
        "dashboard listening on http://{address} (the {} store{})",
        store.backend(),
        if config.token.is_some() {
            ", token required"
        } else {
            ""
        }
    );
    axum::serve(listener, app(store, config))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| Error::io("serve the dashboard", e))
}

/// Ctrl-C or SIGTERM (what `docker stop` and Kestra send) end the server after the requests in
/// flight.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!("failed to listen for Ctrl-C: {error}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!("failed to listen for SIGTERM: {error}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("dashboard stopping");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_needs_no_token_anything_else_does() {
        let local: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let local6: SocketAddr = "[::1]:3000".parse().unwrap();
        let everywhere: SocketAddr = "0.0.0.0:3000".parse().unwrap();
        assert!(check_exposure(local, false).is_ok());
        assert!(check_exposure(local6, false).is_ok());
        assert!(check_exposure(everywhere, true).is_ok());
        let error = check_exposure(everywhere, false).unwrap_err().to_string();
        assert!(
            error.contains("--bind") && error.contains(TOKEN_VARIABLE),
            "{error}"
        );
    }
}
