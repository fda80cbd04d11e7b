//! `task.json`: the one task chosen, or why there is none (written by am-select).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Usage;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaskFile {
    pub selection: Selection,
    /// Ids of the learnings that were in the prompt, so their weight follows this run's outcome.
    #[serde(default)]
    pub learnings_used: Vec<i64>,
    #[serde(default)]
    pub usage: Usage,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Selection {
    Selected { task: TaskSpec },
    Nothing { reason: String },
}

impl Selection {
    pub fn task(&self) -> Option<&TaskSpec> {
        match self {
            Self::Selected { task } => Some(task),
            Self::Nothing { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    BugFix,
    Test,
    Refactor,
    Docs,
    Lint,
    Format,
    Dependency,
    Performance,
    Feature,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BugFix => "bug_fix",
            Self::Test => "test",
            Self::Refactor => "refactor",
            Self::Docs => "docs",
            Self::Lint => "lint",
            Self::Format => "format",
            Self::Dependency => "dependency",
            Self::Performance => "performance",
            Self::Feature => "feature",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    pub kind: TaskKind,
    pub title: String,
    pub rationale: String,
    /// Paths relative to the repository root.
    pub target_files: Vec<String>,
    pub acceptance_criteria: Vec<String>,
    /// The eligible issue this task resolves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<u64>,
}
