//! The repository pages' latest facts read from bounded index ranges: the last score is the
//! latest evaluated run's among the repository's latest 50 runs (an older score does not count),
//! and the median time to merge is over its latest 100 merges (older merges do not count), in
//! whole seconds, exact to the microsecond.

use automaintainer::store::clock::sqlite_text;

use super::*;

crate::store_tests!(
    the_last_score_is_among_the_latest_runs,
    the_median_time_to_merge_is_over_the_latest_merges,
);

async fn the_last_score_is_among_the_latest_runs(db: TestDb) {
    let store = db.store.as_ref();
    let repository = "github.com/acme/scores";
    register(store, "s-00", repository, at(0)).await;
    let mut scored = artifacts("s-00", repository, "am/scored", 42.5);
    scored.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&scored).await.unwrap();
    // 49 newer runs without an evaluation: the scored run is still the 50th latest.
    for i in 1..50 {
        register(store, &format!("s-{i:02}"), repository, at(i)).await;
    }
    let summary = store.repository_summary(repository).await.unwrap().unwrap();
    assert_eq!(summary.last_score, Some(42.5));
    assert_eq!(summary.last_run_at, Some(at(49)));
    // One more: it is the 51st, and no longer counts.
    register(store, "s-50", repository, at(50)).await;
    let summary = store.repository_summary(repository).await.unwrap().unwrap();
    assert_eq!(summary.last_score, None);
    assert_eq!(summary.last_run_at, Some(at(50)));
    // A newer evaluated run counts again.
    register(store, "s-51", repository, at(51)).await;
    let mut newer = artifacts("s-51", repository, "am/newer", 77.0);
    newer.evaluation.as_mut().unwrap().evolution_score = None;
    store.persist_artifacts(&newer).await.unwrap();
    let summary = store.repository_summary(repository).await.unwrap().unwrap();
    assert_eq!(summary.last_score, None, "evaluated without a score");
    register(store, "s-52", repository, at(52)).await;
    let mut latest = artifacts("s-52", repository, "am/latest", 61.25);
    latest.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&latest).await.unwrap();
    let summary = store.repository_summary(repository).await.unwrap().unwrap();
    assert_eq!(summary.last_score, Some(61.25));
}

async fn the_median_time_to_merge_is_over_the_latest_merges(db: TestDb) {
    let store = db.store.as_ref();
    let repository = "github.com/acme/merges";
    register(store, "m-run", repository, at(0)).await;
    // Merged in turn: first one that took 3 h less half a second, then 50 that took 1 h less
    // half a second (3,599 whole seconds) and 50 that took 3 h less half a second (10,799).
    // The latest 100 have a median of 7,199 s; with the oldest it would be 10,799 s.
    for i in 0..101i64 {
        let hours = if (1..=50).contains(&i) { 1 } else { 3 };
        let created = at(10 * i) + chrono::Duration::microseconds(750_001);
        let merged =
            created + chrono::Duration::hours(hours) - chrono::Duration::microseconds(500_000);
        db.execute(&format!(
            "INSERT INTO pull_requests (run_id, repository, forge, number, branch, title, state,
                 merged, created_at, updated_at, merged_at, closed_at)
             VALUES ('m-run', '{repository}', 'local', {n}, 'am/m-{i}', 'm', 'merged', TRUE,
                 '{created}', '{merged}', '{merged}', '{merged}')",
            n = i + 1,
            created = sqlite_text(created),
            merged = sqlite_text(merged),
        ))
        .await;
    }
    let summary = store.repository_summary(repository).await.unwrap().unwrap();
    assert_eq!(summary.prs_merged, 101);
    assert_eq!(summary.median_secs_to_merge, Some((3599 + 10799) / 2));
    // A later merge pushes out the oldest short one: 49 short, 51 long.
    db.execute(&format!(
        "INSERT INTO pull_requests (run_id, repository, forge, number, branch, title, state,
             merged, created_at, updated_at, merged_at, closed_at)
         VALUES ('m-run', '{repository}', 'local', 500, 'am/m-last', 'm', 'merged', TRUE,
             '{created}', '{merged}', '{merged}', '{merged}')",
        created = sqlite_text(at(5000) + chrono::Duration::microseconds(999_999)),
        merged = sqlite_text(at(5003) + chrono::Duration::microseconds(1)),
    ))
    .await;
    let summary = store.repository_summary(repository).await.unwrap().unwrap();
    assert_eq!(summary.median_secs_to_merge, Some(10799));
    let (page, _) = store
        .repository_summaries(&automaintainer::store::RepositoryQuery::default())
        .await
        .unwrap();
    assert_eq!(page[0], summary, "the list reads the same");
}
