//! Runs: registration, artifacts, failures, phase timings, transactions, the overview and stats.

use super::*;

crate::store_tests!(
    registering_twice_changes_nothing,
    persisting_twice_gives_identical_rows,
    a_failure_marks_the_run_failed_with_its_phase_and_message,
    phases_are_timed_in_order_and_closed,
    a_failure_of_an_unregistered_run_is_not_lost,
    an_error_between_two_writes_leaves_nothing_of_the_run,
    an_error_in_a_registered_run_leaves_it_as_it_was,
    run_overview_filters_and_pages_newest_first,
    system_stats_sums_a_seeded_history,
);

async fn registering_twice_changes_nothing(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "run-1", REPO, at(0)).await;
    let before = snapshot(store, "run-1", REPO).await;
    // A retried setup with other values is still the same run.
    register(store, "run-1", "/elsewhere", at(5)).await;
    assert_eq!(snapshot(store, "run-1", REPO).await, before);
    let (rows, total) = store.run_overview(&RunQuery::default()).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].status, RunStatus::Running);
    assert_eq!(rows[0].repository, REPO);
    assert_eq!(rows[0].started_at, at(0));
    assert_eq!(rows[0].trigger, "schedule");

    store.set_phase("run-1", "context").await.unwrap();
    let detail = store.run_detail("run-1").await.unwrap().unwrap();
    assert_eq!(detail.overview.phase.as_deref(), Some("context"));
    assert!(matches!(
        store.set_phase("no-such-run", "context").await,
        Err(StoreError::UnknownRun(_))
    ));
    assert!(store.run_detail("no-such-run").await.unwrap().is_none());
}

async fn persisting_twice_gives_identical_rows(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "run-1", REPO, at(0)).await;
    let mut run = artifacts("run-1", REPO, "am/add-test", 72.5);
    run.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&run).await.unwrap();
    let first = snapshot(store, "run-1", REPO).await;
    store.persist_artifacts(&run).await.unwrap();
    // A second process, as a retried am-persist would be.
    db.reopen().await.persist_artifacts(&run).await.unwrap();
    assert_eq!(snapshot(store, "run-1", REPO).await, first);

    let detail = store.run_detail("run-1").await.unwrap().unwrap();
    let o = &detail.overview;
    assert_eq!(o.status, RunStatus::Succeeded);
    assert!(o.finished_at.is_some());
    assert_eq!(o.task_title.as_deref(), Some("Add a test for am/add-test"));
    assert_eq!(o.task_kind.as_deref(), Some("test"));
    assert_eq!(o.tokens, 100);
    assert!((o.cost_usd - 0.10).abs() < 1e-9);
    assert_eq!(
        o.pr_number,
        Some(1),
        "a local PR gets its repository's first number"
    );
    assert_eq!(o.pr_state.as_deref(), Some("open"));
    assert_eq!(o.pr_merged, Some(false));
    assert_eq!(o.evolution_score, Some(72.5));
    assert_eq!(o.review_findings, Some(1));
    let names: Vec<&str> = detail.artifacts.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "context",
            "evaluation",
            "implementation",
            "pr",
            "review",
            "task"
        ]
    );
    assert_eq!(
        detail.artifacts["evaluation"]["code_quality"]["method"],
        "measured"
    );
    assert!(detail.errors.is_empty());
    assert_eq!(store.pull_requests(REPO).await.unwrap().len(), 1);
}

async fn a_failure_marks_the_run_failed_with_its_phase_and_message(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "run-1", REPO, at(0)).await;
    store.set_phase("run-1", "implement").await.unwrap();
    let failure = RunFailure {
        run_id: "run-1".into(),
        phase: "implement".into(),
        message: "failed to run cargo test: exit 101".into(),
        at: at(1),
    };
    store.record_failure(&failure).await.unwrap();
    store.record_failure(&failure).await.unwrap();
    // Later phases neither revive the run nor move its phase on.
    store.set_phase("run-1", "cleanup").await.unwrap();
    store
        .close_run("run-1", RunStatus::Succeeded)
        .await
        .unwrap();
    let detail = store.run_detail("run-1").await.unwrap().unwrap();
    assert_eq!(detail.overview.status, RunStatus::Failed);
    assert_eq!(detail.overview.phase.as_deref(), Some("implement"));
    assert_eq!(
        detail.overview.error.as_deref(),
        Some("failed to run cargo test: exit 101")
    );
    assert_eq!(detail.overview.finished_at, Some(at(1)));
    assert_eq!(detail.overview.duration_secs, Some(3600.0));
    assert_eq!(
        detail.errors.len(),
        1,
        "the same failure twice is one entry"
    );
    assert_eq!(detail.errors[0].phase, "implement");
    let stats = store.system_stats().await.unwrap();
    assert_eq!((stats.failed_runs, stats.running_runs), (1, 0));
}

