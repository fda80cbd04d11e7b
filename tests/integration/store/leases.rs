//! Run leases: a running run whose heartbeat stopped is marked abandoned (failed, in the phase
//! it was in) by the next run of its repository and by the dashboard's reads; a run that keeps
//! renewing its lease is left running.

use super::*;

crate::store_tests!(an_expired_lease_abandons_the_run_in_its_phase);

const OTHER: &str = "/srv/git/other.git";

async fn an_expired_lease_abandons_the_run_in_its_phase(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "killed", REPO, at(0)).await;
    store.set_phase("killed", "implement").await.unwrap();
    register(store, "elsewhere", OTHER, at(1)).await;
    store.set_phase("elsewhere", "review").await.unwrap();
    register(store, "alive", REPO, at(2)).await;
    assert!(store.heartbeat("alive").await.unwrap());
    // Nothing renewed the first two for hours: their processes are gone.
    db.execute(
        "UPDATE agent_runs SET heartbeat_at = '2026-01-01T00:00:00.000000Z'
         WHERE run_id IN ('killed', 'elsewhere')",
    )
    .await;

    // The next run of the same repository marks its own repository's orphan only.
    register(store, "next", REPO, at(3)).await;
    let killed = store.run_detail("killed").await.unwrap().unwrap();
    assert_eq!(killed.overview.status, RunStatus::Failed);
    assert_eq!(killed.overview.phase.as_deref(), Some("implement"));
    let error = killed.overview.error.clone().unwrap_or_default();
    assert!(
        error.starts_with("abandoned: ") && error.contains("in phase implement"),
        "{error}"
    );
    assert!(killed.overview.finished_at.is_some());
    assert_eq!(killed.errors.len(), 1);
    assert_eq!(killed.errors[0].phase, "implement");
    assert!(
        !store.heartbeat("killed").await.unwrap(),
        "an abandoned run holds no lease"
    );

    // A dashboard read marks the rest; live runs stay running.
    let (rows, _) = store.run_overview(&RunQuery::default()).await.unwrap();
    let status = |id: &str| rows.iter().find(|r| r.run_id == id).unwrap().status;
    assert_eq!(status("elsewhere"), RunStatus::Failed);
    assert_eq!(status("alive"), RunStatus::Running);
    assert_eq!(status("next"), RunStatus::Running);
    let elsewhere = store.run_detail("elsewhere").await.unwrap().unwrap();
    assert_eq!(elsewhere.overview.phase.as_deref(), Some("review"));
    assert_eq!(store.system_stats().await.unwrap().running_runs, 2);
    assert!(store.abandon_expired(None).await.unwrap().is_empty());
}
