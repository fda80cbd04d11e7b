//! Recording in the store that a phase has started, so the run page can time it, and holding
//! the run's lease while the phase works.

use std::sync::Arc;

use crate::contract::TaskEnv;
use crate::store::{Store, StoreError};

/// Records that `phase` of `run_id` started. A phase binary run on its own, outside a
/// registered run, still does its work: an unknown run is only logged. The run's lease is
/// renewed through the same store.
pub async fn record_phase(
    store: &Arc<dyn Store>,
    run_id: &str,
    phase: &str,
) -> Result<(), StoreError> {
    super::lease::hold(run_id, Arc::clone(store));
    match store.set_phase(run_id, phase).await {
        Err(StoreError::UnknownRun(_)) => {
            tracing::debug!("run {run_id} is not registered; phase {phase} is not recorded");
            Ok(())
        }
        other => other,
    }
}

/// Records the start of a phase whose own work never touches the store (select, implement,
/// review, evaluate). Its timing is only bookkeeping for the run page, so a store that cannot be
/// opened is logged and the phase goes on; am-persist, which must write, reports it.
pub async fn note_phase(env: &TaskEnv, run_id: &str, phase: &str) {
    let recorded = async {
        let store = crate::store::open(env.secrets.database_url.as_ref()).await?;
        record_phase(&store, run_id, phase).await
    };
    if let Err(e) = recorded.await {
        tracing::warn!("could not record the start of phase {phase} of run {run_id}: {e}");
    }
}
