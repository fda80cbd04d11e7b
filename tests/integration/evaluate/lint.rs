//! code_quality's linter part with the linters that need the project: clippy on a Rust
//! workspace of two crates (the base and head commits checked out and built), and eslint and ruff
//! with the repository's own configuration. No review, so code quality is the lint part alone:
//! `100 - 10·introduced - 2·remaining`.

use std::path::{Path, PathBuf};

use automaintainer::artifacts::{lint_counts_path, Evaluation, LintCounts, Method};
use serde_json::json;

use super::{read_evaluation, run_evaluate};
use crate::common::artifacts::{implementation, write};
use crate::common::git::{commit_files, git, init_repo};

const WORKSPACE: &str =
    "[workspace]\nmembers = [\"crates/core\", \"crates/app\"]\nresolver = \"2\"\n";
const CORE_MANIFEST: &str =
    "[package]\nname = \"numbers\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n";
const APP_MANIFEST: &str = "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nnumbers = { path = \"../core\" }\n";
const CORE_CLEAN: &str = "//! Core numbers.\n\n/// One.\npub fn one() -> i32 {\n    1\n}\n";
/// `return` as the last statement: clippy::needless_return, a warning by default.
const CORE_NEEDLESS_RETURN: &str =
    "//! Core numbers.\n\n/// One.\npub fn one() -> i32 {\n    return 1;\n}\n";
const APP: &str = "//! The app.\n\n/// Two.\npub fn two() -> i32 {\n    numbers::one() + 1\n}\n";
const APP_MORE: &str = "//! The app.\n\n/// Two.\npub fn two() -> i32 {\n    numbers::one() + 1\n}\n\n/// Three.\npub fn three() -> i32 {\n    two() + 1\n}\n";

/// A run directory whose clone has `base` committed, then `head` on a branch: (dir, run_dir,
/// base, head).
fn change(
    base: &[(&str, &str)],
    head: &[(&str, &str)],
) -> (tempfile::TempDir, PathBuf, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let clone = run_dir.join("repo");
    init_repo(&clone, base);
    let base = git(&clone, &["rev-parse", "HEAD"]);
    git(&clone, &["checkout", "-q", "-b", "automaintainer/test"]);
    let head = commit_files(&clone, head, "The change");
    write(
        &run_dir.join("implementation.json"),
        &implementation(&base, Some(&head), vec![]),
    );
    (dir, run_dir, base, head)
}

fn evaluate(run_dir: &Path) -> Evaluation {
    run_evaluate(run_dir, json!({})).assert_ok();
    read_evaluation(run_dir)
}

fn workspace(core: &'static str, app: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("Cargo.toml", WORKSPACE),
        ("crates/core/Cargo.toml", CORE_MANIFEST),
        ("crates/core/src/lib.rs", core),
        ("crates/app/Cargo.toml", APP_MANIFEST),
        ("crates/app/src/lib.rs", app),
        (".gitignore", "target/\n"),
    ]
}

#[test]
fn clippy_counts_the_warning_a_change_introduces_in_a_workspace() {
    // Both crates change; only core gains a warning.
    let (_dir, run_dir, _, _) = change(
        &workspace(CORE_CLEAN, APP),
        &[
            ("crates/core/src/lib.rs", CORE_NEEDLESS_RETURN),
            ("crates/app/src/lib.rs", APP_MORE),
        ],
    );
    let e = evaluate(&run_dir);
    let quality = &e.code_quality;
    assert!(
        quality.evidence.contains(
            "clippy on 2 changed file(s): 0 finding(s) before, 1 after (1 introduced, 0 fixed)"
        ),
        "{}",
        quality.evidence
    );
    // 100 - 10*1 - 2*1
    assert_eq!(quality.score, Some(88.0), "{}", quality.evidence);
    assert_eq!(quality.method, Method::Measured);
    // The clone is left as it was: no build output, still at the head commit.
    assert!(!run_dir.join("repo/target").exists());
    // clippy built in the run's shared target directory, where the context phase's clippy
    // already built the dependencies.
    assert!(run_dir.join("cargo-target/debug").is_dir());
}

#[test]
fn clippy_shows_the_warning_a_change_fixes() {
    let (_dir, run_dir, _, _) = change(
        &workspace(CORE_NEEDLESS_RETURN, APP),
        &[("crates/core/src/lib.rs", CORE_CLEAN)],
    );
    let e = evaluate(&run_dir);
    let quality = &e.code_quality;
    assert!(
        quality.evidence.contains(
            "clippy on 1 changed file(s): 1 finding(s) before, 0 after (0 introduced, 1 fixed)"
        ),
        "{}",
        quality.evidence
    );
    assert_eq!(quality.score, Some(100.0), "{}", quality.evidence);
}

