//! The counters behind the dashboard's totals (`run_counts`, `pull_request_counts`): equal to
//! counting the rows after a mixed sequence of writes (registrations, persists, failures,
//! closes, abandoned leases, PR state changes, a repository moved to its identity, deletions)
//! and after concurrent registrations; backfilled from the rows an older release left; and the
//! per-repository numbers and keyset pages the dashboard reads from them.

use std::sync::Arc;

use automaintainer::store::{RepositoryQuery, RunCursor};

use super::*;

crate::store_tests!(
    counters_equal_the_counted_rows_after_mixed_and_concurrent_writes,
    repository_summaries_read_the_counters_and_the_latest_rows,
    keyset_pages_match_offset_pages,
);

/// Rows of the counters that disagree with the tables they count (both ways), and the number
/// of runs; every mismatch is a bug.
async fn mismatches(db: &TestDb) -> i64 {
    let runs = "SELECT repository, status, runs, tokens FROM run_counts WHERE runs <> 0";
    let counted = "SELECT repository, status, count(*), CAST(sum(tokens) AS BIGINT)
                   FROM agent_runs GROUP BY repository, status";
    let prs = "SELECT repository, state, merged, prs FROM pull_request_counts WHERE prs <> 0";
    let counted_prs = "SELECT repository, state, merged, count(*)
                       FROM pull_requests GROUP BY repository, state, merged";
    let mut total = 0;
    for (a, b) in [
        (runs, counted),
        (counted, runs),
        (prs, counted_prs),
        (counted_prs, prs),
    ] {
        total += db
            .count(&format!(
                "SELECT count(*) FROM ({a} EXCEPT {b}) AS differing"
            ))
            .await;
    }
    total
}

async fn assert_exact(db: &TestDb, when: &str) {
    assert_eq!(mismatches(db).await, 0, "counters disagree {when}");
    let store = db.store.as_ref();
    let runs = db.count("SELECT count(*) FROM agent_runs").await;
    let stats = store.system_stats().await.unwrap();
    assert_eq!(stats.total_runs, runs, "{when}");
    let (_, total) = store.run_overview(&RunQuery::default()).await.unwrap();
    assert_eq!(total, runs as u64, "{when}");
    let failed = RunQuery {
        status: Some(RunStatus::Failed),
        repository: Some(REPO.to_owned()),
        ..RunQuery::default()
    };
    let counted = db
        .count(&format!(
            "SELECT count(*) FROM agent_runs WHERE status = 'failed' AND repository = '{REPO}'"
        ))
        .await;
    assert_eq!(store.run_overview(&failed).await.unwrap().1, counted as u64);
}

