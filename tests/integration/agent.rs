//! am-select and am-implement as binaries, on real fixture repositories, with the model stood in
//! for by an OpenAI-format stub server (or the offline provider and the real cargo tools).

use std::path::PathBuf;

use serde_json::{json, Value};
use wiremock::MockServer;

use crate::common::bin::{Ran, Runner};
use crate::common::git::{commit_files, git, rust_fixture};
use crate::common::llm_stub;

/// A run directory with a Rust fixture clone in it.
struct Run {
    _dir: tempfile::TempDir,
    run_dir: PathBuf,
    repo: PathBuf,
    target: PathBuf,
}

impl Run {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // The clone lives in a run directory am-setup would have made.
        let run_dir = dir.path().join("run");
        crate::common::run_dir::mark(&run_dir, "run-1");
        let (repo, _remote) = rust_fixture(&run_dir);
        let target = dir.path().join("cargo-target");
        Self {
            run_dir,
            repo,
            target,
            _dir: dir,
        }
    }

    fn outside(&self) -> PathBuf {
        self._dir.path().join("outside")
    }

    fn write_json(&self, name: &str, value: &Value) -> PathBuf {
        let path = self.run_dir.join(name);
        std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
        path
    }

    fn read_json(&self, name: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.run_dir.join(name)).unwrap()).unwrap()
    }

    fn input(&self, extra: Value) -> Value {
        let mut input = json!({
            "run_id": "run-1",
            "run_dir": self.run_dir,
            "repo": self.repo,
        });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            input.extend(extra.clone());
        }
        input
    }

    /// Runs `binary` with the single-request edit plan (`AM_LLM_AGENT=single`): the stubs of
    /// these tests answer one structured request at a time.
    async fn run(&self, binary: &str, input: Value) -> Ran {
        self.run_with(binary, input, &[("AM_LLM_AGENT", "single")])
            .await
    }

    /// Runs `binary` with `env` added.
    async fn run_with(&self, binary: &str, input: Value, env: &[(&str, &str)]) -> Ran {
        let target = self.target.clone();
        let binary = binary.to_owned();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        tokio::task::spawn_blocking(move || {
            let mut runner = Runner::new(&binary)
                .env("CARGO_TARGET_DIR", &target)
                .env("CARGO_TERM_COLOR", "never");
            for (key, value) in &env {
                runner = runner.env(key, value);
            }
            runner.input_json(&input).run()
        })
        .await
        .unwrap()
    }

    fn git(&self, args: &[&str]) -> String {
        git(&self.repo, args)
    }
}

fn task(kind: &str, title: &str, files: &[&str], issue: Option<u64>) -> Value {
    let mut task = json!({
        "kind": kind,
        "title": title,
        "rationale": "because",
        "target_files": files,
        "acceptance_criteria": ["the checks pass"],
    });
    if let Some(issue) = issue {
        task["issue"] = json!(issue);
    }
    json!({"selection": {"status": "selected", "task": task}})
}

fn context(findings: Value, issues: Value, learnings: Value) -> Value {
    json!({
        "repository": "fixture",
        "head_commit": "0000000",
        "summary": {"languages": [{"language": "Rust", "files": 1, "code_lines": 10}],
                    "build_systems": ["cargo"], "test_layout": ["#[cfg(test)] modules"],
                    "total_files": 3, "total_code_lines": 10, "total_bytes": 300},
        "repo_map": {"text": "src/lib.rs:\n  pub fn add(a: i32, b: i32) -> i32", "tokens": 10, "budget": 1000,
                     "ranked_files": [{"path": "src/lib.rs", "rank": 1.0}]},
        "findings": findings,
        "issues": issues,
        "history": {"recent_commits": [], "hot_files": []},
        "learnings": learnings,
        "check_commands": ["cargo test"],
    })
}

fn plan(title: &str, edits: Value) -> String {
    json!({"commit_title": title, "commit_body": "Why this change helps.", "edits": edits})
        .to_string()
}

const ADD_SUB: &str = "/// Subtracts `b` from `a`.\npub fn sub(a: i32, b: i32) -> i32 {\n    a - b\n}\n\n#[cfg(test)]";

fn passing_edit() -> Value {
    json!([{"action": "replace", "path": "src/lib.rs", "search": "#[cfg(test)]", "replace": ADD_SUB}])
}

fn lib_rs(run: &Run) -> String {
    std::fs::read_to_string(run.repo.join("src/lib.rs")).unwrap()
}

mod avoided;
mod explore;
mod implement;
mod offline;
mod select;
