//! What carrying out a task came to, whichever way it was carried out.

use crate::artifacts::{CheckRun, ImplementationStatus, Usage};
use crate::repo::diff::DiffSummary;

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: ImplementationStatus,
    pub commit: Option<String>,
    pub summary: DiffSummary,
    pub checks: Vec<CheckRun>,
    pub attempts: u32,
    pub usage: Usage,
    /// Why nothing was committed, when nothing was.
    pub failure: Option<String>,
    /// How the change was made and checked, for the PR.
    pub notes: Vec<String>,
}

impl Outcome {
    pub fn nothing(reason: impl Into<String>) -> Self {
        Self {
            status: ImplementationStatus::Nothing,
            commit: None,
            summary: DiffSummary::default(),
            checks: Vec::new(),
            attempts: 0,
            usage: Usage::default(),
            failure: Some(reason.into()),
            notes: Vec::new(),
        }
    }
}

/// The commit message: the change's title, its explanation, and where it came from.
pub fn commit_message(title: &str, body: &str, task: &crate::artifacts::TaskSpec) -> String {
    let mut title = title.lines().next().unwrap_or_default().trim().to_owned();
    if title.is_empty() {
        title = task.title.clone();
    }
    if title.chars().count() > 72 {
        title = title.chars().take(69).collect::<String>() + "...";
    }
    let mut message = format!("{title}\n\n");
    let body = body.trim();
    if !body.is_empty() {
        message.push_str(body);
        message.push_str("\n\n");
    }
    message.push_str(&format!("Task ({}): {}\n", task.kind.as_str(), task.title));
    if let Some(issue) = task.issue {
        message.push_str(&format!("Resolves #{issue}\n"));
    }
    message.push_str("\nChange made by AutoMaintainer; the repository's checks passed.\n");
    message
}