async fn counters_equal_the_counted_rows_after_mixed_and_concurrent_writes(db: TestDb) {
    let store = db.store.as_ref();
    assert_exact(&db, "on an empty store").await;
    for (i, repository) in [
        (1, REPO),
        (2, REPO),
        (3, REPO),
        (4, "b"),
        (5, "b"),
        (6, "c"),
    ] {
        register(store, &format!("run-{i}"), repository, at(i)).await;
    }
    // Registering again changes nothing.
    register(store, "run-1", REPO, at(1)).await;
    let mut one = artifacts("run-1", REPO, "am/one", 80.0);
    one.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&one).await.unwrap();
    store.persist_artifacts(&one).await.unwrap();
    assert!(store
        .set_pull_request_state(REPO, "am/one", "merged", true)
        .await
        .unwrap());
    store
        .record_failure(&RunFailure {
            run_id: "run-2".into(),
            phase: "implement".into(),
            message: "checks failed".into(),
            at: at(2),
        })
        .await
        .unwrap();
    // A failed run stays failed when it is closed.
    store
        .close_run("run-2", RunStatus::Succeeded)
        .await
        .unwrap();
    store.close_run("run-3", RunStatus::Nothing).await.unwrap();
    let mut five = artifacts("run-5", "b", "am/five", 60.0);
    five.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&five).await.unwrap();
    assert_exact(&db, "after registering, persisting, failing and closing").await;

    // run-4's lease ran out: the next read marks it abandoned.
    db.execute(
        "UPDATE agent_runs SET heartbeat_at = '2000-01-01T00:00:00.000000Z' WHERE run_id = 'run-4'",
    )
    .await;
    assert_eq!(store.abandon_expired(None).await.unwrap(), vec!["run-4"]);
    // Rows changed behind the store's back count too: a status rewritten by a migration, a
    // repository renamed, a run and a PR deleted.
    db.execute("UPDATE agent_runs SET status = 'failed' WHERE run_id = 'run-3'")
        .await;
    db.execute("UPDATE agent_runs SET repository = 'd' WHERE run_id = 'run-6'")
        .await;
    db.execute("DELETE FROM pull_requests WHERE branch = 'am/five'")
        .await;
    db.execute("DELETE FROM agent_runs WHERE run_id = 'run-5'")
        .await;
    assert_exact(&db, "after abandoning, rewriting and deleting").await;

    // Concurrent registrations, from separate pools as separate processes would.
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let other: Arc<dyn Store> = db.reopen().await;
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                let repository = ["b", "c", REPO][i % 3];
                register(
                    other.as_ref(),
                    &format!("w{worker}-{i}"),
                    repository,
                    at(100 + i as i64),
                )
                .await;
                if i % 2 == 0 {
                    other
                        .close_run(&format!("w{worker}-{i}"), RunStatus::Nothing)
                        .await
                        .unwrap();
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_exact(&db, "after concurrent registrations").await;
    let stats = store.system_stats().await.unwrap();
    assert_eq!(stats.total_runs, 5 + 40);
    assert_eq!(stats.nothing_runs, 20);
    assert_eq!(stats.abandoned_runs, 1);
    assert_eq!((stats.prs_opened, stats.prs_merged), (1, 1));
}

async fn repository_summaries_read_the_counters_and_the_latest_rows(db: TestDb) {
    let store = db.store.as_ref();
    let hosted = "github.com/acme/app";
    // Two merged PRs (opened and merged 1 h and 3 h apart), one open, one failed run.
    for (i, branch) in [(1, "am/one"), (2, "am/two"), (3, "am/three")] {
        let run_id = format!("run-{i}");
        register(store, &run_id, hosted, at(i)).await;
        let mut run = artifacts(&run_id, hosted, branch, 50.0 + f64::from(i as i32));
        run.status = Some(RunStatus::Succeeded);
        store.persist_artifacts(&run).await.unwrap();
    }
    register(store, "run-4", hosted, at(4)).await;
    store
        .record_failure(&RunFailure {
            run_id: "run-4".into(),
            phase: "implement".into(),
            message: "checks failed".into(),
            at: at(4),
        })
        .await
        .unwrap();
    for (branch, hours) in [("am/one", 1), ("am/two", 3)] {
        let created: chrono::DateTime<chrono::Utc> = store
            .pull_request_for_branch(hosted, branch)
            .await
            .unwrap()
            .unwrap()
            .created_at;
        let merged_at =
            automaintainer::store::clock::sqlite_text(created + chrono::Duration::hours(hours));
        db.execute(&format!(
            "UPDATE pull_requests SET state = 'merged', merged = TRUE, merged_at = '{merged_at}'
             WHERE repository = '{hosted}' AND branch = '{branch}'"
        ))
        .await;
    }
    register(store, "run-9", REPO, at(9)).await;

    let (page, total) = store
        .repository_summaries(&RepositoryQuery::default())
        .await
        .unwrap();
    assert_eq!(total, 2);
    let names: Vec<&str> = page.iter().map(|s| s.repository.as_str()).collect();
    assert_eq!(names, [REPO, hosted], "alphabetically");
    let app = &page[1];
    assert_eq!(app.runs, 4);
    assert_eq!(app.runs_by_status.get("succeeded"), Some(&3));
    assert_eq!(app.runs_by_status.get("failed"), Some(&1));
    assert_eq!(app.success_rate, Some(0.75));
    assert_eq!((app.prs_opened, app.prs_merged, app.prs_open), (3, 2, 1));
    assert_eq!(app.merge_rate, Some(2.0 / 3.0));
    assert_eq!(
        app.median_secs_to_merge,
        Some(2 * 3600),
        "between 1 h and 3 h"
    );
    assert_eq!(app.last_score, Some(53.0), "the latest evaluated run's");
    assert_eq!(app.last_run_at, Some(at(4)));
    assert_eq!(app.tokens, 300);
    assert!((app.cost_usd - 0.30).abs() < 1e-9);
    let other = &page[0];
    assert_eq!(
        (other.runs, other.success_rate, other.prs_opened),
        (1, None, 0)
    );
    assert_eq!((other.median_secs_to_merge, other.last_score), (None, None));

    let second = RepositoryQuery {
        page: 2,
        per_page: 1,
    };
    let (page, total) = store.repository_summaries(&second).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(page.len(), 1);
    assert_eq!(page[0], *app, "one repository alone reads the same");
    assert_eq!(
        store.repository_summary(hosted).await.unwrap().as_ref(),
        Some(app)
    );
    assert_eq!(
        store
            .repository_summary("github.com/acme/none")
            .await
            .unwrap(),
        None
    );
    let latest = store.latest_pull_requests(hosted, 2).await.unwrap();
    let branches: Vec<&str> = latest.iter().map(|p| p.branch.as_str()).collect();
    assert_eq!(branches, ["am/three", "am/two"]);
    assert_eq!(store.repositories().await.unwrap(), [REPO, hosted]);
}

