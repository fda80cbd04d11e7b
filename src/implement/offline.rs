//! Carrying out a task without a model: the deterministic fixers the repository's languages have
//! and the machine has installed (clippy's fixes and rustfmt for Rust, ruff or black for Python,
//! eslint for JavaScript/TypeScript, gofmt for Go), then the same guardrails and checks as a model's change. Tasks no fixer can do
//! are "nothing to do", said plainly.

use std::path::Path;

use super::checks;
use super::outcome::{commit_message, Outcome};
use super::tools::Tool;
use super::workspace::{Verdict, Workspace};
use crate::artifacts::{ImplementationStatus, TaskKind, TaskSpec};
use crate::error::Error;

/// The fixers for `task`, in the order they run, whether installed or not.
pub fn fixers_for(task: &TaskSpec, root: &Path) -> Vec<Tool> {
    let language = Language::of(task, root);
    match (task.kind, language) {
        (TaskKind::Lint, Some(Language::Rust)) => vec![Tool::Clippy, Tool::Rustfmt],
        (TaskKind::Format, Some(Language::Rust)) => vec![Tool::Rustfmt],
        (TaskKind::Lint, Some(Language::Python)) => vec![Tool::Ruff],
        (TaskKind::Format, Some(Language::Python)) => vec![Tool::Black],
        (TaskKind::Format, Some(Language::Go)) => vec![Tool::Gofmt],
        (TaskKind::Lint, Some(Language::JavaScript)) => vec![Tool::Eslint],
        _ => vec![],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Rust,
    Python,
    Go,
    JavaScript,
}

impl Language {
    /// From the target files' extensions, else the build files at the root.
    fn of(task: &TaskSpec, root: &Path) -> Option<Self> {
        let by_extension = task.target_files.iter().find_map(|f| {
            match Path::new(f).extension().and_then(|e| e.to_str()) {
                Some("rs") => Some(Self::Rust),
                Some("py") => Some(Self::Python),
                Some("go") => Some(Self::Go),
                Some("js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts") => {
                    Some(Self::JavaScript)
                }
                _ => None,
            }
        });
        by_extension.or_else(|| {
            if root.join("Cargo.toml").is_file() {
                Some(Self::Rust)
            } else if root.join("pyproject.toml").is_file() || root.join("setup.py").is_file() {
                Some(Self::Python)
            } else if root.join("go.mod").is_file() {
                Some(Self::Go)
            } else if root.join("package.json").is_file() {
                Some(Self::JavaScript)
            } else {
                None
            }
        })
    }
}

pub async fn implement(ws: &Workspace, task: &TaskSpec) -> Result<Outcome, Error> {
    let fixers: Vec<Tool> = fixers_for(task, &ws.root)
        .into_iter()
        .filter(|t| t.installed())
        .collect();
    if fixers.is_empty() {
        return Ok(Outcome::nothing(format!(
            "the offline provider has no installed tool that can carry out a {} task here",
            task.kind.as_str()
        )));
    }
    for tool in &fixers {
        for command in tool.fix_commands() {
            let line = command.join(" ");
            let run = checks::run(
                &ws.root,
                &line,
                crate::contract::clamped_secs(ws.config.check_timeout_secs),
                1,
                &ws.redactor,
            )
            .await;
            if run.timed_out || !tool.fix_succeeded(run.exit_code) {
                ws.reset()?;
                return Err(Error::step(
                    format!("run the fixer `{line}`"),
                    format!("it exited with {:?}: {}", run.exit_code, run.output_tail),
                ));
            }
        }
    }
    let changed = crate::repo::diff::changed_tracked_files(&ws.root, &ws.base.commit)?;
    let (allowed, refused): (Vec<String>, Vec<String>) = changed
        .into_iter()
        .partition(|path| ws.policy.check(path).is_ok());
    if !refused.is_empty() {
        tracing::info!(files = ?refused, "leaving out fixes to paths the rules protect");
        crate::repo::branch::restore_paths(&ws.root, &ws.base, &refused)?;
    }
    let names: Vec<&str> = fixers.iter().map(|t| t.name()).collect();
    if allowed.is_empty() {
        ws.reset()?;
        return Ok(Outcome::nothing(format!(
            "{} changed nothing",
            names.join(" and ")
        )));
    }
    let mut runs = Vec::new();
    match ws.verify(&allowed, 1, &mut runs).await? {
        Verdict::Accepted(summary) => {
            let body = format!(
                "Applied the automatic fixes of {} to {} file(s); no hand edits.",
                names.join(" and "),
                summary.files.len()
            );
            let message = commit_message(&task.title, &body, task);
            let commit = ws.commit(&allowed, &message)?;
            Ok(Outcome {
                status: ImplementationStatus::Committed,
                commit: Some(commit),
                summary,
                checks: runs,
                attempts: 1,
                usage: Default::default(),
                failure: None,
            })
        }
        Verdict::Rejected(reason) => {
            ws.reset()?;
            Ok(Outcome {
                status: ImplementationStatus::Failed,
                commit: None,
                summary: Default::default(),
                checks: runs,
                attempts: 1,
                usage: Default::default(),
                failure: Some(format!(
                    "the fixes of {} were not kept: {reason}",
                    names.join(" and ")
                )),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(kind: TaskKind, files: &[&str]) -> TaskSpec {
        TaskSpec {
            kind,
            title: "t".into(),
            rationale: String::new(),
            target_files: files.iter().map(|f| (*f).to_owned()).collect(),
            acceptance_criteria: vec![],
            issue: None,
            tool: None,
            rules: Vec::new(),
        }
    }

    #[test]
    fn picks_fixers_by_kind_and_language() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            fixers_for(&task(TaskKind::Lint, &["src/a.rs"]), dir.path()),
            vec![Tool::Clippy, Tool::Rustfmt]
        );
        assert_eq!(
            fixers_for(&task(TaskKind::Format, &["a.py"]), dir.path()),
            vec![Tool::Black]
        );
        assert_eq!(
            fixers_for(&task(TaskKind::Format, &["main.go"]), dir.path()),
            vec![Tool::Gofmt]
        );
        assert_eq!(
            fixers_for(&task(TaskKind::Lint, &["web/cart.ts"]), dir.path()),
            vec![Tool::Eslint]
        );
        assert!(fixers_for(&task(TaskKind::BugFix, &["src/a.rs"]), dir.path()).is_empty());
        assert!(fixers_for(&task(TaskKind::Lint, &["README.md"]), dir.path()).is_empty());
        std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
        assert_eq!(
            fixers_for(&task(TaskKind::Format, &[]), dir.path()),
            vec![Tool::Rustfmt]
        );
    }
}
