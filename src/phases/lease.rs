//! Holding the run's lease while a phase works: a background task renews the heartbeat until
//! the phase's process ends (its runtime drops the task) or the run is no longer running. A
//! phase that is killed stops renewing, and the run is marked abandoned once the lease expires.

/// Starts renewing `run_id`'s lease in the background, through its own connection to the store
/// `DATABASE_URL` names. Problems are logged, never fatal: the lease is bookkeeping.
pub(crate) fn hold(run_id: &str) {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let run_id = run_id.to_owned();
    handle.spawn(async move {
        let secrets = crate::secrets::Secrets::from_env();
        let store = match crate::store::open(secrets.database_url.as_ref()).await {
            Ok(store) => store,
            Err(e) => {
                tracing::warn!("cannot hold the lease of run {run_id}: {e}");
                return;
            }
        };
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
