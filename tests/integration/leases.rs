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
    // One run per repository at a time: run-b is skipped (exit 0, saying so in its outputs),
    // naming the holder, and clones nothing.
    let refused = setup("run-b").join().unwrap();
    refused.assert_ok();
    let outputs = refused.outputs();
    assert_eq!(outputs["status"], "skipped", "{outputs}");
    assert_eq!(outputs["holder"], "run-a", "{outputs}");
    assert_eq!(
        outputs["reason"],
        "skipped: another run holds the repository (run run-a)"
    );
    assert!(outputs.get("clone_path").is_none(), "{outputs}");
    assert!(!root.path().join("run-b").join("repo").exists());
    let (state, _, error) = status(store.as_ref(), "run-b").await;
    assert_eq!(state, RunStatus::Skipped);
    assert_eq!(
        error.as_deref(),
        Some("skipped: another run holds the repository (run run-a)")
    );
    assert_eq!(
        status(store.as_ref(), "run-a").await.0,
        RunStatus::Running,
        "a phase that renews its lease is not abandoned"
    );

    implement.kill().unwrap();
    implement.wait().unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    // run-a's lease (and with it its repository lock) expired: run-c takes the repository.
    setup("run-c").join().unwrap().assert_ok();
    let (state, phase, error) = status(store.as_ref(), "run-a").await;
    assert_eq!(state, RunStatus::Abandoned);
    assert_eq!(phase.as_deref(), Some("implement"));
    let error = error.unwrap_or_default();
    assert!(error.starts_with("abandoned: "), "{error}");
    assert_eq!(status(store.as_ref(), "run-c").await.0, RunStatus::Running);
}

/// A phase told to stop (SIGTERM, as a flow's timeout sends it) while its change is half-made
/// puts the clone back on the base before it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phase_told_to_stop_leaves_the_clone_on_the_base() {
    let root = tempfile::tempdir().unwrap();
    let (_work, remote) = git::rust_fixture(root.path());
    let database_url = automaintainer::store::sqlite_url(&root.path().join("am.db"));
    let run_dir = root.path().join("run");
    let input = json!({"run_id": "run-t", "run_dir": run_dir, "repository": remote,
                       "cache_dir": root.path().join("cache")});
    Runner::new("am-setup")
        .env("DATABASE_URL", &database_url)
        .input_json(&input)
        .run()
        .assert_ok();
    let clone = run_dir.join("repo");
    let base = git::git(&clone, &["rev-parse", "HEAD"]);

    // The model answers in a minute: the phase is mid-way when it is told to stop.
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![ResponseTemplate::new(500).set_delay(Duration::from_secs(60))],
    )
    .await;
    std::fs::write(
        run_dir.join("task.json"),
        json!({"selection": {"status": "selected", "task": {
            "kind": "feature", "title": "Add sub", "rationale": "r",
            "target_files": ["src/lib.rs"], "acceptance_criteria": ["ok"]}}})
        .to_string(),
    )
    .unwrap();
    let input = root.path().join("implement.json");
    std::fs::write(
        &input,
        json!({"run_id": "run-t", "run_dir": run_dir, "llm": llm_stub::openai_spec(&server)})
            .to_string(),
    )
    .unwrap();
    let mut implement = Command::new(bin::path("am-implement"))
        .arg("--input")
        .arg(&input)
        .env("DATABASE_URL", &database_url)
        .env("OPENAI_API_KEY", llm_stub::OPENAI_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty()
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the model was never asked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let branch = git::git(&clone, &["symbolic-ref", "--short", "HEAD"]);
    assert!(branch.starts_with("automaintainer/"), "{branch}");
    // The change, half-made: an edited file, a new one, a commit on the work branch.
    std::fs::write(clone.join("src/lib.rs"), "pub fn half() {}\n").unwrap();
    git::git(&clone, &["commit", "-qam", "half-made"]);
    std::fs::write(clone.join("src/lib.rs"), "pub fn more() {}\n").unwrap();
    std::fs::write(clone.join("src/new.rs"), "pub fn new() {}\n").unwrap();

    let killed = Command::new("kill")
        .args(["-TERM", &implement.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = implement.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert_eq!(git::git(&clone, &["rev-parse", "HEAD"]), base);
    assert_eq!(
        git::git(&clone, &["status", "--porcelain"]),
        "",
        "a clean tree"
    );
    assert!(!clone.join("src/new.rs").exists());
}
