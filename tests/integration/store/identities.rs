//! Rows written under a repository's older spellings move to its identity when the store opens:
//! runs, pull requests (with their reviews), learnings and failed tasks; where the identity
//! already has a row on the same key the two become one; a second open moves nothing; a name
//! that cannot be known from its text (a relative path) stays.

use automaintainer::store::{TaskFailure, TaskFailureRow};
use chrono::{DateTime, Utc};

use super::*;

crate::store_tests!(rows_under_old_spellings_move_to_the_identity);

const GITHUB: &str = "github.com/octo/hello";
const LOCAL: &str = "/srv/git/x.git";

fn pr(run_id: &str, repository: &str, forge: &str, branch: &str, number: i64) -> PullRequestRow {
    PullRequestRow {
        run_id: run_id.to_owned(),
        repository: repository.to_owned(),
        forge: forge.to_owned(),
        number: Some(number),
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

fn failure(repository: &str, fingerprint: &str, hours: i64) -> TaskFailure {
    TaskFailure {
        repository: repository.to_owned(),
        fingerprint: fingerprint.to_owned(),
        title: format!("task {fingerprint} under {repository}"),
        reason: "the checks failed".to_owned(),
        run_id: "r".to_owned(),
        failed_at: at(hours),
    }
}

async fn rows_under_old_spellings_move_to_the_identity(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "r1", "https://github.com/Octo/Hello.git", at(0)).await;
    register(store, "r2", GITHUB, at(1)).await;
    register(store, "r3", "file:///srv/git/x.git/", at(2)).await;
    register(store, "r4", "../relative", at(3)).await;
    // GitHub PRs keyed `owner/name` by an older release: one on a branch the identity has too.
    store
        .upsert_pull_request(&pr("r1", "Octo/Hello", "github", "am/a", 7))
        .await
        .unwrap();
    store
        .upsert_pull_request(&pr("r2", GITHUB, "github", "am/a", 7))
        .await
        .unwrap();
    store
        .upsert_pull_request(&pr("r1", "Octo/Hello", "github", "am/b", 8))
        .await
        .unwrap();
    db.execute(
        "INSERT INTO pull_request_reviews (repository, branch, review_id, reviewer, applied_at)
         VALUES ('Octo/Hello', 'am/b', 5, 'alice', '2026-12-01T00:00:00.000000Z')",
    )
    .await;
    // Local PRs numbered per spelling: both are #1.
    store
        .upsert_pull_request(&pr("r3", "file:///srv/git/x.git/", "local", "am/x", 1))
        .await
        .unwrap();
    store
        .upsert_pull_request(&pr("r3", LOCAL, "local", "am/y", 1))
        .await
        .unwrap();
    let old = "https://github.com/Octo/Hello.git";
    store
        .add_learning(&learning(old, "Keep the imports sorted", 1.0))
        .await
        .unwrap();
    store
        .add_learning(&learning(GITHUB, "Keep the imports sorted", 2.0))
        .await
        .unwrap();
    store
        .add_learning(&learning(old, "Never touch the vendored code", 1.0))
        .await
        .unwrap();
    store
        .record_task_failure(&failure(old, "f1", 5))
        .await
        .unwrap();
    store
        .record_task_failure(&failure(GITHUB, "f1", 1))
        .await
        .unwrap();
    store
        .record_task_failure(&failure(old, "f2", 2))
        .await
        .unwrap();

    // The next open moves them.
    db.store.migrate().await.unwrap();
    let check = || async {
        let prs = store.pull_requests(GITHUB).await.unwrap();
        let mut numbers: Vec<(String, Option<i64>)> =
            prs.iter().map(|p| (p.branch.clone(), p.number)).collect();
        numbers.sort();
        assert_eq!(
            numbers,
            [("am/a".to_owned(), Some(7)), ("am/b".to_owned(), Some(8))]
        );
        assert!(store.pull_requests("Octo/Hello").await.unwrap().is_empty());
        let mut local: Vec<(String, Option<i64>)> = store
            .pull_requests(LOCAL)
            .await
            .unwrap()
            .iter()
            .map(|p| (p.branch.clone(), p.number))
            .collect();
        local.sort();
        assert_eq!(
            local,
            [("am/x".to_owned(), Some(2)), ("am/y".to_owned(), Some(1))],
            "the moved PR takes the next free number"
        );
        assert_eq!(
            db.count(&format!(
                "SELECT count(*) FROM pull_request_reviews WHERE repository = '{GITHUB}' AND branch = 'am/b'"
            ))
            .await,
            1,
            "the review moved with its pull request"
        );
        let runs = |repository: &str| {
            let query = RunQuery {
                repository: Some(repository.to_owned()),
                ..RunQuery::default()
            };
            async move { store.run_overview(&query).await.unwrap().1 }
        };
        assert_eq!(runs(GITHUB).await, 2);
        assert_eq!(runs(LOCAL).await, 1);
        assert_eq!(runs("../relative").await, 1, "a relative path stays");
        let learnings = store.learnings(GITHUB).await.unwrap();
        assert_eq!(learnings.len(), 2, "{learnings:?}");
        let merged = learnings
            .iter()
            .find(|l| l.content == "Keep the imports sorted")
            .unwrap();
        assert_eq!(merged.weight, 3.0);
        assert!(store.learnings(old).await.unwrap().is_empty());
        let failures: Vec<TaskFailureRow> = store.task_failures(GITHUB).await.unwrap();
        let mut kept: Vec<(String, DateTime<Utc>)> = failures
            .iter()
            .map(|f| (f.fingerprint.clone(), f.failed_at))
            .collect();
        kept.sort();
        assert_eq!(
            kept,
            [("f1".to_owned(), at(5)), ("f2".to_owned(), at(2))],
            "the later failure of a task stays"
        );
        let stats = store.system_stats().await.unwrap();
        assert_eq!(
            (stats.total_runs, stats.prs_opened, stats.learnings),
            (4, 4, 2)
        );
    };
    check().await;
    // A second open moves nothing and changes nothing.
    db.reopen().await;
    check().await;
}
