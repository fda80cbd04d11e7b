//! `automaintainer run` end to end on the bundled example repository with no keys and no
//! network: every phase runs, the store has the run's rows, the example's remote has the branch
//! with the change.

use std::path::PathBuf;

use automaintainer::secrets::Secret;
use automaintainer::store::RunStatus;

use crate::common::bin::{run_locally, Runner};
use crate::common::git;

const PHASES: [&str; 10] = [
    "setup",
    "context",
    "select",
    "implement",
    "open_pr",
    "review",
    "evaluate",
    "persist",
    "reflect",
    "cleanup",
];

#[tokio::test]
async fn automaintainer_run_improves_the_example_repository() {
    let data = tempfile::tempdir().unwrap();
    let ran = run_locally(data.path(), &["--keep-run-dir"]).await;
    ran.assert_ok();
    assert!(
        ran.stdout.is_empty(),
        "stdout is for protocol lines only: {}",
        ran.stdout
    );

    // A progress line per phase, in order, then the summary.
    let mut from = 0;
    for (index, phase) in PHASES.iter().enumerate() {
        let line = format!("[{}/10] {phase}: done", index + 1);
        let at = ran.stderr[from..]
            .find(&line)
            .unwrap_or_else(|| panic!("no `{line}` after the previous phase:\n{}", ran.stderr));
        from += at;
    }
    for summary in [
        "task: ",
        "change: committed on branch ",
        "pull request: #",
        "evolution score: ",
        "learnings: ",
    ] {
        assert!(
            ran.stderr.contains(summary),
            "no `{summary}`:\n{}",
            ran.stderr
        );
    }

    // The store's rows, in the embedded SQLite under AM_DATA_DIR.
    let run_id = ran
        .stderr
        .split("run local-")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|id| format!("local-{id}"))
        .expect("the summary names the run");
    let url = format!(
        "sqlite://{}",
        data.path().join("automaintainer.db").display()
    );
    let store = automaintainer::store::open(Some(&Secret::new(url)))
        .await
        .unwrap();
    let detail = store
        .run_detail(&run_id)
        .await
        .unwrap()
        .expect("the run is stored");
    assert_eq!(
        detail.overview.status,
        RunStatus::Succeeded,
        "{:?}",
        detail.overview
    );
    assert_eq!(detail.overview.task_kind.as_deref(), Some("lint"));
    // Every phase has its own timed row, the ones that never write to the store too.
    let timed: Vec<&str> = detail.phases.iter().map(|p| p.phase.as_str()).collect();
    assert_eq!(timed, PHASES, "{:?}", detail.phases);
    assert!(detail.overview.pr_number.is_some());
    assert!(detail.overview.evolution_score.is_some());

    // The kept remote has the work branch with clippy's fixes and rustfmt's layout.
    let kept = ran
        .stderr
        .lines()
        .find_map(|l| l.split("kept: ").nth(1))
        .map(PathBuf::from)
        .expect("the kept directory is named");
    let remote = data.path().join("example/remote.git");
    let branches = git::git(&remote, &["branch", "--list", "automaintainer/*"]);
    let branch = branches.trim().trim_start_matches("* ").to_owned();
    assert!(!branch.is_empty(), "no work branch on the remote");
    let lib = git::git(&remote, &["show", &format!("{branch}:src/lib.rs")]);
    assert!(lib.contains("        count,\n"), "{lib}");
    assert!(!lib.contains("return sum;"), "{lib}");
    // Clippy's fix changes no behaviour: no test-coverage component, and the functions it
    // touched are about as maintainable as before (50 is neutral).
    let evaluation: automaintainer::artifacts::Evaluation = serde_json::from_str(
        &std::fs::read_to_string(kept.join("artifacts/evaluation.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        evaluation.test_coverage.method,
        automaintainer::artifacts::Method::NotApplicable,
        "{:?}",
        evaluation.test_coverage
    );
    assert_eq!(evaluation.test_coverage.score, None);
    // One lint pass per commit: the evaluation took the base's clippy counts from the context
    // and the head's from the review instead of building both again.
    assert!(
        evaluation
            .code_quality
            .evidence
            .contains("before: reused from context, after: reused from review"),
        "{}",
        evaluation.code_quality.evidence
    );
    let maintainability = evaluation.maintainability.score.unwrap();
    assert!(
        (maintainability - 50.0).abs() <= 10.0,
        "{maintainability}: {}",
        evaluation.maintainability.evidence
    );
    std::fs::remove_dir_all(kept).unwrap();
}

/// A Python project whose module imports what it never uses; its test passes.
const PYTHON_PROJECT: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[project]\nname = \"shapes\"\nversion = \"0.1.0\"\n\n[tool.pytest.ini_options]\npythonpath = [\".\"]\n",
    ),
    ("shapes/__init__.py", "\"\"\"Shapes.\"\"\"\n"),
    (
        "shapes/geometry.py",
        "\"\"\"Areas.\"\"\"\nimport os\nimport sys\n\n\ndef area(width, height):\n    \"\"\"The area of a rectangle.\"\"\"\n    return width * height\n",
    ),
    (
        "tests/test_shapes.py",
        "from shapes.geometry import area\n\n\ndef test_area():\n    assert area(2, 3) == 6\n",
    ),
];

