//! A phase that changes the clone puts it back on the base when it is told to stop: SIGTERM (an
//! operator, a supervisor, a container stopping) or SIGINT (a terminal) resets the clone's
//! work branch and tree to the base commit, then ends the process with the signal's usual exit
//! code (143, 130). A phase killed outright (SIGKILL) cannot do this; the next attempt's start
//! resets the clone instead, and the run's lease lets it be marked abandoned.

use std::path::PathBuf;

use tokio::signal::unix::{signal, SignalKind};

use crate::repo::branch::{self, Base};

/// Resets the clone on a stop signal while it lives.
#[derive(Debug)]
pub(crate) struct StopGuard(tokio::task::JoinHandle<()>);

impl StopGuard {
    /// Starts watching for SIGTERM and SIGINT; None outside a runtime or when the signals
    /// cannot be watched.
    pub(crate) fn reset_on_stop(root: PathBuf, base: Base) -> Option<Self> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let mut terminate = signal(SignalKind::terminate()).ok()?;
        let mut interrupt = signal(SignalKind::interrupt()).ok()?;
        Some(Self(runtime.spawn(async move {
            let code = tokio::select! {
                _ = terminate.recv() => 143,
                _ = interrupt.recv() => 130,
            };
            tracing::warn!(
                "stopped by a signal: the clone goes back to {} before the phase ends",
                base.branch
            );
            if let Err(e) = branch::reset_to_base(&root, &base) {
                tracing::warn!("could not reset the clone: {e}");
            }
            std::process::exit(code);
        })))
    }
}

impl Drop for StopGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}
