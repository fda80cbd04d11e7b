//! One run per repository at a time: a second run cannot take a repository another run holds;
//! it can once the holder ends (closed or failed) or once the holder's lease expired (its
//! process was killed); another repository is never held up. A run turned away is `skipped`:
//! counted apart, holding nothing, and closing it keeps it skipped.

use super::*;

crate::store_tests!(
    a_held_repository_turns_the_second_run_away_until_released,
    an_expired_repository_lock_is_taken_over,
    two_runs_racing_for_a_repository_get_one_lock,
    a_skipped_run_is_counted_apart_holds_nothing_and_stays_skipped
);

const OTHER: &str = "/srv/git/other.git";

async fn a_held_repository_turns_the_second_run_away_until_released(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "first", REPO, at(0)).await;
    register(store, "second", REPO, at(1)).await;
    register(store, "elsewhere", OTHER, at(2)).await;
    assert_eq!(store.lock_repository(REPO, "first").await.unwrap(), None);
    assert_eq!(
        store.lock_repository(REPO, "first").await.unwrap(),
        None,
        "a retry of the holder takes its lock again"
    );
    assert_eq!(
        store.lock_repository(REPO, "second").await.unwrap(),
        Some("first".to_owned())
    );
    assert_eq!(
        store.lock_repository(OTHER, "elsewhere").await.unwrap(),
        None
    );
    // A heartbeat renews the lock; it is still held.
    assert!(store.heartbeat("first").await.unwrap());
    assert_eq!(
        store.lock_repository(REPO, "second").await.unwrap(),
        Some("first".to_owned())
    );

    // The holder ends: the second run takes the repository.
    store
        .close_run("first", RunStatus::Succeeded)
        .await
        .unwrap();
    assert_eq!(store.lock_repository(REPO, "second").await.unwrap(), None);
    register(store, "third", REPO, at(3)).await;
    assert_eq!(
        store.lock_repository(REPO, "third").await.unwrap(),
        Some("second".to_owned())
    );
    // A failed run releases it too.
    store
        .record_failure(&RunFailure {
            run_id: "second".to_owned(),
            phase: "implement".to_owned(),
            message: "broken".to_owned(),
            at: at(4),
        })
        .await
        .unwrap();
    assert_eq!(store.lock_repository(REPO, "third").await.unwrap(), None);
}

async fn an_expired_repository_lock_is_taken_over(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "killed", REPO, at(0)).await;
    assert_eq!(store.lock_repository(REPO, "killed").await.unwrap(), None);
    register(store, "next", REPO, at(1)).await;
    assert_eq!(
        store.lock_repository(REPO, "next").await.unwrap(),
        Some("killed".to_owned())
    );
    // Nothing renewed the holder for hours: its process is gone.
    db.execute("UPDATE repository_locks SET expires_at = '2026-01-01T00:00:00.000000Z'")
        .await;
    assert_eq!(store.lock_repository(REPO, "next").await.unwrap(), None);
    // The old holder's late cleanup frees nothing of the new holder's.
    store.unlock_repository("killed").await.unwrap();
    assert_eq!(
        store.lock_repository(REPO, "killed").await.unwrap(),
        Some("next".to_owned())
    );
}

async fn two_runs_racing_for_a_repository_get_one_lock(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "left", REPO, at(0)).await;
    register(store, "right", REPO, at(0)).await;
    let (left, right) = tokio::join!(
        store.lock_repository(REPO, "left"),
        store.lock_repository(REPO, "right")
    );
    let (left, right) = (left.unwrap(), right.unwrap());
    assert!(
        matches!(
            (left.as_deref(), right.as_deref()),
            (None, Some("left")) | (Some("right"), None)
        ),
        "exactly one run holds the repository: {left:?} {right:?}"
    );
}

async fn a_skipped_run_is_counted_apart_holds_nothing_and_stays_skipped(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "first", REPO, at(0)).await;
    register(store, "second", REPO, at(1)).await;
    assert_eq!(store.lock_repository(REPO, "first").await.unwrap(), None);
    let holder = store.lock_repository(REPO, "second").await.unwrap();
    assert_eq!(holder.as_deref(), Some("first"));
    let reason = "skipped: another run holds the repository (run first)";
    store.skip_run("second", reason).await.unwrap();
    store.skip_run("second", reason).await.unwrap();
    // What the flow's finally step does with it (whatever status it reads) changes nothing.
    store.set_phase("second", "cleanup").await.unwrap();
    store.close_run("second", RunStatus::Failed).await.unwrap();
    store
        .close_run("second", RunStatus::Succeeded)
        .await
        .unwrap();
    let detail = store.run_detail("second").await.unwrap().unwrap();
    assert_eq!(detail.overview.status, RunStatus::Skipped);
    assert_eq!(detail.overview.error.as_deref(), Some(reason));
    assert_eq!(detail.overview.phase.as_deref(), Some("setup"));
    assert!(detail.overview.finished_at.is_some());
    assert!(detail.errors.is_empty(), "{:?}", detail.errors);
    assert!(
        !store.heartbeat("second").await.unwrap(),
        "a skipped run holds no lease"
    );
    // The holder keeps the repository.
    register(store, "third", REPO, at(2)).await;
    assert_eq!(
        store.lock_repository(REPO, "third").await.unwrap(),
        Some("first".to_owned())
    );
    assert!(matches!(
        store.skip_run("nobody", reason).await,
        Err(StoreError::UnknownRun(_))
    ));

    store
        .close_run("first", RunStatus::Succeeded)
        .await
        .unwrap();
    let stats = store.system_stats().await.unwrap();
    assert_eq!(
        (
            stats.total_runs,
            stats.succeeded_runs,
            stats.failed_runs,
            stats.running_runs,
            stats.skipped_runs
        ),
        (3, 1, 0, 1, 1),
        "{stats:?}"
    );
    assert_eq!(
        stats.success_rate,
        Some(1.0),
        "skipped runs are not in the rate"
    );
    let query = RunQuery {
        status: Some(RunStatus::Skipped),
        ..RunQuery::default()
    };
    let (rows, total) = store.run_overview(&query).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].run_id, "second");
    let weeks = store
        .analytics(&automaintainer::store::AnalyticsQuery {
            repository: None,
            since: at(-24 * 30),
        })
        .await
        .unwrap();
    let finished: i64 = weeks.weekly_success.iter().map(|w| w.finished).sum();
    assert_eq!(
        finished, 1,
        "the weekly success rate leaves skipped runs out"
    );
}