#[tokio::test]
async fn automaintainer_run_fixes_ruff_findings_in_a_python_repository() {
    crate::common::tools::assert_installed("ruff", &["--version"]);
    crate::common::tools::assert_installed("python3", &["-m", "pytest", "--version"]);
    let data = tempfile::tempdir().unwrap();
    let work = git::init_repo(&data.path().join("work"), PYTHON_PROJECT);
    let remote = git::bare_clone(&work, &data.path().join("remote.git"));
    let ran = run_locally(data.path(), &["--repository", remote.to_str().unwrap()]).await;
    ran.assert_ok();
    assert!(
        ran.stderr
            .contains("change: committed on branch automaintainer/lint-"),
        "{}",
        ran.stderr
    );

    // ruff removed the unused imports on the work branch, and pytest passed before the commit.
    let branches = git::git(&remote, &["branch", "--list", "automaintainer/*"]);
    let branch = branches.trim().trim_start_matches("* ").to_owned();
    let module = git::git(&remote, &["show", &format!("{branch}:shapes/geometry.py")]);
    assert!(
        !module.contains("import os") && !module.contains("import sys"),
        "{module}"
    );
    assert!(module.contains("def area(width, height):"), "{module}");
    // The clone was left as found: ruff kept no cache in it.
    let tree = git::git(&remote, &["ls-tree", "-r", "--name-only", &branch]);
    assert!(!tree.contains(".ruff_cache"), "{tree}");
}

/// A JavaScript package whose eslint configuration asks for `const` and whose test passes.
const JAVASCRIPT_PROJECT: &[(&str, &str)] = &[
    (
        "package.json",
        "{\"name\": \"cart\", \"version\": \"0.1.0\", \"type\": \"module\", \"scripts\": {\"test\": \"node --test\"}}\n",
    ),
    (
        "eslint.config.mjs",
        "export default [{ files: [\"**/*.js\"], rules: { \"prefer-const\": \"error\", \"no-unused-vars\": \"error\" } }];\n",
    ),
    (
        "src/cart.js",
        "export function total(prices) {\n  let sum = 0;\n  for (const p of prices) {\n    sum += p;\n  }\n  let tax = 2;\n  return sum + tax;\n}\n\nfunction unused() {}\n",
    ),
    (
        "test/cart.test.js",
        "import test from \"node:test\";\nimport assert from \"node:assert\";\nimport { total } from \"../src/cart.js\";\n\ntest(\"total\", () => {\n  assert.strictEqual(total([1, 2]), 5);\n});\n",
    ),
];

