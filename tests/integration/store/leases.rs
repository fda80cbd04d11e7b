//! Run leases: a running run whose heartbeat stopped is marked `abandoned` (in the phase it was
//! in; counted neither as failed nor as succeeded) by the next run of its repository and by the dashboard's reads; a run that keeps
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
    assert_eq!(killed.overview.status, RunStatus::Abandoned);
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
    assert_eq!(status("elsewhere"), RunStatus::Abandoned);
    assert_eq!(status("alive"), RunStatus::Running);
    assert_eq!(status("next"), RunStatus::Running);
    let elsewhere = store.run_detail("elsewhere").await.unwrap().unwrap();
    assert_eq!(elsewhere.overview.phase.as_deref(), Some("review"));
    let stats = store.system_stats().await.unwrap();
    assert_eq!(
        (
            stats.running_runs,
            stats.abandoned_runs,
            stats.failed_runs,
            stats.succeeded_runs
        ),
        (2, 2, 0, 0),
        "{stats:?}"
    );
    assert_eq!(
        stats.success_rate, None,
        "abandoned runs are not finished runs"
    );
    let only = RunQuery {
        status: Some(RunStatus::Abandoned),
        ..RunQuery::default()
    };
    let (abandoned, total) = store.run_overview(&only).await.unwrap();
    assert_eq!(total, 2);
    assert!(abandoned.iter().all(|r| r.status == RunStatus::Abandoned));
    // Closing an abandoned run (its process came back) does not make it succeed.
    store
        .close_run("killed", RunStatus::Succeeded)
        .await
        .unwrap();
    let killed = store.run_detail("killed").await.unwrap().unwrap();
    assert_eq!(killed.overview.status, RunStatus::Abandoned);
    assert!(store.abandon_expired(None).await.unwrap().is_empty());
}