fn phase_names(detail: &automaintainer::store::RunDetail) -> Vec<&str> {
    detail.phases.iter().map(|p| p.phase.as_str()).collect()
}

async fn phases_are_timed_in_order_and_closed(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "run-1", REPO, at(0)).await;
    store.set_phase("run-1", "setup").await.unwrap();
    store.set_phase("run-1", "context").await.unwrap();
    let before = snapshot(store, "run-1", REPO).await;
    store.set_phase("run-1", "context").await.unwrap();
    assert_eq!(
        snapshot(store, "run-1", REPO).await,
        before,
        "the same phase twice changes nothing"
    );
    store.set_phase("run-1", "select").await.unwrap();

    let detail = store.run_detail("run-1").await.unwrap().unwrap();
    assert_eq!(phase_names(&detail), ["setup", "context", "select"]);
    let [setup, context, select] = &detail.phases[..] else {
        panic!("three phases: {:?}", detail.phases);
    };
    // Each phase ends when the next one starts.
    assert_eq!(setup.status, RunStatus::Succeeded);
    assert_eq!(setup.finished_at, Some(context.started_at));
    assert_eq!(context.status, RunStatus::Succeeded);
    assert_eq!(context.finished_at, Some(select.started_at));
    assert!(setup.duration_secs().unwrap() >= 0.0);
    assert_eq!(
        (select.status, select.finished_at),
        (RunStatus::Running, None)
    );

    store
        .close_run("run-1", RunStatus::Succeeded)
        .await
        .unwrap();
    let detail = store.run_detail("run-1").await.unwrap().unwrap();
    let last = &detail.phases[2];
    assert_eq!(last.status, RunStatus::Succeeded);
    assert_eq!(last.finished_at, detail.overview.finished_at);

    // A failure closes its phase as failed, and later phases are not recorded.
    register(store, "run-2", REPO, at(0)).await;
    store.set_phase("run-2", "setup").await.unwrap();
    store.set_phase("run-2", "implement").await.unwrap();
    store
        .record_failure(&RunFailure {
            run_id: "run-2".into(),
            phase: "implement".into(),
            message: "failed to run cargo test".into(),
            at: at(1),
        })
        .await
        .unwrap();
    store.set_phase("run-2", "cleanup").await.unwrap();
    store.close_run("run-2", RunStatus::Failed).await.unwrap();
    let detail = store.run_detail("run-2").await.unwrap().unwrap();
    assert_eq!(phase_names(&detail), ["setup", "implement"]);
    let implement = &detail.phases[1];
    assert_eq!(implement.status, RunStatus::Failed);
    // Never closed before it began, whatever time the failure carries.
    assert!(implement.finished_at.unwrap() >= implement.started_at);
    assert_eq!(detail.phases[0].status, RunStatus::Succeeded);
}

async fn a_failure_of_an_unregistered_run_is_not_lost(db: TestDb) {
    let store = db.store.as_ref();
    store
        .record_failure(&RunFailure {
            run_id: "early".into(),
            phase: "setup".into(),
            message: "failed to clone".into(),
            at: at(2),
        })
        .await
        .unwrap();
    let (rows, total) = store.run_overview(&RunQuery::default()).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].run_id, "early");
    assert_eq!(rows[0].status, RunStatus::Failed);
    assert_eq!(rows[0].phase.as_deref(), Some("setup"));
    // Registering it afterwards fills in what only setup knew; the failure stays.
    register(store, "early", REPO, at(1)).await;
    let detail = store.run_detail("early").await.unwrap().unwrap();
    assert_eq!(detail.overview.repository, REPO);
    assert_eq!(detail.overview.status, RunStatus::Failed);
    assert_eq!(detail.overview.duration_secs, Some(3600.0));
}

