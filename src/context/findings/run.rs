//! Running a linter for findings: bounded by a timeout and killed when it overruns. A linter
//! that is missing or overruns costs only its findings, and says so in the log.

use std::process::Output;
use std::time::Duration;

use tokio::process::Command;

/// The output of `command` (the linter `name`), or None when it could not start or ran out of
/// `timeout`.
pub async fn output(mut command: Command, name: &str, timeout: Duration) -> Option<Output> {
    command
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    match tokio::time::timeout(timeout, command.output()).await {
        Ok(Ok(output)) => Some(output),
        Ok(Err(e)) => {
            tracing::info!("{name} is not available: {e}");
            None
        }
        Err(_) => {
            tracing::warn!("{name} took longer than {timeout:?}; its findings are left out");
            None
        }
    }
}
