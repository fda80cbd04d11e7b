//! Nothing outside the run: every destructive input, pointed at a directory holding a file the
//! run did not create, is refused with exit 2 and the file survives (am-setup's marker, output
//! paths inside the run directory, the store and the cache never removed).

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::common::bin::{Ran, Runner};
use crate::common::git;

const PRECIOUS: &str = "precious.txt";

/// A directory someone else owns: a file in it, and (for the clone path) a `repo` directory.
fn someone_elses(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("repo")).unwrap();
    std::fs::write(dir.join(PRECIOUS), "not the run's").unwrap();
    std::fs::write(dir.join("repo/work.txt"), "not the run's either").unwrap();
    dir
}

fn assert_refused(ran: &Ran, needle: &str) {
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains(needle), "{}", ran.stderr);
}

fn survives(dir: &Path) {
    assert_eq!(
        std::fs::read_to_string(dir.join(PRECIOUS)).unwrap(),
        "not the run's"
    );
    assert!(dir.join("repo/work.txt").is_file());
}

fn runner(name: &str, root: &Path) -> Runner {
    std::fs::create_dir_all(root.join("store")).unwrap();
    Runner::new(name).env(
        "DATABASE_URL",
        automaintainer::store::sqlite_url(&root.join("store/am.db")),
    )
}

#[test]
fn setup_refuses_a_directory_it_did_not_make() {
    let root = tempfile::tempdir().unwrap();
    let (_work, remote) = git::rust_fixture(root.path());
    let theirs = someone_elses(root.path(), "theirs");
    let ran = runner("am-setup", root.path())
        .input_json(
            &json!({"run_id": "r1", "run_dir": theirs, "repository": remote,
                            "cache_dir": root.path().join("cache")}),
        )
        .run();
    assert_refused(&ran, "no .automaintainer-run marker");
    survives(&theirs);

    // A fresh directory is made, marked, and used; a retry of the same run is accepted.
    let ours = root.path().join("runs/r2");
    let input = json!({"run_id": "r2", "run_dir": ours, "repository": remote,
                       "cache_dir": root.path().join("cache")});
    runner("am-setup", root.path())
        .input_json(&input)
        .run()
        .assert_ok();
    assert!(ours.join(".automaintainer-run").is_file());
    runner("am-setup", root.path())
        .input_json(&input)
        .run()
        .assert_ok();
}

#[test]
fn implement_leaves_an_arbitrary_checkout_alone() {
    let root = tempfile::tempdir().unwrap();
    let (work, _remote) = git::rust_fixture(root.path());
    std::fs::write(work.join("untracked-notes.txt"), "mine").unwrap();
    git::git(&work, &["checkout", "-q", "-b", "my-feature"]);
    let task = json!({"selection": {"status": "selected", "task": {
        "kind": "lint", "title": "Fix lints", "rationale": "r",
        "target_files": ["src/lib.rs"], "acceptance_criteria": ["ok"]}}});
    let task_path = root.path().join("task.json");
    std::fs::write(&task_path, task.to_string()).unwrap();

    // The checkout itself as the run directory, and a marked run directory pointing at it.
    let marked = root.path().join("run");
    crate::common::run_dir::mark(&marked, "r");
    for (run_dir, needle) in [
        (work.clone(), "no .automaintainer-run marker"),
        (
            marked.clone(),
            "field `repo`: expected a path inside the run directory",
        ),
    ] {
        let ran = runner("am-implement", root.path())
            .input_json(&json!({"run_id": "r", "run_dir": run_dir, "repo": work,
                                "task": task_path, "llm": "offline"}))
            .run();
        assert_refused(&ran, needle);
        assert_eq!(
            std::fs::read_to_string(work.join("untracked-notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            git::git(&work, &["rev-parse", "--abbrev-ref", "HEAD"]),
            "my-feature"
        );
    }
}

#[test]
fn cleanup_removes_only_a_marked_run_directory_and_never_the_store() {
    let root = tempfile::tempdir().unwrap();
    let theirs = someone_elses(root.path(), "theirs");
    let ran = runner("am-cleanup", root.path())
        .input_json(&json!({"run_id": "r", "run_dir": theirs,
                            "cache_dir": root.path().join("cache")}))
        .run();
    assert_refused(&ran, "no .automaintainer-run marker");
    survives(&theirs);

    // The data directory (the embedded store) apart from the cache, given as the run
    // directory, and even carrying a marker: the store stays.
    let data = someone_elses(root.path(), "data");
    std::fs::write(data.join("automaintainer.db"), "the store").unwrap();
    crate::common::run_dir::mark(&data, "r");
    let ran = Runner::new("am-cleanup")
        .env("AM_DATA_DIR", &data)
        .env("AM_CACHE_DIR", root.path().join("cache"))
        .input_json(&json!({"run_id": "r", "run_dir": data}))
        .run();
    assert_refused(&ran, "which is never removed");
    survives(&data);
    assert!(data.join("automaintainer.db").is_file());
}

/// Each phase that writes an artifact, with the artifact's path pointing outside the run
/// directory (at a file of someone else's, and at a device).
#[test]
fn output_paths_outside_the_run_directory_are_bad_input() {
    let root = tempfile::tempdir().unwrap();
    let theirs = someone_elses(root.path(), "theirs");
    let run_dir = root.path().join("run");
    crate::common::run_dir::mark(&run_dir, "r");
    let cases: [(&str, &str, Value); 4] = [
        ("am-context", "output", json!({})),
        ("am-select", "output", json!({})),
        ("am-evaluate", "evaluation", json!({})),
        ("am-reflect", "reflection", json!({"repository": "x"})),
    ];
    for (name, field, extra) in cases {
        for target in [theirs.join(PRECIOUS), PathBuf::from("/dev/null")] {
            let mut input = json!({"run_id": "r", "run_dir": run_dir, field: target});
            input
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            let ran = runner(name, root.path()).input_json(&input).run();
            assert_refused(
                &ran,
                &format!("field `{field}`: expected a path inside the run directory"),
            );
        }
    }
    survives(&theirs);
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

/// A run turned away while given the holder's own run directory (one the holder's setup made
/// and marked) writes nothing there, and its cleanup removes nothing of it.
#[test]
fn a_skipped_run_given_the_holders_directory_leaves_it_alone() {
    let root = tempfile::tempdir().unwrap();
    let (_work, remote) = git::rust_fixture(root.path());
    let shared = root.path().join("runs/holder");
    let setup = |run_id: &str| {
        runner("am-setup", root.path())
            .input_json(
                &json!({"run_id": run_id, "run_dir": shared, "repository": remote,
                                "cache_dir": root.path().join("cache")}),
            )
            .run()
    };
    setup("holder").assert_ok();
    let skipped = setup("second");
    skipped.assert_ok();
    assert_eq!(skipped.outputs()["status"], "skipped", "{}", skipped.stderr);
    assert!(!shared.join("skipped.json").exists());

    let cleaned = runner("am-cleanup", root.path())
        .input_json(&json!({"run_id": "second", "run_dir": shared,
                            "cache_dir": root.path().join("cache")}))
        .run();
    cleaned.assert_ok();
    assert_eq!(cleaned.outputs()["removed"], false);
    assert!(
        shared.join("repo/.git").exists(),
        "the holder's clone stays"
    );
    assert_eq!(
        std::fs::read_to_string(shared.join(".automaintainer-run")).unwrap(),
        "holder\n"
    );
}
