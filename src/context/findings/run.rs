//! Running a linter for findings through the runner (clean environment, sandbox, bounded by a
//! timeout and killed when it overruns). A linter that is missing or overruns costs only its
//! findings, and says so in the log.

use crate::runner::{self, Ran, Request};

/// What the linter `name` left, or None when it could not start or ran out of time.
pub async fn output(request: Request, name: &str) -> Option<Ran> {
    match runner::run_async(request.label(name)).await {
        Ok(ran) if ran.timed_out => {
            tracing::warn!(
                "{name} took longer than {:?}; its findings are left out",
                ran.duration
            );
            None
        }
        Ok(ran) => Some(ran),
        Err(e) if e.is_not_found() => {
            tracing::info!("{name} is not available: {e}");
            None
        }
        Err(e) => {
            tracing::warn!("{name} could not run; its findings are left out: {e}");
            None
        }
    }
}
