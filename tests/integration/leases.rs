//! A phase binary killed mid-run (SIGKILL: no cleanup, no error handler) stops renewing its
//! run's lease; the next run of the same repository marks the orphan abandoned in the phase it
//! was in, while a phase that is still working keeps its run running.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use automaintainer::secrets::Secret;
use automaintainer::store::{RunStatus, Store};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

use crate::common::bin::{self, Runner};
use crate::common::{git, llm_stub};

const LEASE_SECS: &str = "2";

async fn status(store: &dyn Store, run_id: &str) -> (RunStatus, Option<String>, Option<String>) {
    let detail = store.run_detail(run_id).await.unwrap().unwrap().overview;
    (detail.status, detail.phase, detail.error)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_phase_is_abandoned_by_the_next_run() {
    let root = tempfile::tempdir().unwrap();
    let (_work, remote) = git::rust_fixture(root.path());
    let database_url = automaintainer::store::sqlite_url(&root.path().join("am.db"));
    let cache = root.path().join("cache");
    let setup = |run_id: &str| {
        let input = json!({"run_id": run_id, "run_dir": root.path().join(run_id),
                           "repository": remote, "cache_dir": cache});
        let runner = Runner::new("am-setup")
            .env("DATABASE_URL", &database_url)
            .env("AM_LEASE_SECS", LEASE_SECS)
            .input_json(&input);
        std::thread::spawn(move || runner.run())
    };
    setup("run-a").join().unwrap().assert_ok();

    // am-implement waits on a model that answers in a minute: the phase is busy, renewing.
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![ResponseTemplate::new(500).set_delay(Duration::from_secs(60))],
    )
    .await;
    let run_a = root.path().join("run-a");
    std::fs::write(
        run_a.join("task.json"),
        json!({"selection": {"status": "selected", "task": {
            "kind": "feature", "title": "Add sub", "rationale": "r",
            "target_files": ["src/lib.rs"], "acceptance_criteria": ["ok"]}}})
        .to_string(),
    )
    .unwrap();
    let input = root.path().join("implement.json");
    std::fs::write(
        &input,
        json!({"run_id": "run-a", "run_dir": run_a, "llm": llm_stub::openai_spec(&server)})
            .to_string(),
    )
    .unwrap();
    let mut implement = Command::new(bin::path("am-implement"))
        .arg("--input")
        .arg(&input)
        .env("DATABASE_URL", &database_url)
        .env("AM_LEASE_SECS", LEASE_SECS)
        .env("OPENAI_API_KEY", llm_stub::OPENAI_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let store = automaintainer::store::open(Some(&Secret::new(database_url.clone())))
        .await
        .unwrap();
    let started = Instant::now();
    while status(store.as_ref(), "run-a").await.1.as_deref() != Some("implement") {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "implement never started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Longer than the lease: a working phase keeps its run.
    tokio::time::sleep(Duration::from_secs(3)).await;
    setup("run-b").join().unwrap().assert_ok();
    assert_eq!(
        status(store.as_ref(), "run-a").await.0,
        RunStatus::Running,
        "a phase that renews its lease is not abandoned"
    );

    implement.kill().unwrap();
    implement.wait().unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    setup("run-c").join().unwrap().assert_ok();
    let (state, phase, error) = status(store.as_ref(), "run-a").await;
    assert_eq!(state, RunStatus::Abandoned);
    assert_eq!(phase.as_deref(), Some("implement"));
    let error = error.unwrap_or_default();
    assert!(error.starts_with("abandoned: "), "{error}");
    // run-b's setup finished but nothing renews it now either: the next run marks it too.
    assert_eq!(
        status(store.as_ref(), "run-b").await.0,
        RunStatus::Abandoned
    );
    assert_eq!(status(store.as_ref(), "run-c").await.0, RunStatus::Running);
}
