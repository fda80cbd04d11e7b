//! `implementation.json`: what am-implement did on the work branch.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{TaskSpec, Usage};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Implementation {
    pub status: ImplementationStatus,
    /// The task carried out (copied from task.json so later phases need only this file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskSpec>,
    pub branch: String,
    pub base_branch: String,
    /// The commit on the work branch; absent unless committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The base commit the branch starts from.
    pub base_commit: String,
    pub files: Vec<FileChange>,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// Every check run, in order, over all attempts.
    pub checks: Vec<CheckRun>,
    pub attempts: u32,
    #[serde(default)]
    pub usage: Usage,
    /// Why nothing was committed, when nothing was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// What the PR should say about how the change was checked: the tools and configuration
    /// used, tests that do not exist ("no tests"), what ran on the base.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A follow-up round's account: what was addressed, what not and why, the checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<super::RoundReport>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ImplementationStatus {
    /// A commit with the change is on the work branch and the checks passed.
    Committed,
    /// There was no task (task.json said "nothing worth doing").
    Nothing,
    /// The change could not be made to pass the checks; the branch was reset.
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileChange {
    pub path: String,
    pub added: u64,
    pub removed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckRun {
    pub command: String,
    /// None when the check was killed (timeout) or could not start.
    #[serde(default)]
    pub exit_code: Option<i32>,
    pub passed: bool,
    pub duration_secs: f64,
    pub timed_out: bool,
    /// The last lines of its combined output, capped and redacted.
    pub output_tail: String,
    pub attempt: u32,
}
