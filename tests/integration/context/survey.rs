//! How am-context runs the repository's linters, watched through recording stand-ins for ruff put
//! first on the PATH: only for languages the repository has, side by side with their statuses in
//! a fixed order, and each tool's version asked once in a run, by whichever phase asks first.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use automaintainer::artifacts::{Context, ToolState};

use crate::common::bin::Runner;
use crate::common::git;

/// A directory with a recording `ruff` (each call's arguments appended to `calls.log`) before the
/// machine's PATH. `check` waits (at most 60 s) for `format --check` to have started when
/// `rendezvous` is set: it can only answer if the two run at the same time.
struct FakeRuff {
    bin: PathBuf,
    log: PathBuf,
}

impl FakeRuff {
    fn new(dir: &Path, rendezvous: bool) -> Self {
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let log = dir.join("calls.log");
        let marker = dir.join("format-started");
        let wait = if rendezvous {
            format!(
                "i=0; while [ ! -e '{m}' ]; do i=$((i+1)); [ $i -gt 600 ] && {{ echo 'error: format never started' >&2; exit 2; }}; sleep 0.1; done",
                m = marker.display()
            )
        } else {
            String::new()
        };
        let script = format!(
            r#"#!/bin/sh
echo "$*" >> '{log}'
case "$1" in
  --version) echo "ruff 0.6.9" ;;
  format) touch '{marker}'; echo "Would reformat: calc/ops.py" ;;
  check) {wait}
    echo '[{{"code":"F401","message":"`os` imported but unused","filename":"calc/ops.py","location":{{"row":1,"column":8}},"fix":{{"applicability":"safe"}}}}]' ;;
