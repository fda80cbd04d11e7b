//! The store through the binaries: am-persist, `automaintainer migrate`, the embedded default.

use super::*;

crate::store_tests!(
    am_persist_twice_records_identical_rows,
    am_persist_with_a_failure_flag_records_the_failed_run,
    automaintainer_migrate_is_repeatable,
);

async fn am_persist_twice_records_identical_rows(db: TestDb) {
    let store = db.store.as_ref();
    let run_dir = db.dir().join("run");
    write_artifacts(&run_dir, &artifacts("run-b", REPO, "am/bin", 64.0));
    register(store, "run-b", REPO, at(0)).await;
    let input = json!({"run_id": "run-b", "run_dir": run_dir, "status": "succeeded"});
    let persist = || {
        Runner::new("am-persist")
            .env("DATABASE_URL", db.url())
            .input_json(&input)
            .run()
    };
    let ran = persist();
    ran.assert_ok();
    let outputs = ran.outputs();
    assert_eq!(
        outputs["recorded"],
        json!([
            "context",
            "task",
            "implementation",
            "pr",
            "review",
            "evaluation"
        ])
    );
    assert_eq!(outputs["backend"], json!(store.backend()));
    assert_eq!(outputs["run_status"], "succeeded");
    assert_eq!(outputs["pr_number"], 1);
    assert_eq!(outputs["evolution_score"], 64.0);
    assert_eq!(outputs["failure_recorded"], false);
    let first = snapshot(store, "run-b", REPO).await;
    persist().assert_ok();
    assert_eq!(snapshot(store, "run-b", REPO).await, first);
    let detail = store.run_detail("run-b").await.unwrap().unwrap();
    assert_eq!(detail.artifacts.len(), 6);
    assert_eq!(detail.overview.status, RunStatus::Succeeded);
}

async fn am_persist_with_a_failure_flag_records_the_failed_run(db: TestDb) {
    let store = db.store.as_ref();
    let run_dir = db.dir().join("run");
    let token = format!("ghp_{}", "x".repeat(36));
    let mut full = artifacts("run-f", REPO, "am/fail", 0.0);
    if let Some(automaintainer::artifacts::Selection::Selected { task }) =
        full.task.as_mut().map(|t| &mut t.selection)
    {
        task.rationale = format!("the log showed {token}");
    }
    let partial = automaintainer::store::RunArtifacts {
        run_id: "run-f".into(),
        context: full.context,
        task: full.task,
        ..Default::default()
    };
    write_artifacts(&run_dir, &partial);
    // The failing phase left half a file behind: skipped, the failure still recorded.
    std::fs::write(run_dir.join("implementation.json"), "{\"status\": \"comm").unwrap();
    let input = json!({
        "run_id": "run-f",
        "run_dir": run_dir,
        "failed_phase": "implement",
        "error": format!("failed to push with {token}: rejected"),
    });
    let persist = || {
        Runner::new("am-persist")
            .env("DATABASE_URL", db.url())
            .input_json(&input)
            .run()
    };
    let ran = persist();
    ran.assert_ok();
    let outputs = ran.outputs();
    assert_eq!(outputs["recorded"], json!(["context", "task"]));
    assert_eq!(outputs["failure_recorded"], true);
    assert_eq!(outputs["run_status"], "failed");
    assert_eq!(outputs["phase"], "implement");
    let first = snapshot(store, "run-f", REPO).await;
    persist().assert_ok();
    assert_eq!(snapshot(store, "run-f", REPO).await, first);

    let detail = store.run_detail("run-f").await.unwrap().unwrap();
    assert_eq!(detail.overview.status, RunStatus::Failed);
    assert_eq!(detail.overview.phase.as_deref(), Some("implement"));
    assert_eq!(detail.overview.repository, REPO, "taken from context.json");
    assert_eq!(
        detail.overview.error.as_deref(),
        Some("failed to push with [redacted]: rejected")
    );
    assert_eq!(detail.errors.len(), 1);
    assert_eq!(
        detail.overview.task_title.as_deref(),
        Some("Add a test for am/fail")
    );
    assert!(!detail.artifacts.contains_key("implementation"));
    let stored = serde_json::to_string(&detail.artifacts).unwrap();
    assert!(stored.contains("the log showed [redacted]"), "{stored}");
    assert!(!stored.contains(&token));
}

async fn automaintainer_migrate_is_repeatable(db: TestDb) {
    for _ in 0..2 {
        let ran = Runner::new("automaintainer")
            .arg("migrate")
            .env("DATABASE_URL", db.url())
            .run();
        ran.assert_ok();
        assert!(
            ran.stderr
                .contains(&format!("the {} store is migrated", db.store.backend())),
            "{}",
            ran.stderr
        );
    }
    // The store opened before the migrations ran again still works.
    register(db.store.as_ref(), "after", REPO, at(0)).await;
}

#[test]
fn the_embedded_default_is_created_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ran = Runner::new("automaintainer")
        .arg("migrate")
        .env("AM_DATA_DIR", &data)
        .run();
    ran.assert_ok();
    assert!(
        ran.stderr.contains("the sqlite store is migrated"),
        "{}",
        ran.stderr
    );
    assert!(data.join("automaintainer.db").is_file());
}
