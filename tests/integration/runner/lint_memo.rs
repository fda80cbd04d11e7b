//! A linter is asked once per working tree (`automaintainer::lint::memo`), watched through the
//! runner's log of every command it starts: in one run the context's clippy and `cargo fmt --check`
//! serve the offline fixer's look at the base, `cargo clippy --fix`'s last pass serves the check
//! of the fixes and the review; a later run on the same base (a new clone, a new store) asks
//! clippy nothing before its fix; a new commit on the base is linted again. `cargo fetch` runs
//! once a run.

use std::path::Path;

use crate::common::bin::{run_locally_with, Ran};
use crate::common::{git, tools};

/// How many commands labelled `label` the run started, from the runner's log of each
/// (`running command=<label> sandboxed=...`): `cargo clippy` is a plain pass, `cargo` alone is
/// `cargo fetch`.
fn started(ran: &Ran, label: &str) -> usize {
    let line = format!("running command={label} sandboxed");
    ran.stderr.lines().filter(|l| l.contains(&line)).count()
}

/// (plain clippy passes, `clippy --fix`, `cargo fmt --check`) of `ran`.
fn lints(ran: &Ran) -> (usize, usize, usize) {
    (
        started(ran, "cargo clippy"),
        started(ran, "cargo clippy --fix"),
        started(ran, "cargo fmt --check"),
    )
}

/// One whole run on a fresh copy of `pristine` at `remote`, with its own store and the shared
/// cache (where the repository's build and memo are kept).
async fn round(root: &Path, n: u32, pristine: &Path, remote: &Path) -> Ran {
    let _ = std::fs::remove_dir_all(remote);
    git::git(
        root,
        &[
            "clone",
            "-q",
            "--bare",
            &pristine.to_string_lossy(),
            &remote.to_string_lossy(),
        ],
    );
    let cache = root.join("cache");
    let ran = run_locally_with(
        &root.join(format!("data-{n}")),
        &["--repository", &remote.to_string_lossy()],
        &[
            ("AM_CACHE_DIR", &cache.to_string_lossy()),
            ("AM_LOG", "automaintainer=debug"),
        ],
    )
    .await;
    ran.assert_ok();
    assert!(
        ran.stderr
            .contains("change: committed on branch automaintainer/lint-"),
        "{}",
        ran.stderr
    );
    ran
}

/// The summary line of `ran` that starts with `start`.
fn said(ran: &Ran, start: &str) -> String {
    ran.stderr
        .lines()
        .map(|l| l.trim().trim_start_matches("info").trim_start())
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no `{start}` line:\n{}", ran.stderr))
        .to_owned()
}

#[tokio::test]
async fn clippy_is_asked_once_per_working_tree_across_phases_and_runs() {
    tools::assert_installed("cargo", &["clippy", "--version"]);
    // The runner tests' scratch directory (under cargo's per-test temporary directory).
    let dir = super::scratch();
    let root = dir.path();
    let (work, pristine) = git::rust_fixture_with_lint(root);
    let remote = root.join("origin.git");

    let first = round(root, 1, &pristine, &remote).await;
    let (passes, fixes, format_checks) = lints(&first);
    // The context's pass on the base is the only one: the fixer's look at the base, the check
    // of its fixes and the review are answered from the memo.
    assert_eq!((passes, fixes), (1, 1), "{}", first.stderr);
    assert_eq!(format_checks, 1, "{}", first.stderr);
    // cargo fetch once for the run (the context's; the fixer's is the same files), and the
    // evaluation reads the records without asking cargo where the package lies.
    assert_eq!(started(&first, "cargo"), 1, "{}", first.stderr);
    assert_eq!(started(&first, "cargo metadata"), 0, "{}", first.stderr);

    let second = round(root, 2, &pristine, &remote).await;
    let (passes, fixes, format_checks) = lints(&second);
    assert_eq!(
        (passes, fixes, format_checks),
        (0, 1, 0),
        "{}",
        second.stderr
    );
    // The answers from the memo make the same run: the same task, change and score.
    for line in ["task: ", "change: ", "evolution score: "] {
        assert_eq!(said(&first, line), said(&second, line), "{}", second.stderr);
    }

    // A new commit on the base is a new question.
    git::commit_files(&work, &[("NOTES.md", "notes\n")], "Notes");
    git::git(
        &work,
        &["push", "-q", &pristine.to_string_lossy(), "HEAD:main"],
    );
    let third = round(root, 3, &pristine, &remote).await;
    let (passes, fixes, _) = lints(&third);
    assert_eq!((passes, fixes), (1, 1), "{}", third.stderr);
}