async fn keyset_pages_match_offset_pages(db: TestDb) {
    let store = db.store.as_ref();
    // Two runs share a start, so the run id breaks the tie.
    for i in 0..7 {
        let repository = if i % 2 == 0 { REPO } else { "b" };
        register(store, &format!("run-{i}"), repository, at(i.min(5))).await;
    }
    let ids = |rows: &[automaintainer::store::RunOverviewRow]| {
        rows.iter().map(|r| r.run_id.clone()).collect::<Vec<_>>()
    };
    for repository in [None, Some(REPO.to_owned())] {
        let page = |page| RunQuery {
            repository: repository.clone(),
            page,
            per_page: 2,
            ..RunQuery::default()
        };
        let mut offset_pages = Vec::new();
        for n in 1..=4 {
            offset_pages.push(ids(&store.run_overview(&page(n)).await.unwrap().0));
        }
        // Older pages from the last row shown.
        let mut rows = store.run_overview(&page(1)).await.unwrap().0;
        let mut keyset_pages = vec![ids(&rows)];
        for n in 2..=4 {
            let Some(last) = rows.last() else {
                keyset_pages.push(Vec::new());
                continue;
            };
            let query = RunQuery {
                cursor: Some(RunCursor {
                    started_at: last.started_at,
                    run_id: last.run_id.clone(),
                    newer: false,
                }),
                ..page(n)
            };
            let (next, total) = store.run_overview(&query).await.unwrap();
            assert_eq!(total, store.run_overview(&page(1)).await.unwrap().1);
            rows = next;
            keyset_pages.push(ids(&rows));
        }
        assert_eq!(keyset_pages, offset_pages, "older pages of {repository:?}");
        // Newer pages from the first row shown, newest first like every page.
        let second = store.run_overview(&page(2)).await.unwrap().0;
        let newer = RunQuery {
            cursor: Some(RunCursor {
                started_at: second[0].started_at,
                run_id: second[0].run_id.clone(),
                newer: true,
            }),
            ..page(1)
        };
        assert_eq!(
            ids(&store.run_overview(&newer).await.unwrap().0),
            offset_pages[0],
            "the newer page of {repository:?}"
        );
    }
}
