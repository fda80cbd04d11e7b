//! Failed tasks back off: a task whose change fails the repository's checks is remembered under
//! its fingerprint, the next run passes over it to the next best candidate (and says so, in its
//! summary and its task.json), and am-persist records and forgets failures on both backends.

use std::path::{Path, PathBuf};

use automaintainer::artifacts::{ImplementationStatus, PrAction, TaskFile};
use automaintainer::secrets::Secret;
use serde_json::json;

use crate::common::bin::{run_locally, Runner};
use crate::common::db::{artifacts, register, write_artifacts, TestDb};
use crate::common::git;

/// Two modules with unused imports, at most one file per task; a test that holds
/// `geometry.py`'s imports in place, so removing them there fails the checks.
const PROJECT: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[project]\nname = \"shapes\"\nversion = \"0.1.0\"\n\n[tool.pytest.ini_options]\npythonpath = [\".\"]\n",
    ),
    (".automaintainer.yml", "limits:\n  max_files_changed: 1\n"),
    ("shapes/__init__.py", "\"\"\"Shapes.\"\"\"\n"),
    (
        "shapes/geometry.py",
        "\"\"\"Areas.\"\"\"\nimport os\nimport sys\n\n\ndef area(width, height):\n    \"\"\"The area of a rectangle.\"\"\"\n    return width * height\n",
    ),
    (
        "shapes/names.py",
        "\"\"\"Names.\"\"\"\nimport json\n\n\ndef name(shape):\n    \"\"\"The shape's name.\"\"\"\n    return shape.title()\n",
    ),
    (
        "tests/test_shapes.py",
        "from pathlib import Path\n\nfrom shapes.geometry import area\nfrom shapes.names import name\n\n\ndef test_area():\n    assert area(2, 3) == 6\n\n\ndef test_name():\n    assert name(\"square\") == \"Square\"\n\n\ndef test_geometry_keeps_its_imports():\n    source = (Path(__file__).parent.parent / \"shapes\" / \"geometry.py\").read_text()\n    assert \"import os\" in source\n",
    ),
];

fn kept(stderr: &str) -> PathBuf {
    stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("info kept: "))
        .map(|p| PathBuf::from(p.trim()))
        .unwrap_or_else(|| panic!("no kept directory:\n{stderr}"))
}

fn task_file(kept: &Path, stderr: &str) -> TaskFile {
    let path = kept.join("artifacts/task.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}\n{stderr}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn a_task_that_failed_is_passed_over_for_the_next_candidate_on_the_next_run() {
    crate::common::tools::assert_installed("ruff", &["--version"]);
    crate::common::tools::assert_installed("python3", &["-m", "pytest", "--version"]);
    let data = tempfile::tempdir().unwrap();
    let work = git::init_repo(&data.path().join("work"), PROJECT);
    let remote = git::bare_clone(&work, &data.path().join("remote.git"));
    let args = ["--keep-run-dir", "--repository", remote.to_str().unwrap()];

    // Run 1: the file with the most findings first; removing its imports fails the test.
    let first = run_locally(data.path(), &args).await;
    assert_ne!(first.code, 0, "the checks failed:\n{}", first.stderr);
    let first_task = task_file(&kept(&first.stderr), &first.stderr);
    let failed = first_task.selection.task().unwrap().clone();
    assert_eq!(failed.target_files, ["shapes/geometry.py"]);
    let fingerprint = first_task.fingerprint.clone().expect("a fingerprint");
    assert!(first_task.skipped.is_empty());
    let url = format!(
        "sqlite://{}",
        data.path().join("automaintainer.db").display()
    );
    let store = automaintainer::store::open(Some(&Secret::new(url)))
        .await
        .unwrap();
    let repository = automaintainer::repo::identity::identity(remote.to_str().unwrap());
    let failures = store.task_failures(&repository).await.unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].fingerprint, fingerprint);
    assert_eq!(failures[0].failures, 1);
    assert_eq!(
        (failures[0].retry_after - failures[0].failed_at).num_days(),
        1
    );

    // Run 2: the failed task is skipped, and the next candidate is done.
    let second = run_locally(data.path(), &args).await;
    second.assert_ok();
    assert!(
        second
            .stderr
            .contains(&format!("skipped: {}", failed.title)),
        "the summary names the skipped task:\n{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("not tried again before "),
        "{}",
        second.stderr
    );
    let second_task = task_file(&kept(&second.stderr), &second.stderr);
    let chosen = second_task.selection.task().unwrap();
    assert_eq!(chosen.target_files, ["shapes/names.py"]);
    assert_eq!(second_task.skipped.len(), 1);
    assert_eq!(second_task.skipped[0].fingerprint, fingerprint);
    assert_eq!(second_task.skipped[0].retry_after, failures[0].retry_after);
    assert!(
        second.stderr.contains("change: committed on branch "),
        "{}",
        second.stderr
    );
    let branches = git::git(&remote, &["branch", "--list", "automaintainer/*"]);
    assert_eq!(branches.lines().count(), 1, "{branches}");
    // The failure is still remembered; nothing new failed.
    let failures = store.task_failures(&repository).await.unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    for run in [first, second] {
        std::fs::remove_dir_all(kept(&run.stderr)).unwrap();
    }
}

