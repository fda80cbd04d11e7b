//! The pull request's title and body, written from `implementation.json`: why (with the findings
//! in full, collapsed after ten, and the tool, version and configuration that reported them),
//! what changed, the checks that ran and how they ended (and "no tests" where there are none),
//! and `Closes #N` when the task came from an issue.

use std::fmt::Write as _;

use crate::artifacts::{CheckRun, Implementation};
use crate::secrets::Redactor;

/// Marks a body as ours, so a reader (or a later run) can tell which task it belongs to.
pub const BODY_MARKER: &str = "<!-- automaintainer -->";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrText {
    pub title: String,
    pub body: String,
}

/// GitHub refuses titles over 256 characters.
const MAX_TITLE_CHARS: usize = 256;

/// The PR text for an implementation, with every secret redacted.
pub fn compose(implementation: &Implementation, redactor: &Redactor) -> PrText {
    let task = implementation.task.as_ref();
    let title = task
        .map(|t| t.title.trim().to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| format!("Automated maintenance on {}", implementation.branch));
    let title: String = title.chars().take(MAX_TITLE_CHARS).collect();

    let mut body = String::new();
    if let Some(task) = task {
        let _ = writeln!(body, "## Why\n\n{}\n", task.rationale.trim());
        if !task.acceptance_criteria.is_empty() {
            body.push_str("Done when:\n");
            for criterion in &task.acceptance_criteria {
                let _ = writeln!(body, "- {}", criterion.trim());
            }
            body.push('\n');
        }
    }
    let _ = writeln!(
        body,
        "## What changed\n\n{} file(s), +{} -{} lines:\n",
        implementation.files.len(),
        implementation.lines_added,
        implementation.lines_removed
    );
    for file in &implementation.files {
        let _ = writeln!(
            body,
            "- `{}` (+{} -{})",
            file.path, file.added, file.removed
        );
    }
    body.push('\n');
    body.push_str(&checks_section(&implementation.checks));
    for note in &implementation.notes {
        let _ = writeln!(body, "- {}", note.trim());
    }
    if !implementation.notes.is_empty() {
        body.push('\n');
    }
    if let Some(issue) = task.and_then(|t| t.issue) {
        let _ = writeln!(body, "Closes #{issue}\n");
    }
    body.push_str("---\nOpened by AutoMaintainer.\n");
    body.push_str(BODY_MARKER);
    body.push('\n');
    PrText {
        title: redactor.redact(&title),
        body: redactor.redact(&body),
    }
}

/// The final result of each check command (its last attempt), in the order they first ran.
fn checks_section(checks: &[CheckRun]) -> String {
    let mut text = String::from("## Checks\n\n");
    if checks.is_empty() {
        text.push_str("No checks ran.\n\n");
        return text;
    }
    let mut commands: Vec<&str> = Vec::new();
    for check in checks {
        if !commands.contains(&check.command.as_str()) {
            commands.push(&check.command);
        }
    }
    text.push_str("| check | result | attempts |\n|---|---|---|\n");
    for command in commands {
        let runs: Vec<&CheckRun> = checks.iter().filter(|c| c.command == command).collect();
        let Some(last) = runs.last() else { continue };
        let result = if last.passed {
            "passed".to_owned()
        } else if last.timed_out {
            "timed out".to_owned()
        } else {
            match last.exit_code {
                Some(code) => format!("failed (exit {code})"),
                None => "failed to start".to_owned(),
            }
        };
        let _ = writeln!(
            text,
            "| `{}` | {} | {} |",
            command.replace('|', "\\|"),
            result,
            runs.len()
        );
    }
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{FileChange, ImplementationStatus, TaskKind, TaskSpec, Usage};

    fn check(command: &str, passed: bool, attempt: u32) -> CheckRun {
        CheckRun {
            command: command.into(),
            exit_code: Some(if passed { 0 } else { 101 }),
            passed,
            duration_secs: 1.0,
            timed_out: false,
            output_tail: String::new(),
            attempt,
        }
    }

    pub(crate) fn implementation(issue: Option<u64>) -> Implementation {
        Implementation {
            status: ImplementationStatus::Committed,
            task: Some(TaskSpec {
                kind: TaskKind::BugFix,
                title: "Handle an empty config file".into(),
                rationale: "An empty file panics at startup; key ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked".into(),
                target_files: vec!["src/config.rs".into()],
                acceptance_criteria: vec!["empty files load defaults".into()],
                issue,
                pull_request: None,
                tool: None,
                rules: Vec::new(),
            }),
            branch: "automaintainer/handle-empty-config".into(),
            base_branch: "main".into(),
            commit: Some("abc123".into()),
            base_commit: "def456".into(),
            files: vec![FileChange { path: "src/config.rs".into(), added: 7, removed: 2 }],
            lines_added: 7,
            lines_removed: 2,
            checks: vec![check("cargo test", false, 1), check("cargo test", true, 2), check("cargo clippy", true, 2)],
            attempts: 2,
            usage: Usage::default(),
            failure: None,
            notes: vec![],
            follow_up: None,
        }
    }

    #[test]
    fn body_has_rationale_changes_checks_and_closes_line() {
        let text = compose(&implementation(Some(42)), &Redactor::default());
        assert_eq!(text.title, "Handle an empty config file");
        assert!(text.body.contains("An empty file panics at startup"));
        assert!(text.body.contains("- `src/config.rs` (+7 -2)"));
        assert!(
            text.body.contains("| `cargo test` | passed | 2 |"),
            "{}",
            text.body
        );
        assert!(text.body.contains("| `cargo clippy` | passed | 1 |"));
        assert!(text.body.contains("Closes #42"));
        assert!(!text.body.contains("ghp_abc"), "secrets are redacted");
    }

    #[test]
    fn no_closes_line_without_an_issue() {
        let text = compose(&implementation(None), &Redactor::default());
        assert!(!text.body.contains("Closes #"));
    }

    #[test]
    fn notes_say_how_the_change_was_made_and_checked() {
        let mut implementation = implementation(None);
        implementation.notes = vec![
            "Made with ruff 0.6.9, configuration: pyproject.toml [tool.ruff].".into(),
            "No tests: `pytest` found no tests on the base.".into(),
        ];
        let text = compose(&implementation, &Redactor::default());
        assert!(
            text.body.contains("| `cargo clippy` | passed | 1 |\n\n- Made with ruff 0.6.9, configuration: pyproject.toml [tool.ruff].\n- No tests: `pytest` found no tests on the base.\n"),
            "{}",
            text.body
        );
    }
}
