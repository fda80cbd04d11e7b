//! A run directory as am-open-pr and am-review find it: a clone at `<run_dir>/repo` whose origin
//! is a bare remote, a work branch with one commit, and `implementation.json`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::git::{bare_clone, commit_files, git, init_repo};

pub const BRANCH: &str = "automaintainer/handle-empty-config";

pub struct PrRun {
    pub run_dir: PathBuf,
    pub clone: PathBuf,
    pub remote: PathBuf,
    pub base_commit: String,
    pub head_commit: String,
}

impl PrRun {
    /// A run whose work branch changes `src/config.rs`.
    pub fn new(root: &Path) -> Self {
        Self::with_change(
            root,
            &[(
                "src/config.rs",
                "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {\n    if text.trim().is_empty() {\n        return Some(8080);\n    }\n    text.trim().parse().ok()\n}\n",
            )],
        )
    }

    /// A run whose work branch commits `files` on top of a small Rust crate.
    pub fn with_change(root: &Path, files: &[(&str, &str)]) -> Self {
        let run_dir = root.join("run");
        let clone = init_repo(
            &run_dir.join("repo"),
            &[
                ("Cargo.toml", "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"),
                ("src/lib.rs", "//! A fixture crate.\n\npub mod config;\n"),
                ("src/config.rs", "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {\n    text.trim().parse().ok()\n}\n"),
                (".gitignore", "target/\n"),
            ],
        );
        let remote = bare_clone(&clone, &root.join("remote.git"));
        git(
            &clone,
            &["remote", "add", "origin", remote.to_str().unwrap()],
        );
        let base_commit = git(&clone, &["rev-parse", "HEAD"]);
        git(&clone, &["checkout", "-q", "-b", BRANCH]);
        let head_commit = commit_files(&clone, files, "Handle an empty config file");
        let run = Self {
            run_dir,
            clone,
            remote,
            base_commit,
            head_commit,
        };
        run.write_implementation(Some(42));
        run
    }

    pub fn implementation(&self, issue: Option<u64>) -> Value {
        json!({
            "status": "committed",
            "task": {
                "kind": "bug_fix",
                "title": "Handle an empty config file",
                "rationale": "An empty config.toml makes the server exit at startup.",
                "target_files": ["src/config.rs"],
                "acceptance_criteria": ["an empty file loads the defaults"],
                "issue": issue
            },
            "branch": BRANCH,
            "base_branch": "main",
            "commit": self.head_commit,
            "base_commit": self.base_commit,
            "files": [{"path": "src/config.rs", "added": 3, "removed": 0}],
            "lines_added": 3,
            "lines_removed": 0,
            "checks": [
                {"command": "cargo test", "exit_code": 101, "passed": false, "duration_secs": 2.0, "timed_out": false, "output_tail": "", "attempt": 1},
                {"command": "cargo test", "exit_code": 0, "passed": true, "duration_secs": 2.0, "timed_out": false, "output_tail": "", "attempt": 2}
            ],
            "attempts": 2
        })
    }

    pub fn write_implementation(&self, issue: Option<u64>) {
        std::fs::write(
            self.run_dir.join("implementation.json"),
            serde_json::to_string_pretty(&self.implementation(issue)).unwrap(),
        )
        .unwrap();
    }

    /// The am-open-pr input for this run.
    pub fn open_pr_input(&self, repository: &str) -> Value {
        json!({
            "run_id": "run-1",
            "run_dir": self.run_dir,
            "repository": repository,
            // The GitHub stub has no git server: the branch goes to the bare remote.
            "push_to": self.remote,
        })
    }

    pub fn read(&self, name: &str) -> Value {
        let text = std::fs::read_to_string(self.run_dir.join(name)).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// The commit the bare remote has for the work branch, if any.
    pub fn remote_branch(&self) -> Option<String> {
        let out = std::process::Command::new("git")
            .args(["rev-parse", "--verify", "-q", BRANCH])
            .current_dir(&self.remote)
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}
