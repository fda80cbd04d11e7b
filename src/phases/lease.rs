//! Holding the run's lease while a phase works: a background task renews the heartbeat until
//! the phase's process ends (its runtime drops the task) or the run is no longer running. A
//! phase that is killed stops renewing, and the run is marked abandoned once the lease expires.

use std::sync::Arc;

use crate::store::Store;

/// Starts renewing `run_id`'s lease in the background, through the phase's own store (its pool:
/// opening and migrating a second store cost every phase a few milliseconds of CPU for one
/// update a minute). Problems are logged, never fatal: the lease is bookkeeping.
pub(crate) fn hold(run_id: &str, store: Arc<dyn Store>) {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let run_id = run_id.to_owned();
    handle.spawn(async move {
        loop {
            match store.heartbeat(&run_id).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!("could not renew the lease of run {run_id}: {e}"),
            }
            tokio::time::sleep(crate::store::heartbeat_interval()).await;
        }
    });
}
