//! One run per repository at a time, with two real local runs on one repository: the second,
//! started while the first is inside a phase, is recorded `skipped`, exits 0 and runs no later
//! phase, touching nothing of the first; once the first ends, the next run proceeds. On both
//! store backends.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use automaintainer::store::{RunQuery, RunStatus};

use crate::common::bin::{self, Ran, Runner};
use crate::common::db::TestDb;
use crate::common::git;

crate::store_tests!(a_second_run_of_a_held_repository_is_skipped_and_the_next_proceeds);

/// `automaintainer run ARGS` on the store of `db`, with its data and cache in `data`.
async fn run_on(db: &TestDb, data: &Path, args: &[&str]) -> Ran {
    let command = local(db, data, args);
    tokio::task::spawn_blocking(move || command.run())
        .await
        .unwrap()
}

fn local(db: &TestDb, data: &Path, args: &[&str]) -> Runner {
    Runner::new("automaintainer")
        .env("AM_DATA_DIR", data)
        .env("XDG_CACHE_HOME", data.join("cache"))
        .env("DATABASE_URL", db.url())
        .env_remove("AM_FORGE")
        .env_remove("AM_REVIEW")
        .arg("run")
        .args(args)
}

/// A directory of the phases' binaries for `--spawn-from` in which am-context first says where
/// it runs (`<gate>/entered`), then waits until `<gate>/go` exists.
fn gated_binaries(gate: &Path) -> PathBuf {
    let dir = gate.join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "am-setup",
        "am-select",
        "am-implement",
        "am-open-pr",
        "am-review",
        "am-evaluate",
        "am-persist",
        "am-reflect",
        "am-cleanup",
    ] {
        std::os::unix::fs::symlink(bin::path(name), dir.join(name)).unwrap();
    }
    let script = format!(
        "#!/bin/sh\npwd > '{gate}/entered.tmp' && mv '{gate}/entered.tmp' '{gate}/entered'\nwhile [ ! -e '{gate}/go' ]; do sleep 0.1; done\nexec '{real}' \"$@\"\n",
        gate = gate.display(),
        real = bin::path("am-context").display()
    );
    let wrapper = dir.join("am-context");
    std::fs::write(&wrapper, script).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// Waits (bounded) until `path` exists: the first run reached its context phase.
async fn wait_for(path: &Path) {
    let started = std::time::Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(300),
            "{} never appeared",
            path.display()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn run_ids(db: &TestDb, status: RunStatus) -> Vec<String> {
    let query = RunQuery {
        status: Some(status),
        ..RunQuery::default()
    };
    let (rows, _) = db.store.run_overview(&query).await.unwrap();
    rows.into_iter().map(|r| r.run_id).collect()
}

async fn a_second_run_of_a_held_repository_is_skipped_and_the_next_proceeds(db: TestDb) {
    let data = tempfile::tempdir().unwrap();
    let work = git::init_repo(&data.path().join("work"), super::PYTHON_PROJECT);
    let remote = git::bare_clone(&work, &data.path().join("remote.git"));
    let repository = remote.to_str().unwrap().to_owned();
    let gate = data.path().join("gate");
    let bin_dir = gated_binaries(&gate);

    // The first run: it takes the repository at setup, then waits inside its context phase.
    let mut first = Command::new(bin::path("automaintainer"));
    for var in automaintainer::secrets::SECRET_VARIABLES {
        first.env_remove(var);
    }
    let mut first = first
        .args(["run", "--repository", &repository, "--spawn-from"])
        .arg(&bin_dir)
        .env_remove("AM_LOG_FORMAT")
        .env_remove("AM_LLM")
        .env_remove("AM_FORGE")
        .env_remove("AM_REVIEW")
        .env("NO_COLOR", "1")
        .env("AM_DATA_DIR", data.path())
        .env("XDG_CACHE_HOME", data.path().join("cache"))
        .env("DATABASE_URL", db.url())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = first.stderr.take().unwrap();
    let first_log = std::thread::spawn(move || {
        let mut seen = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            seen.push_str(&line.unwrap());
            seen.push('\n');
        }
        seen
    });
    wait_for(&gate.join("entered")).await;
    let first_dir = PathBuf::from(
        std::fs::read_to_string(gate.join("entered"))
            .unwrap()
            .trim(),
    );
    let holder = run_ids(&db, RunStatus::Running).await;
    assert_eq!(holder.len(), 1, "{holder:?}");
    let holder = holder[0].clone();

    // The second run, while the first is inside a phase: skipped, exit 0, nothing after setup.
    let second = run_on(&db, data.path(), &["--repository", &repository]).await;
    second.assert_ok();
    let reason = format!("skipped: another run holds the repository (run {holder})");
    assert!(second.stderr.contains(&reason), "{}", second.stderr);
    assert!(
        second.stderr.contains("[1/10] setup: done") && second.stderr.contains("(skipped)"),
        "{}",
        second.stderr
    );
    for (index, phase) in super::PHASES.iter().enumerate().take(9).skip(1) {
        let line = format!("[{}/10] {phase}: skipped", index + 1);
        assert!(
            second.stderr.contains(&line),
            "no `{line}`:\n{}",
            second.stderr
        );
    }
    assert!(
        second.stderr.contains("[10/10] cleanup: done"),
        "{}",
        second.stderr
    );
    assert!(!second.stderr.contains("task:"), "{}", second.stderr);
    let skipped = run_ids(&db, RunStatus::Skipped).await;
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    let detail = db.store.run_detail(&skipped[0]).await.unwrap().unwrap();
    assert_eq!(detail.overview.error.as_deref(), Some(reason.as_str()));
    assert_eq!(detail.overview.phase.as_deref(), Some("setup"));
    assert!(
        detail.errors.is_empty(),
        "a skip is no error: {:?}",
        detail.errors
    );
    let stats = db.store.system_stats().await.unwrap();
    assert_eq!(
        (stats.skipped_runs, stats.failed_runs, stats.running_runs),
        (1, 0, 1),
        "{stats:?}"
    );
    // Nothing of the first run's was touched: its lock, its run, its clone.
    let holds = db
        .count(&format!(
            "SELECT count(*) FROM repository_locks WHERE run_id = '{holder}'"
        ))
        .await;
    assert_eq!(holds, 1);
    assert_eq!(run_ids(&db, RunStatus::Running).await, [holder.as_str()]);
    assert!(
        first_dir.join("run/repo/.git").exists(),
        "{}",
        first_dir.display()
    );

    // The first run goes on to the end.
    std::fs::write(gate.join("go"), "").unwrap();
    let status = tokio::task::spawn_blocking(move || first.wait().unwrap())
        .await
        .unwrap();
    let first_log = first_log.join().unwrap();
    assert!(status.success(), "{first_log}");
    assert!(first_log.contains("pull request: #"), "{first_log}");
    assert_eq!(run_ids(&db, RunStatus::Succeeded).await, [holder.as_str()]);

    // The holder ended: the next run proceeds.
    let next = run_on(&db, data.path(), &["--repository", &repository]).await;
    next.assert_ok();
    assert!(
        !next.stderr.contains("another run holds the repository"),
        "{}",
        next.stderr
    );
    assert!(
        next.stderr.contains("[2/10] context: done"),
        "{}",
        next.stderr
    );
    let stats = db.store.system_stats().await.unwrap();
    assert_eq!(
        (stats.skipped_runs, stats.running_runs),
        (1, 0),
        "{stats:?}"
    );
    assert_eq!(stats.total_runs, 3);
}