#[tokio::test]
async fn automaintainer_run_fixes_eslint_findings_in_a_javascript_repository() {
    crate::common::tools::assert_installed("eslint", &["--version"]);
    crate::common::tools::assert_installed("npm", &["--version"]);
    let data = tempfile::tempdir().unwrap();
    let work = git::init_repo(&data.path().join("work"), JAVASCRIPT_PROJECT);
    let remote = git::bare_clone(&work, &data.path().join("remote.git"));
    let ran = run_locally(data.path(), &["--repository", remote.to_str().unwrap()]).await;
    ran.assert_ok();
    assert!(
        ran.stderr
            .contains("change: committed on branch automaintainer/lint-"),
        "{}",
        ran.stderr
    );

    // eslint --fix made `tax` a const; the unused function, which it cannot fix, stays; npm
    // test passed before the commit.
    let branches = git::git(&remote, &["branch", "--list", "automaintainer/*"]);
    let branch = branches.trim().trim_start_matches("* ").to_owned();
    let cart = git::git(&remote, &["show", &format!("{branch}:src/cart.js")]);
    assert!(cart.contains("  const tax = 2;"), "{cart}");
    assert!(cart.contains("  let sum = 0;"), "{cart}");
    assert!(cart.contains("function unused() {}"), "{cart}");
}

#[tokio::test]
async fn show_prints_the_runs_pull_request_and_diff_after_the_run_directory_is_gone() {
    let data = tempfile::tempdir().unwrap();
    // No --keep-run-dir: cleanup removes the run directory, clone and artifacts included.
    let ran = run_locally(data.path(), &[]).await;
    ran.assert_ok();
    let last = ran.stderr.trim_end().lines().last().unwrap_or_default();
    let command = last
        .split("see the task, pull request and diff: ")
        .nth(1)
        .unwrap_or_else(|| panic!("the summary ends with the show command:\n{}", ran.stderr));
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&words[..2], ["automaintainer", "show"], "{command}");
    assert!(!ran.stderr.contains("kept: "));

    let show = |args: Vec<String>| {
        let data = data.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            Runner::new("automaintainer")
                .env("AM_DATA_DIR", &data)
                .args(&args)
                .run()
        })
    };
    let by_id = show(vec!["show".into(), words[2].into(), "--no-pager".into()])
        .await
        .unwrap();
    by_id.assert_ok();
    let out = &by_id.stdout;
    assert!(
        out.starts_with(&format!("run {} · succeeded", words[2])),
        "{out}"
    );
    assert!(out.contains("task: "), "{out}");
    assert!(
        out.contains("pull request #1 (open) on the local forge"),
        "{out}"
    );
    assert!(out.contains("branch: automaintainer/"), "{out}");
    let remote = data.path().join("example/remote.git");
    assert!(
        out.contains(&format!("where:  {}", remote.display())),
        "{out}"
    );
    assert!(out.contains("title: "), "{out}");
    assert!(
        out.contains("diff --git a/src/lib.rs b/src/lib.rs"),
        "{out}"
    );
    assert!(
        out.contains("\n-    return sum;"),
        "clippy's fix is in the diff: {out}"
    );
    // The printed command shows the same change on the remote.
    let look = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("look:   git "))
        .expect("a git command to look at the branch");
    let args: Vec<&str> = look.split_whitespace().collect();
    let log = git::git(data.path(), &args);
    assert!(log.contains("-    return sum;"), "{log}");

    // `latest` is the same run.
    let latest = show(vec!["show".into(), "--no-pager".into()])
        .await
        .unwrap();
    latest.assert_ok();
    assert_eq!(latest.stdout, by_id.stdout);
}

#[tokio::test]
async fn a_dry_run_leaves_the_patch_and_nothing_in_the_store_but_the_run() {
    crate::common::tools::assert_installed("ruff", &["--version"]);
    crate::common::tools::assert_installed("python3", &["-m", "pytest", "--version"]);
    let data = tempfile::tempdir().unwrap();
    let work = git::init_repo(&data.path().join("work"), PYTHON_PROJECT);
    let remote = git::bare_clone(&work, &data.path().join("remote.git"));
    let ran = run_locally(
        data.path(),
        &["--dry-run", "--repository", remote.to_str().unwrap()],
    )
    .await;
    ran.assert_ok();
    let named = |label: &str| {
        ran.stderr
            .lines()
            .find_map(|l| l.split(label).nth(1))
            .map(|p| PathBuf::from(p.trim()))
            .unwrap_or_else(|| panic!("no `{label}`:\n{}", ran.stderr))
    };
    let patch = std::fs::read_to_string(named("the change as a patch: ")).unwrap();
    assert!(patch.contains("-import os\n"), "{patch}");
    let text = std::fs::read_to_string(named("the pull request's text: ")).unwrap();
    assert!(text.starts_with("# "), "{text}");
    assert!(ran.stderr.contains("1 file changed"), "{}", ran.stderr);
    assert!(
        git::git(&remote, &["branch", "--list", "automaintainer/*"]).is_empty(),
        "nothing pushed"
    );

    let url = format!(
        "sqlite://{}",
        data.path().join("automaintainer.db").display()
    );
    let store = automaintainer::store::open(Some(&Secret::new(url.clone())))
        .await
        .unwrap();
    let stats = store.system_stats().await.unwrap();
    assert_eq!(
        (stats.total_runs, stats.prs_opened, stats.learnings),
        (1, 0, 0),
        "{stats:?}"
    );
    let sqlite = automaintainer::store::SqliteStore::connect(&url)
        .await
        .unwrap();
    let dry: Vec<bool> = sqlx::query_scalar("SELECT dry_run FROM agent_runs")
        .fetch_all(sqlite.pool())
        .await
        .unwrap();
    assert_eq!(dry, [true], "the run is recorded as a dry run");
    std::fs::remove_dir_all(named("kept: ")).unwrap();
}