/// An evaluation scored 150 breaks a CHECK constraint: the evaluation is the fifth write of the
/// run (after the run row, its artifacts, the PR and the review), so the transaction must undo
/// four writes.
fn artifacts_failing_at_the_evaluation(run_id: &str) -> automaintainer::store::RunArtifacts {
    let mut run = artifacts(run_id, REPO, "am/broken", 50.0);
    if let Some(evaluation) = run.evaluation.as_mut() {
        evaluation.evolution_score = Some(150.0);
    }
    run
}

async fn an_error_between_two_writes_leaves_nothing_of_the_run(db: TestDb) {
    let store = db.store.as_ref();
    let error = store
        .persist_artifacts(&artifacts_failing_at_the_evaluation("run-x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::Query { action, .. } if action.contains("evaluation")),
        "{error:?}"
    );
    assert!(store.run_detail("run-x").await.unwrap().is_none());
    assert!(store
        .pull_request_for_branch(REPO, "am/broken")
        .await
        .unwrap()
        .is_none());
    assert_eq!(store.run_overview(&RunQuery::default()).await.unwrap().1, 0);
    let stats = store.system_stats().await.unwrap();
    assert_eq!((stats.total_runs, stats.prs_opened), (0, 0));
}

async fn an_error_in_a_registered_run_leaves_it_as_it_was(db: TestDb) {
    let store = db.store.as_ref();
    register(store, "run-x", REPO, at(0)).await;
    let before = snapshot(store, "run-x", REPO).await;
    assert!(store
        .persist_artifacts(&artifacts_failing_at_the_evaluation("run-x"))
        .await
        .is_err());
    assert_eq!(snapshot(store, "run-x", REPO).await, before);
}

/// Seven runs, one an hour: even hours in `REPO`, odd ones in `other`; every third failed.
async fn seed_seven_runs(store: &dyn Store) {
    for i in 0..7 {
        let repository = if i % 2 == 0 { REPO } else { "other" };
        let run_id = format!("run-{i}");
        register(store, &run_id, repository, at(i)).await;
        if i % 3 == 0 {
            store
                .record_failure(&RunFailure {
                    run_id: run_id.clone(),
                    phase: "select".into(),
                    message: "no model".into(),
                    at: at(i),
                })
                .await
                .unwrap();
        } else {
            store.close_run(&run_id, RunStatus::Nothing).await.unwrap();
        }
    }
}

async fn run_overview_filters_and_pages_newest_first(db: TestDb) {
    let store = db.store.as_ref();
    seed_seven_runs(store).await;
    let ids = |rows: &[automaintainer::store::RunOverviewRow]| -> Vec<String> {
        rows.iter().map(|r| r.run_id.clone()).collect()
    };
    let page = |page, per_page| RunQuery {
        page,
        per_page,
        ..RunQuery::default()
    };
    let (rows, total) = store.run_overview(&page(1, 3)).await.unwrap();
    assert_eq!(total, 7);
    assert_eq!(ids(&rows), ["run-6", "run-5", "run-4"]);
    let (rows, _) = store.run_overview(&page(3, 3)).await.unwrap();
    assert_eq!(ids(&rows), ["run-0"]);
    let (rows, total) = store.run_overview(&page(4, 3)).await.unwrap();
    assert_eq!((rows.len(), total), (0, 7));

    let in_repo = RunQuery {
        repository: Some(REPO.into()),
        ..RunQuery::default()
    };
    let (rows, total) = store.run_overview(&in_repo).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(ids(&rows), ["run-6", "run-4", "run-2", "run-0"]);

    let failed = RunQuery {
        status: Some(RunStatus::Failed),
        ..RunQuery::default()
    };
    let (rows, total) = store.run_overview(&failed).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(ids(&rows), ["run-6", "run-3", "run-0"]);
    assert!(rows.iter().all(|r| r.error.as_deref() == Some("no model")));

    let failed_elsewhere = RunQuery {
        repository: Some("other".into()),
        status: Some(RunStatus::Failed),
        page: 1,
        per_page: 10,
        cursor: None,
    };
    let (rows, total) = store.run_overview(&failed_elsewhere).await.unwrap();
    assert_eq!((ids(&rows), total), (vec!["run-3".to_owned()], 1));
}

async fn system_stats_sums_a_seeded_history(db: TestDb) {
    let store = db.store.as_ref();
    assert_eq!(
        store.system_stats().await.unwrap(),
        automaintainer::store::SystemStats::default()
    );
    // run-1: succeeded, PR merged, score 80.  run-2: succeeded, PR open, score 60.
    // run-3: failed after its task (no PR).    run-4: nothing to do.
    // run-5: still running.                    run-6: succeeded, a dry-run PR, score 70.
    // Every run with artifacts costs 100 tokens and $0.10 (task 60/$0.04, implementation 40/$0.06).
    for (i, repository) in [
        (1, REPO),
        (2, REPO),
        (3, REPO),
        (4, REPO),
        (5, "b"),
        (6, "b"),
    ] {
        register(store, &format!("run-{i}"), repository, at(i)).await;
    }
    let mut run1 = artifacts("run-1", REPO, "am/one", 80.0);
    run1.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&run1).await.unwrap();
    assert!(store
        .set_pull_request_state(REPO, "am/one", "merged", true)
        .await
        .unwrap());
    let mut run2 = artifacts("run-2", REPO, "am/two", 60.0);
    run2.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&run2).await.unwrap();
    let full = artifacts("run-3", REPO, "am/three", 0.0);
    let run3 = automaintainer::store::RunArtifacts {
        run_id: "run-3".into(),
        task: full.task,
        failure: Some(RunFailure {
            run_id: "run-3".into(),
            phase: "implement".into(),
            message: "checks failed".into(),
            at: at(3),
        }),
        // Only the task's usage (60 tokens, $0.04) is known.
        ..Default::default()
    };
    store.persist_artifacts(&run3).await.unwrap();
    store.close_run("run-4", RunStatus::Nothing).await.unwrap();
    let mut run6 = artifacts("run-6", "b", "am/six", 70.0);
    if let Some(pr) = run6.pull_request.as_mut() {
        pr.action = automaintainer::artifacts::PrAction::DryRun;
    }
    run6.status = Some(RunStatus::Succeeded);
    store.persist_artifacts(&run6).await.unwrap();
    for content in ["keep functions short", "run cargo fmt"] {
        store
            .add_learning(&learning(REPO, content, 1.0))
            .await
            .unwrap();
    }

    let stats = store.system_stats().await.unwrap();
    assert_eq!(stats.total_runs, 6);
    assert_eq!(stats.succeeded_runs, 3);
    assert_eq!(stats.failed_runs, 1);
    assert_eq!(stats.nothing_runs, 1);
    assert_eq!(stats.running_runs, 1);
    assert_eq!(stats.success_rate, Some(0.6), "3 of 5 finished runs");
    assert_eq!(stats.prs_opened, 2, "the dry run opened nothing");
    assert_eq!(stats.prs_merged, 1);
    assert_eq!(stats.average_score, Some(70.0), "(80 + 60 + 70) / 3");
    assert_eq!(stats.total_tokens, 360, "3 x 100 + 60");
    assert!(
        (stats.total_cost_usd - 0.34).abs() < 1e-9,
        "{}",
        stats.total_cost_usd
    );
    assert_eq!(stats.learnings, 2);
    assert_eq!(stats.last_run_at, Some(at(6)));

    let (rows, _) = store.run_overview(&RunQuery::default()).await.unwrap();
    let run1 = rows.iter().find(|r| r.run_id == "run-1").unwrap();
    assert_eq!(
        (run1.pr_state.as_deref(), run1.pr_merged),
        (Some("merged"), Some(true))
    );
    let run6 = rows.iter().find(|r| r.run_id == "run-6").unwrap();
    // A dry run leaves no pull request row: nothing in the store but the run.
    assert_eq!((run6.pr_state.as_deref(), run6.pr_number), (None, None));
}
