//! Learnings: merging, re-weighting, relevance ranking, uses per run.

use super::*;

crate::store_tests!(
    learnings_merge_by_normalised_content_and_reweigh,
    relevant_learnings_rank_by_relevance_weight_and_recency,
    learning_uses_count_once_per_run,
);

async fn learnings_merge_by_normalised_content_and_reweigh(db: TestDb) {
    let store = db.store.as_ref();
    let id = store
        .add_learning(&learning(REPO, "Run `cargo fmt` before committing.", 1.0))
        .await
        .unwrap();
    let same = store
        .add_learning(&learning(REPO, "run cargo fmt before committing", 0.5))
        .await
        .unwrap();
    assert_eq!(same, id, "a near-identical wording merges");
    let elsewhere = store
        .add_learning(&learning("other", "run cargo fmt before committing", 1.0))
        .await
        .unwrap();
    assert_ne!(elsewhere, id, "learnings belong to one repository");
    let rows = store.learnings(REPO).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].weight, 1.5);
    assert_eq!(rows[0].content, "Run `cargo fmt` before committing.");

    store.adjust_learning_weight(id, 0.25).await.unwrap();
    assert_eq!(store.learnings(REPO).await.unwrap()[0].weight, 1.75);
    store.adjust_learning_weight(id, -5.0).await.unwrap();
    assert_eq!(store.learnings(REPO).await.unwrap()[0].weight, 0.0);
    assert!(matches!(
        store.adjust_learning_weight(987_654, 1.0).await,
        Err(StoreError::UnknownLearning(987_654))
    ));
    assert!(matches!(
        store.add_learning(&learning(REPO, " ... ", 1.0)).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.system_stats().await.unwrap().learnings, 2);
}

async fn relevant_learnings_rank_by_relevance_weight_and_recency(db: TestDb) {
    let store = db.store.as_ref();
    let clippy = store
        .add_learning(&learning(
            REPO,
            "clippy warnings about needless borrows fail the build",
            1.0,
        ))
        .await
        .unwrap();
    let tests = store
        .add_learning(&learning(
            REPO,
            "integration tests need the fixture database",
            1.0,
        ))
        .await
        .unwrap();
    let heavy = store
        .add_learning(&learning(REPO, "keep pull requests small", 3.0))
        .await
        .unwrap();
    store
        .add_learning(&learning(
            "other",
            "clippy warnings in another repository",
            9.0,
        ))
        .await
        .unwrap();

    let ids = |learnings: Vec<automaintainer::artifacts::Learning>| -> Vec<i64> {
        learnings.into_iter().map(|l| l.id).collect()
    };
    // Only the matching learnings, and only this repository's.
    let found = store
        .relevant_learnings(REPO, "fix the clippy warnings", 10)
        .await
        .unwrap();
    assert_eq!(ids(found.clone()), [clippy]);
    assert!(found[0].score > 0.0);
    // Both match one word each; weight decides.
    store.adjust_learning_weight(tests, 1.0).await.unwrap();
    let found = store
        .relevant_learnings(REPO, "clippy database", 10)
        .await
        .unwrap();
    assert_eq!(ids(found), [tests, clippy]);
    // Nothing matches: weight x recency over all of the repository's learnings.
    let found = store
        .relevant_learnings(REPO, "kubernetes helm chart", 2)
        .await
        .unwrap();
    assert_eq!(ids(found), [heavy, tests]);
    // Stop words alone match nothing on either backend.
    let found = store
        .relevant_learnings(REPO, "the and of", 1)
        .await
        .unwrap();
    assert_eq!(ids(found), [heavy]);
}

async fn learning_uses_count_once_per_run(db: TestDb) {
    let store = db.store.as_ref();
    let a = store
        .add_learning(&learning(REPO, "first", 1.0))
        .await
        .unwrap();
    let b = store
        .add_learning(&learning(REPO, "second", 1.0))
        .await
        .unwrap();
    register(store, "run-1", REPO, at(0)).await;
    store.record_learning_use("run-1", &[a, b]).await.unwrap();
    store.record_learning_use("run-1", &[a]).await.unwrap();
    register(store, "run-2", REPO, at(1)).await;
    let mut run2 = artifacts("run-2", REPO, "am/two", 50.0);
    if let Some(task) = run2.task.as_mut() {
        task.learnings_used = vec![a, a];
    }
    store.persist_artifacts(&run2).await.unwrap();
    store.persist_artifacts(&run2).await.unwrap();
    let uses: Vec<(i64, i64)> = store
        .learnings(REPO)
        .await
        .unwrap()
        .iter()
        .map(|l| (l.id, l.uses))
        .collect();
    assert_eq!(uses, [(a, 2), (b, 1)]);
    let used: Vec<i64> = store
        .learnings_used_by("run-1")
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(used, [a, b]);
    let detail = store.run_detail("run-2").await.unwrap().unwrap();
    assert_eq!(detail.learnings_used.len(), 1);
    // A learning that does not exist is refused (foreign keys are on in SQLite too), and the
    // uses recorded with it in the same call are not kept.
    assert!(store
        .record_learning_use("run-3", &[b, 987_654])
        .await
        .is_err());
    assert!(store.learnings_used_by("run-3").await.unwrap().is_empty());
}