esac
exit 0
"#,
            log = log.display(),
            marker = marker.display(),
        );
        let ruff = bin.join("ruff");
        std::fs::write(&ruff, script).unwrap();
        std::fs::set_permissions(&ruff, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { bin, log }
    }

    fn path(&self) -> std::ffi::OsString {
        let mut dirs = vec![self.bin.clone()];
        dirs.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        std::env::join_paths(dirs).unwrap()
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// A run directory with a clone of `files` made by am-setup.
struct Surveyed {
    root: tempfile::TempDir,
    run_dir: PathBuf,
    database_url: String,
}

impl Surveyed {
    fn setup(files: &[(&str, &str)]) -> Self {
        let root = tempfile::tempdir().unwrap();
        let work = git::init_repo(&root.path().join("work"), files);
        let remote = git::bare_clone(&work, &root.path().join("remote.git"));
        let run_dir = root.path().join("run");
        let database_url = automaintainer::store::sqlite_url(&root.path().join("am.db"));
        Runner::new("am-setup")
            .env("DATABASE_URL", &database_url)
            .input_json(
                &json!({"run_id": "survey", "run_dir": run_dir, "repository": remote,
                                "cache_dir": root.path().join("cache")}),
            )
            .run()
            .assert_ok();
        Self {
            root,
            run_dir,
            database_url,
        }
    }

    /// Runs `binary` with the fake ruff first on the PATH, the sandbox off (the fake lives in a
    /// temporary directory the sandbox's private /tmp would hide).
    fn run(&self, binary: &str, ruff: &FakeRuff, input: Value) {
        Runner::new(binary)
            .env("DATABASE_URL", &self.database_url)
            .env("PATH", ruff.path())
            .env("CARGO_TARGET_DIR", self.root.path().join("target"))
            .input_json(&input)
            .run()
            .assert_ok();
    }

    fn context(&self, ruff: &FakeRuff) -> Context {
        self.run(
            "am-context",
            ruff,
            json!({"run_id": "survey", "run_dir": self.run_dir, "cache_dir": self.root.path().join("cache"),
                   "lint": true, "sandbox": "off", "forge": "local"}),
        );
        serde_json::from_str(&std::fs::read_to_string(self.run_dir.join("context.json")).unwrap())
            .unwrap()
    }
}

const PYTHON: &[(&str, &str)] = &[
    (
        "ruff.toml",
        "[lint]\nselect = [\"F\"]\n\n[format]\nquote-style = \"double\"\n",
    ),
    ("calc/__init__.py", ""),
    (
        "calc/ops.py",
        "import os\n\n\ndef add(a, b):\n    return a + b\n",
    ),
];

#[test]
fn a_crate_without_python_files_runs_no_ruff_whatever_it_configures() {
    let surveyed = Surveyed::setup(&[
        (
            "Cargo.toml",
            "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        // A ruff configuration left behind (or for a script since removed): no Python here.
        ("ruff.toml", "[lint]\nselect = [\"F\"]\n"),
        (
            "src/lib.rs",
            "//! A crate.\n\n/// One.\npub fn one() -> u32 {\n    1\n}\n",
        ),
    ]);
    let ruff = FakeRuff::new(surveyed.root.path(), false);
    let context = surveyed.context(&ruff);
    assert_eq!(ruff.calls(), Vec::<String>::new(), "ruff was started");
    let tools: Vec<&str> = context.tools.iter().map(|t| t.tool.as_str()).collect();
    assert!(
        tools.iter().all(|t| matches!(*t, "clippy" | "rustfmt")),
        "{tools:?}"
    );
    assert!(tools.contains(&"clippy"), "{tools:?}");
}

#[test]
fn linters_run_side_by_side_and_report_in_a_fixed_order() {
    let surveyed = Surveyed::setup(PYTHON);
    // `ruff check` answers only once `ruff format --check` has started: one after the other,
    // the check would give up and crash.
    let ruff = FakeRuff::new(surveyed.root.path(), true);
    let context = surveyed.context(&ruff);
    let statuses: Vec<(&str, ToolState, &str)> = context
        .tools
        .iter()
        .map(|t| (t.tool.as_str(), t.state, t.detail.as_str()))
        .collect();
    // The order of the project's tool list, though `ruff check` finished last.
    assert_eq!(
        statuses,
        [
            ("ruff", ToolState::Ran, "1 finding(s), 1 fixable"),
            ("flake8", ToolState::NotUsed, "not run"),
            ("pyflakes", ToolState::NotUsed, "not run"),
            ("black", ToolState::NotUsed, "not run"),
            ("ruff format", ToolState::Ran, "1 finding(s), 1 fixable"),
        ],
        "{:?}",
        context.tools
    );
    // The findings of both (the context lists them by kind, formatting first).
    let mut found: Vec<(&str, &str)> = context
        .findings
        .iter()
        .filter(|f| f.tool.starts_with("ruff"))
        .map(|f| (f.tool.as_str(), f.path.as_str()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [("ruff", "calc/ops.py"), ("ruff format", "calc/ops.py")]
    );
}

#[test]
fn a_later_phase_of_the_run_reuses_the_versions_the_context_asked() {
    let surveyed = Surveyed::setup(PYTHON);
    let ruff = FakeRuff::new(surveyed.root.path(), false);
    let context = surveyed.context(&ruff);
    let ruff_status = context.tools.iter().find(|t| t.tool == "ruff").unwrap();
    assert_eq!(ruff_status.version.as_deref(), Some("ruff 0.6.9"));
    let versions = |calls: &[String]| calls.iter().filter(|c| *c == "--version").count();
    // `ruff check` and `ruff format` share one executable: one question.
    assert_eq!(versions(&ruff.calls()), 1, "{:?}", ruff.calls());
    assert!(surveyed.run_dir.join("tool-versions.json").is_file());

    // The offline implementation of a ruff task checks that ruff is installed, then fixes.
    let task = json!({"selection": {"status": "selected", "task": {
        "kind": "lint", "title": "Fix 1 ruff finding in calc/ops.py", "rationale": "unused import",
        "target_files": ["calc/ops.py"], "acceptance_criteria": ["ruff reports nothing"]}}});
    std::fs::write(surveyed.run_dir.join("task.json"), task.to_string()).unwrap();
    surveyed.run(
        "am-implement",
        &ruff,
        json!({"run_id": "survey", "run_dir": surveyed.run_dir, "llm": "offline", "sandbox": "off"}),
    );
    let calls = ruff.calls();
    assert!(
        calls.iter().any(|c| c.contains("--fix")),
        "the implementation never reached ruff's fix: {calls:?}"
    );
    assert_eq!(versions(&calls), 1, "{calls:?}");
}