crate::store_tests!(persist_remembers_a_failed_task_and_forgets_it_once_it_succeeds);

async fn persist_remembers_a_failed_task_and_forgets_it_once_it_succeeds(db: TestDb) {
    const REPO: &str = "/srv/git/backoff.git";
    let persist = |run_id: &str, run_dir: &Path, failure: Option<(&str, &str)>| {
        let mut input = json!({"run_id": run_id, "run_dir": run_dir});
        if let Some((phase, error)) = failure {
            input["failed_phase"] = json!(phase);
            input["error"] = json!(error);
        }
        Runner::new("am-persist")
            .env("DATABASE_URL", db.url())
            .input_json(&input)
            .run()
    };
    let mut failing = artifacts("run-1", REPO, "automaintainer/lint-x", 50.0);
    failing.task.as_mut().unwrap().fingerprint = Some("f1".to_owned());
    let implementation = failing.implementation.as_mut().unwrap();
    implementation.status = ImplementationStatus::Failed;
    implementation.commit = None;
    implementation.failure = Some("pytest failed: 1 failed".to_owned());
    failing.pull_request = None;
    failing.review = None;
    failing.evaluation = None;
    register(db.store.as_ref(), "run-1", REPO, crate::common::db::at(0)).await;
    let dir = db.dir().join("run-1");
    write_artifacts(&dir, &failing);
    persist(
        "run-1",
        &dir,
        Some(("implement", "implement the task: pytest failed")),
    )
    .assert_ok();
    let remembered = db.store.task_failures(REPO).await.unwrap();
    assert_eq!(remembered.len(), 1);
    assert_eq!(remembered[0].fingerprint, "f1");
    assert_eq!(remembered[0].run_id, "run-1");
    assert!(
        remembered[0].reason.contains("pytest failed"),
        "{remembered:?}"
    );

    // The same task fails again: twice the wait.
    register(db.store.as_ref(), "run-2", REPO, crate::common::db::at(1)).await;
    let dir = db.dir().join("run-2");
    write_artifacts(&dir, &failing);
    persist("run-2", &dir, None).assert_ok();
    let again = db.store.task_failures(REPO).await.unwrap();
    assert_eq!(again[0].failures, 2);
    assert_eq!((again[0].retry_after - again[0].failed_at).num_days(), 2);

    // It succeeds: a pull request was opened for it, and its failures are forgotten.
    let mut done = artifacts("run-3", REPO, "automaintainer/lint-x", 80.0);
    done.task.as_mut().unwrap().fingerprint = Some("f1".to_owned());
    assert_eq!(
        done.pull_request.as_ref().map(|p| p.action),
        Some(PrAction::Created)
    );
    register(db.store.as_ref(), "run-3", REPO, crate::common::db::at(2)).await;
    let dir = db.dir().join("run-3");
    write_artifacts(&dir, &done);
    persist("run-3", &dir, None).assert_ok();
    assert!(db.store.task_failures(REPO).await.unwrap().is_empty());
}
