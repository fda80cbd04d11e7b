//! Recording in the store that a phase has started, so the run page can time it.

use crate::store::{Store, StoreError};

/// Records that `phase` of `run_id` started. A phase binary run on its own, outside a
/// registered run, still does its work: an unknown run is only logged.
pub async fn record_phase(store: &dyn Store, run_id: &str, phase: &str) -> Result<(), StoreError> {
    match store.set_phase(run_id, phase).await {
        Err(StoreError::UnknownRun(_)) => {
            tracing::debug!("run {run_id} is not registered; phase {phase} is not recorded");
            Ok(())
        }
        other => other,
    }
}
