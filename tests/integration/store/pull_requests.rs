//! Pull requests: upserts by branch, local numbering, replays.

use super::*;

crate::store_tests!(
    pull_requests_upsert_by_branch_with_local_numbers,
    concurrent_local_prs_never_share_a_number,
    replaying_pr_json_never_reopens_a_merged_pr,
);

fn local_pr(run_id: &str, repository: &str, branch: &str) -> PullRequestRow {
    PullRequestRow {
        run_id: run_id.to_owned(),
        repository: repository.to_owned(),
        forge: "local".to_owned(),
        number: None,
        url: None,
        branch: branch.to_owned(),
        title: format!("PR for {branch}"),
        state: "open".to_owned(),
        merged: false,
        head_commit: Some("abc".to_owned()),
        created_at: at(0),
        updated_at: at(0),
    }
}

async fn pull_requests_upsert_by_branch_with_local_numbers(db: TestDb) {
    let store = db.store.as_ref();
    let first = store
        .upsert_pull_request(&local_pr("run-1", REPO, "am/a"))
        .await
        .unwrap();
    assert_eq!(first.number, Some(1));
    assert_eq!(first.created_at, at(0));
    let second = store
        .upsert_pull_request(&local_pr("run-2", REPO, "am/b"))
        .await
        .unwrap();
    assert_eq!(second.number, Some(2));
    let other = store
        .upsert_pull_request(&local_pr("run-3", "other", "am/a"))
        .await
        .unwrap();
    assert_eq!(other.number, Some(1), "numbers count per repository");
    let dry = PullRequestRow {
        state: "dry_run".into(),
        ..local_pr("run-4", REPO, "am/dry")
    };
    assert_eq!(store.upsert_pull_request(&dry).await.unwrap().number, None);

    // The same branch again: updated in place, number kept, never duplicated.
    let again = PullRequestRow {
        head_commit: Some("def".into()),
        ..local_pr("run-5", REPO, "am/a")
    };
    let updated = store.upsert_pull_request(&again).await.unwrap();
    assert_eq!(updated.number, Some(1));
    assert_eq!(updated.head_commit.as_deref(), Some("def"));
    assert_eq!(updated.run_id, "run-5");
    assert_eq!(updated.created_at, at(0));
    assert_eq!(store.upsert_pull_request(&again).await.unwrap(), updated);
    assert_eq!(store.pull_requests(REPO).await.unwrap().len(), 3);
    assert_eq!(
        store.pull_request_for_branch(REPO, "am/a").await.unwrap(),
        Some(updated)
    );

    assert!(store
        .set_pull_request_state(REPO, "am/a", "merged", true)
        .await
        .unwrap());
    assert!(
        !store
            .set_pull_request_state(REPO, "am/a", "merged", true)
            .await
            .unwrap(),
        "the same state twice is no change"
    );
    assert!(!store
        .set_pull_request_state(REPO, "am/none", "closed", false)
        .await
        .unwrap());
    let merged = store
        .pull_request_for_branch(REPO, "am/a")
        .await
        .unwrap()
        .unwrap();
    assert!(merged.merged);
}

async fn concurrent_local_prs_never_share_a_number(db: TestDb) {
    let writers = (0..12).map(|i| {
        let store = db.store.clone();
        tokio::spawn(async move {
            store
                .upsert_pull_request(&local_pr(&format!("run-{i}"), REPO, &format!("am/{i}")))
                .await
                .unwrap()
                .number
                .unwrap()
        })
    });
    let mut numbers = Vec::new();
    for writer in writers {
        numbers.push(writer.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=12).collect::<Vec<i64>>());
}

async fn replaying_pr_json_never_reopens_a_merged_pr(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "run-1", REPO, at(0)).await;
    let run = artifacts("run-1", REPO, "am/a", 60.0);
    store.persist_artifacts(&run).await.unwrap();
    store
        .set_pull_request_state(REPO, "am/a", "merged", true)
        .await
        .unwrap();
    let merged = store.pull_request_for_branch(REPO, "am/a").await.unwrap();
    store.persist_artifacts(&run).await.unwrap();
    assert_eq!(
        store.pull_request_for_branch(REPO, "am/a").await.unwrap(),
        merged
    );
}
