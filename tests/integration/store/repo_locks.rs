//! One run per repository at a time: a second run cannot take a repository another run holds;
//! it can once the holder ends (closed or failed) or once the holder's lease expired (its
//! process was killed); another repository is never held up.

use super::*;

crate::store_tests!(
    a_held_repository_turns_the_second_run_away_until_released,
    an_expired_repository_lock_is_taken_over,
    two_runs_racing_for_a_repository_get_one_lock
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