/// clippy's version line, as the phases record it.
fn clippy_version() -> String {
    let out = std::process::Command::new("cargo")
        .args(["clippy", "--version"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap()
        .to_owned()
}

/// An earlier phase's record of clippy on `commit`, saying `findings` on core's lib.rs.
fn record(run_dir: &Path, commit: &str, version: &str, phase: &str, findings: u32) {
    let record = LintCounts {
        linter: "clippy".to_owned(),
        phase: phase.to_owned(),
        commit: commit.to_owned(),
        tool_version: version.to_owned(),
        targets: vec!["--all-targets".to_owned()],
        counts: [(
            "crates/core/src/lib.rs".to_owned(),
            [("clippy::needless_return".to_owned(), findings)].into(),
        )]
        .into(),
    };
    write(&lint_counts_path(run_dir, "clippy", commit), &record);
}

#[test]
fn clippy_takes_both_sides_from_the_records_of_the_context_and_the_review() {
    let (_dir, run_dir, base, head) = change(
        &workspace(CORE_NEEDLESS_RETURN, APP),
        &[("crates/core/src/lib.rs", CORE_CLEAN)],
    );
    // Counts clippy itself would not give (1 before, 0 after): only the records say so.
    let version = clippy_version();
    record(&run_dir, &base, &version, "context", 3);
    record(&run_dir, &head, &version, "review", 1);
    let e = evaluate(&run_dir);
    assert!(
        e.code_quality.evidence.contains(
            "3 finding(s) before, 1 after (0 introduced, 2 fixed; before: reused from context, after: reused from review)"
        ),
        "{}",
        e.code_quality.evidence
    );
    // Nothing was built: the run's target directory was never needed.
    assert!(!run_dir.join("cargo-target/debug").exists());
}

#[test]
fn clippy_lints_again_when_the_record_is_of_another_commit_or_another_clippy() {
    let (_dir, run_dir, base, head) = change(
        &workspace(CORE_NEEDLESS_RETURN, APP),
        &[("crates/core/src/lib.rs", CORE_CLEAN)],
    );
    // The base's record made by another clippy; the head's file holding another commit's
    // counts (a base that moved on).
    let version = clippy_version();
    record(&run_dir, &base, "clippy 0.0.1 (an older one)", "context", 3);
    record(
        &run_dir,
        &base.replace(|c: char| c != '0', "0"),
        &version,
        "context",
        3,
    );
    let mut moved = LintCounts {
        linter: "clippy".to_owned(),
        phase: "review".to_owned(),
        commit: base.clone(),
        tool_version: version,
        targets: vec!["--all-targets".to_owned()],
        counts: Default::default(),
    };
    moved.counts.insert(
        "crates/core/src/lib.rs".to_owned(),
        [("clippy::needless_return".to_owned(), 5)].into(),
    );
    write(&lint_counts_path(&run_dir, "clippy", &head), &moved);
    let e = evaluate(&run_dir);
    assert!(
        e.code_quality.evidence.contains(
            "clippy on 1 changed file(s): 1 finding(s) before, 0 after (0 introduced, 1 fixed)"
        ),
        "{}",
        e.code_quality.evidence
    );
    assert!(!e.code_quality.evidence.contains("reused"));
}

#[test]
fn clippy_says_it_could_not_lint_a_side_that_does_not_build() {
    let broken = "//! Core numbers.\n\n/// One.\npub fn one() -> i32 {\n    \"one\"\n}\n";
    let (_dir, run_dir, _, head) = change(
        &workspace(CORE_CLEAN, APP),
        &[("crates/core/src/lib.rs", broken)],
    );
    let e = evaluate(&run_dir);
    let quality = &e.code_quality;
    // No number from a build that failed, and no review: unavailable, and the evidence says why.
    assert_eq!(quality.method, Method::Unavailable, "{}", quality.evidence);
    assert_eq!(quality.score, None);
    let expected = format!(
        "clippy could not lint 1 changed file(s): at the head commit {}: the code does not build: mismatched types (crates/core/src/lib.rs:5)",
        &head[..10]
    );
    assert!(quality.evidence.contains(&expected), "{}", quality.evidence);
}

fn require_eslint() {
    let found = std::process::Command::new("eslint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "eslint is needed: `npm install -g eslint` (.ci/run installs it)"
    );
}

/// The repository's own rules: unused variables and `==` are errors.
const ESLINT_CONFIG: &str = "export default [\n  {\n    files: [\"**/*.js\"],\n    rules: { \"no-unused-vars\": \"error\", eqeqeq: \"error\" },\n  },\n];\n";

#[test]
fn eslint_counts_findings_by_the_repository_configuration() {
    require_eslint();
    let (_dir, run_dir, _, _) = change(
        &[
            ("eslint.config.mjs", ESLINT_CONFIG),
            ("package.json", "{\"name\": \"calc\", \"private\": true}\n"),
            // `unused` is never read: one finding.
            (
                "src/a.js",
                "export function add(a, b) {\n  const unused = 1;\n  return a + b;\n}\n",
            ),
            (
                "src/b.js",
                "export function same(a, b) {\n  return a === b;\n}\n",
            ),
        ],
        &[
            // a.js fixed; b.js gains `==`.
            (
                "src/a.js",
                "export function add(a, b) {\n  return a + b;\n}\n",
            ),
            (
                "src/b.js",
                "export function same(a, b) {\n  return a == b;\n}\n",
            ),
        ],
    );
    let e = evaluate(&run_dir);
    let quality = &e.code_quality;
    assert!(
        quality.evidence.contains(
            "eslint on 2 changed file(s): 1 finding(s) before, 1 after (1 introduced, 1 fixed)"
        ),
        "{}",
        quality.evidence
    );
    // 100 - 10*1 - 2*1
    assert_eq!(quality.score, Some(88.0), "{}", quality.evidence);
}

#[test]
fn eslint_without_a_configuration_has_nothing_to_judge_by() {
    require_eslint();
    let (_dir, run_dir, _, _) = change(
        &[("src/a.js", "export const a = 1;\n")],
        &[("src/a.js", "export const a = 2;\nconst unused = 3;\n")],
    );
    let e = evaluate(&run_dir);
    let quality = &e.code_quality;
    assert_eq!(quality.method, Method::Unavailable, "{}", quality.evidence);
    assert!(
        quality.evidence.contains(
            "eslint could not lint 1 changed file(s): the repository has no eslint configuration"
        ),
        "{}",
        quality.evidence
    );
}

#[test]
fn ruff_counts_findings_by_the_repository_configuration() {
    let found = std::process::Command::new("ruff")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "ruff is needed: `python3 -m pip install ruff` (scripts/test installs it)"
    );
    // The repository ignores F401 and leaves generated code out; ruff's defaults would count
    // both the unused import and everything in `generated/`.
    let (_dir, run_dir, _, _) = change(
        &[
            (
                "ruff.toml",
                "extend-exclude = [\"generated\"]\n\n[lint]\nignore = [\"F401\"]\n",
            ),
            ("calc.py", "def add(a, b):\n    return a + b\n"),
            ("generated/table.py", "TABLE = {}\n"),
        ],
        &[
            // `import os` is unused (ignored here); `unused` is F841 (one finding).
            (
                "calc.py",
                "import os\n\n\ndef add(a, b):\n    unused = a\n    return a + b\n",
            ),
            ("generated/table.py", "import sys\nTABLE = {}\n"),
        ],
    );
    let e = evaluate(&run_dir);
    let quality = &e.code_quality;
    assert!(
        quality.evidence.contains(
            "ruff on 2 changed file(s): 0 finding(s) before, 1 after (1 introduced, 0 fixed)"
        ),
        "{}",
        quality.evidence
    );
    // 100 - 10*1 - 2*1
    assert_eq!(quality.score, Some(88.0), "{}", quality.evidence);
}

#[test]
fn clippy_judges_the_targets_that_build_when_a_bench_needs_nightly() {
    let manifest = "[package]\nname = \"numbers\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n\n[[bench]]\nname = \"one\"\n";
    let bench = "//! Benchmarks on nightly.\n#![feature(test)]\n\nextern crate test;\n\n#[bench]\nfn one(b: &mut test::Bencher) {\n    b.iter(numbers::one);\n}\n";
    let (_dir, run_dir, _, _) = change(
        &[
            ("Cargo.toml", manifest),
            ("src/lib.rs", CORE_NEEDLESS_RETURN),
            ("benches/one.rs", bench),
            (".gitignore", "target/\n"),
        ],
        &[("src/lib.rs", CORE_CLEAN)],
    );
    let e = evaluate(&run_dir);
    let quality = &e.code_quality;
    assert!(
        quality.evidence.contains(
            "clippy on 1 changed file(s): 1 finding(s) before, 0 after (0 introduced, 1 fixed)"
        ),
        "{}",
        quality.evidence
    );
}

#[test]
fn flake8_counts_findings_where_the_repository_uses_flake8() {
    let found = std::process::Command::new("flake8")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "flake8 is needed: `python3 -m pip install flake8` (scripts/test installs it)"
    );
    // The repository lints with flake8 at 100 columns: the 88-column line is fine, the missing
    // blank line before the new function (E302) is not. ruff's defaults would count neither.
    let (_dir, run_dir, _, _) = change(
        &[
            ("setup.cfg", "[flake8]\nmax-line-length = 100\n"),
            ("calc.py", "def add(a, b):\n    return a + b\n"),
        ],
        &[(
            "calc.py",
            "def add(a, b):\n    return a + b\n\ndef long_name_function_for_a_test(first_argument, second_argument, third_argument):\n    return first_argument\n",
        )],
    );
    let e = evaluate(&run_dir);
    let quality = &e.code_quality;
    assert!(
        quality.evidence.contains(
            "flake8 on 1 changed file(s): 0 finding(s) before, 1 after (1 introduced, 0 fixed)"
        ),
        "{}",
        quality.evidence
    );
    assert!(!quality.evidence.contains("ruff"), "{}", quality.evidence);
    // 100 - 10*1 - 2*1
    assert_eq!(quality.score, Some(88.0), "{}", quality.evidence);
}
