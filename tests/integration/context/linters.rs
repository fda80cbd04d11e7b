//! am-context's linter findings on real repositories, with the repository's own linter
//! configuration: ruff on Python, eslint on JavaScript.

use serde_json::json;

use automaintainer::artifacts::{Context, Finding, FindingKind};

use crate::common::bin::Runner;
use crate::common::{git, tools};

/// Clones `files` as a repository through am-setup, runs am-context with its linters, and
/// returns the findings of `tool`.
fn lint_findings(files: &[(&str, &str)], tool: &str) -> Vec<Finding> {
    let root = tempfile::tempdir().unwrap();
    let work = git::init_repo(&root.path().join("work"), files);
    let remote = git::bare_clone(&work, &root.path().join("remote.git"));
    let run_dir = root.path().join("run");
    let database_url = automaintainer::store::sqlite_url(&root.path().join("am.db"));
    let cache = root.path().join("cache");
    Runner::new("am-setup")
        .env("DATABASE_URL", &database_url)
        .input_json(&json!({"run_id": "lint", "run_dir": run_dir, "repository": remote, "cache_dir": cache}))
        .run()
        .assert_ok();
    Runner::new("am-context")
        .env("DATABASE_URL", &database_url)
        .input_json(
            &json!({"run_id": "lint", "run_dir": run_dir, "cache_dir": cache, "lint": true}),
        )
        .run()
        .assert_ok();
    let context: Context =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("context.json")).unwrap())
            .unwrap();
    // The linters left the clone as it was: no cache or report files in it.
    let status = git::git(
        &run_dir.join("repo"),
        &["status", "--porcelain", "--ignored"],
    );
    assert!(status.trim().is_empty(), "{status}");
    context
        .findings
        .into_iter()
        .filter(|f| f.tool == tool)
        .collect()
}

/// (path, line, fixable) of each finding, in file order.
fn locations(found: &[Finding]) -> Vec<(&str, Option<u32>, bool)> {
    let mut summary: Vec<_> = found
        .iter()
        .map(|f| (f.path.as_str(), f.line, f.fixable))
        .collect();
    summary.sort();
    summary
}

#[test]
fn ruff_findings_carry_locations_and_whether_ruff_fixes_them() {
    tools::assert_installed("ruff", &["--version"]);
    let found = lint_findings(
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"calc\"\nversion = \"0.1.0\"\n\n[tool.ruff]\n",
            ),
            ("calc/__init__.py", "import json\n"),
            (
                "calc/ops.py",
                "import os\n\n\ndef add(a, b):\n    unused = 1\n    return a + b\n",
            ),
        ],
        "ruff",
    );
    let summary = locations(&found);
    assert_eq!(
        summary,
        vec![
            // An import in __init__.py may be a re-export: ruff's fix is unsafe, not applied.
            ("calc/__init__.py", Some(1), false),
            ("calc/ops.py", Some(1), true),
            // Removing an assignment is an unsafe fix too.
            ("calc/ops.py", Some(5), false),
        ],
        "{found:?}"
    );
    assert!(found.iter().all(|f| f.kind == FindingKind::Lint));
    assert!(
        found
            .iter()
            .any(|f| f.fixable && f.message == "F401: `os` imported but unused"),
        "{found:?}"
    );
}

#[test]
fn eslint_findings_follow_the_repository_configuration() {
    tools::assert_installed("eslint", &["--version"]);
    let found = lint_findings(
        &[
            (
                "eslint.config.mjs",
                "export default [{ files: [\"**/*.js\"], rules: { \"prefer-const\": \"error\", \"no-unused-vars\": \"warn\" } }];\n",
            ),
            (
                "src/cart.js",
                "let total = 1;\nexport function sum(a) {\n  return a + total;\n}\nfunction unused() {}\n",
            ),
            // Not covered by the configuration's rules.
            ("notes.txt", "let x = 1;\n"),
        ],
        "eslint",
    );
    let summary = locations(&found);
    assert_eq!(
        summary,
        vec![
            ("src/cart.js", Some(1), true),
            ("src/cart.js", Some(5), false)
        ],
        "{found:?}"
    );
    assert!(found[0].message.starts_with("prefer-const: "), "{found:?}");
    assert!(
        found[1].message.starts_with("no-unused-vars: "),
        "{found:?}"
    );
}

#[test]
fn a_repository_without_eslint_configuration_gets_no_eslint_findings() {
    tools::assert_installed("eslint", &["--version"]);
    let found = lint_findings(
        &[("src/cart.js", "let total = 1;\nvar x = total\n")],
        "eslint",
    );
    assert!(found.is_empty(), "{found:?}");
}