/// After a maintainer breaks the checks on the PR's branch, the next `automaintainer run`
/// (local forge, offline) makes it a follow-up round: the checks run on the branch at setup, the
/// round says it needs a model (nothing pushed over the maintainer's commit), and the flow still
/// runs am-open-pr, which records the round as needing a human.
#[tokio::test]
async fn a_branch_broken_by_someone_else_is_followed_up_by_the_next_run() {
    let data = tempfile::tempdir().unwrap();
    run_locally(data.path(), &[]).await.assert_ok();
    let remote = data.path().join("example/remote.git");
    let branches = git::git(&remote, &["branch", "--list", "automaintainer/*"]);
    let branch = branches.trim().trim_start_matches("* ").to_owned();
    let theirs = git::push_as(
        "Maintainer",
        &remote,
        &branch,
        &[("src/broken.rs", "pub fn broken() -> u32 { \"no\" }\n")],
        "Start on something",
    );
    // The new file must be part of the crate for the checks to see it.
    let lib = git::git(&remote, &["show", &format!("{theirs}:src/lib.rs")]);
    let theirs = git::push_as(
        "Maintainer",
        &remote,
        &branch,
        &[("src/lib.rs", &format!("{lib}\npub mod broken;\n"))],
        "Wire it in",
    );

    let ran = run_locally(data.path(), &[]).await;
    ran.assert_ok();
    assert!(
        ran.stderr.contains("Address the feedback on PR #1"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("follow-up round 1 on pull request #1: nothing; needs a human"),
        "{}",
        ran.stderr
    );
    assert_eq!(git::git(&remote, &["rev-parse", &branch]), theirs);
    let url = format!(
        "sqlite://{}",
        data.path().join("automaintainer.db").display()
    );
    let store = automaintainer::store::open(Some(&Secret::new(url)))
        .await
        .unwrap();
    let id = remote.canonicalize().unwrap().display().to_string();
    let rounds = store.follow_up_rounds(&id, &branch).await.unwrap();
    assert_eq!(rounds.len(), 1, "{rounds:?}");
    assert_eq!(
        (rounds[0].outcome.as_str(), rounds[0].needs_human),
        ("nothing", true)
    );
    assert!(
        rounds[0].summary.contains("still failing"),
        "{}",
        rounds[0].summary
    );
}

#[tokio::test]
async fn a_dry_run_that_commits_nothing_is_still_recorded_and_shown_as_a_dry_run() {
    crate::common::tools::assert_installed("ruff", &["--version"]);
    let data = tempfile::tempdir().unwrap();
    // Nothing for the offline provider to do: no unused import left.
    let clean: Vec<(&str, &str)> = PYTHON_PROJECT
        .iter()
        .map(|(path, text)| {
            if *path == "shapes/geometry.py" {
                (*path, "\"\"\"Areas.\"\"\"\n\n\ndef area(width, height):\n    \"\"\"The area of a rectangle.\"\"\"\n    return width * height\n")
            } else {
                (*path, *text)
            }
        })
        .collect();
    let work = git::init_repo(&data.path().join("work"), &clean);
    let remote = git::bare_clone(&work, &data.path().join("remote.git"));
    let ran = run_locally(
        data.path(),
        &["--dry-run", "--repository", remote.to_str().unwrap()],
    )
    .await;
    ran.assert_ok();
    assert!(ran.stderr.contains("task: none ("), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(" (dry run)\n"),
        "the summary says it was a dry run:\n{}",
        ran.stderr
    );

    let url = format!(
        "sqlite://{}",
        data.path().join("automaintainer.db").display()
    );
    let store = automaintainer::store::open(Some(&Secret::new(url)))
        .await
        .unwrap();
    let (rows, _) = store
        .run_overview(&automaintainer::store::RunQuery::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, RunStatus::Nothing);
    assert!(rows[0].dry_run, "the store marks it: {:?}", rows[0]);
    let detail = store.run_detail(&rows[0].run_id).await.unwrap().unwrap();
    assert!(detail.overview.dry_run);
    // The dashboard's run list, run page and JSON show it as one.
    let page = |uri: String| {
        let store = store.clone();
        async move {
            use http_body_util::BodyExt;
            use tower::ServiceExt;
            let response = automaintainer::dashboard::app(
                store,
                automaintainer::dashboard::DashboardConfig::default(),
            )
            .oneshot(
                axum::http::Request::get(uri)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            String::from_utf8(bytes.to_vec()).unwrap()
        }
    };
    for uri in ["/timeline".to_owned(), format!("/runs/{}", rows[0].run_id)] {
        let html = page(uri.clone()).await;
        assert!(
            html.contains(r#"<span class="badge info dry-run">dry run</span>"#),
            "{uri}: {html}"
        );
    }
    let json = page("/api/data".to_owned()).await;
    assert!(json.contains(r#""dry_run":true"#), "{json}");
}

/// Ctrl-C on a local run records it as failed and releases its repository: the next run is not
/// turned away by the lock the interrupted one held (its lease would otherwise keep it for half
/// an hour). Over several repositories, no further one is started.
#[tokio::test]
async fn an_interrupted_run_releases_its_repository_for_the_next() {
    use std::io::BufRead as _;
    let data = tempfile::tempdir().unwrap();
    let work = git::init_repo(&data.path().join("work"), PYTHON_PROJECT);
    let remote = git::bare_clone(&work, &data.path().join("remote.git"));
    let repository = remote.to_str().unwrap().to_owned();
    let dir = data.path().to_path_buf();
    let given = repository.clone();
    // Two repositories asked for: Ctrl-C in the first stops it and starts no other.
    let interrupted = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(crate::common::bin::path("automaintainer"))
            .args(["run", "--repository", &given, "--repository", &given])
            .env("AM_DATA_DIR", &dir)
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .env_remove("DATABASE_URL")
            .env_remove("AM_FORGE")
            .env_remove("AM_REVIEW")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = String::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("[1/10] setup: done") {
                break;
            }
        }
        let status = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        for line in lines {
            seen.push_str(&line.unwrap());
            seen.push('\n');
        }
        (child.wait().unwrap(), seen)
    })
    .await
    .unwrap();
    let (status, stderr) = interrupted;
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("interrupted by Ctrl-C (SIGINT)"),
        "{stderr}"
    );
    assert!(!stderr.contains("repository 2 of 2"), "{stderr}");
    assert!(stderr.contains("1 not started (interrupted)"), "{stderr}");
    let url = format!(
        "sqlite://{}",
        data.path().join("automaintainer.db").display()
    );
    let store = automaintainer::store::open(Some(&Secret::new(url)))
        .await
        .unwrap();
    let stats = store.system_stats().await.unwrap();
    assert_eq!(
        (stats.total_runs, stats.failed_runs, stats.running_runs),
        (1, 1, 0),
        "the interrupted run is recorded as failed: {stats:?}"
    );

    let next = run_locally(data.path(), &["--repository", &repository]).await;
    next.assert_ok();
    assert!(
        !next.stderr.contains("another run holds the repository"),
        "{}",
        next.stderr
    );
    let stats = store.system_stats().await.unwrap();
    assert_eq!((stats.total_runs, stats.skipped_runs), (2, 0), "{stats:?}");
}

mod many;
mod one_at_a_time;
