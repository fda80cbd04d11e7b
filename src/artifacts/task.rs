//! `task.json`: the one task chosen, or why there is none (written by am-select).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Effect, Evidence, Learning, Usage};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaskFile {
    pub selection: Selection,
    /// Ids of the learnings that were in the prompt or shaped the choice, so their weight
    /// follows this run's outcome.
    #[serde(default)]
    pub learnings_used: Vec<i64>,
    /// The learnings that shaped the choice: ruled out findings, tools, paths or kinds, put a
    /// kind first, or (with a model) were in its prompt.
    #[serde(default)]
    pub shaped_by: Vec<ShapingLearning>,
    #[serde(default)]
    pub usage: Usage,
    /// The chosen task's fingerprint (kind, tool, target files and their content at the base):
    /// a failure of the task is remembered under it, and a success forgets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Tasks that were passed over because they failed before and are backing off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedTask>,
}

/// A task the selection passed over: it failed before and is not tried again yet.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SkippedTask {
    pub title: String,
    pub fingerprint: String,
    pub failures: i64,
    pub reason: String,
    pub retry_after: chrono::DateTime<chrono::Utc>,
}

impl SkippedTask {
    /// One line for the run's summary and logs.
    pub fn describe(&self) -> String {
        format!(
            "{} (failed {} time{}, last because {}; not tried again before {})",
            self.title,
            self.failures,
            if self.failures == 1 { "" } else { "s" },
            self.reason,
            self.retry_after.format("%Y-%m-%d %H:%M UTC")
        )
    }
}

/// A learning that shaped a task, with what it did and what it rests on.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShapingLearning {
    pub id: i64,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// The evidence, one citation a line ("PR #12, closed unmerged, by forge, ...").
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl From<&Learning> for ShapingLearning {
    fn from(learning: &Learning) -> Self {
        Self {
            id: learning.id,
            content: learning.content.clone(),
            effect: learning.effect.clone(),
            evidence: learning.evidence.iter().map(Evidence::cite).collect(),
        }
    }
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
    /// Answer the review findings and failing checks on one of the project's own open pull
    /// requests (chosen from `follow-up.json`, never by a model).
    FollowUp,
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
            Self::FollowUp => "follow_up",
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
    /// The project's own open pull request a follow-up task answers the feedback on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<u64>,
    /// The tool that carries the task out, when one does (`clippy`, `ruff`, `rustfmt`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The lint rules whose findings the task fixes (`clippy::len_zero`, `F401`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}
