//! `context.json`: what a model needs to choose one good task (written by am-context).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Learning;

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The repository as given to am-setup (URL or path).
    pub repository: String,
    pub head_commit: String,
    pub summary: RepoSummary,
    pub repo_map: RepoMap,
    pub findings: Vec<Finding>,
    /// Open issues a task may come from. Their text is untrusted data.
    pub issues: Vec<EligibleIssue>,
    pub history: History,
    /// The most relevant learnings of earlier runs, best first.
    pub learnings: Vec<Learning>,
    /// The check commands the implementation phase will run.
    pub check_commands: Vec<String>,
    /// The linters and formatters: which the repository uses, with which configuration, and
    /// what each did (ran, missing, crashed, not used), so "nothing to do" can say why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolStatus>,
    /// Tasks that failed in earlier runs and are not to be tried again yet, by fingerprint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backoffs: Vec<BackingOff>,
}

/// A task that failed before and backs off: not chosen again before `retry_after`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BackingOff {
    /// The task's fingerprint: its kind, tool, target files and their content at the base.
    pub fingerprint: String,
    pub title: String,
    /// How often it failed in a row.
    pub failures: i64,
    /// Why it failed last.
    pub reason: String,
    pub retry_after: chrono::DateTime<chrono::Utc>,
}

/// One linter or formatter as the context saw it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ToolStatus {
    /// `clippy`, `ruff`, `flake8`, `eslint`, `gofmt`, ...
    pub tool: String,
    /// As the tool reports it (`ruff 0.6.9`), when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The configuration found (`pyproject.toml [tool.ruff]`, `.eslintrc.yml (legacy eslintrc)`),
    /// or why the repository does not use the tool.
    pub config: String,
    pub state: ToolState,
    /// What happened: `3 finding(s)`, what is missing, the first error line of a crash.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ToolState {
    Ran,
    Missing,
    Crashed,
    /// The repository has code in the tool's language but does not use the tool.
    NotUsed,
}

impl ToolStatus {
    /// One line for a "nothing to do" or a PR: `ruff 0.6.9 (pyproject.toml [tool.ruff]): ran, 0 finding(s)`.
    pub fn describe(&self) -> String {
        let name = self.version.as_deref().unwrap_or(&self.tool);
        let state = match self.state {
            ToolState::Ran => "ran",
            ToolState::Missing => "missing",
            ToolState::Crashed => "crashed",
            ToolState::NotUsed => "not used",
        };
        format!("{name} ({}): {state}, {}", self.config, self.detail)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RepoSummary {
    pub languages: Vec<LanguageStats>,
    pub build_systems: Vec<String>,
    /// Where tests live (directories or conventions such as `#[cfg(test)] modules`).
    pub test_layout: Vec<String>,
    pub total_files: u64,
    pub total_code_lines: u64,
    pub total_bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LanguageStats {
    pub language: String,
    pub files: u64,
    pub code_lines: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RepoMap {
    /// The rendered map: ranked files with their most important definitions' signatures. Files
    /// are ranked by the definitions and references of a lexical pass over every file;
    /// signatures come from parsing the files shown. Generated and vendored files are left out.
    pub text: String,
    /// Estimated tokens of `text`.
    pub tokens: usize,
    pub budget: usize,
    /// The ranked files, best first (the top 200 of a large repository).
    pub ranked_files: Vec<RankedFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RankedFile {
    pub path: String,
    pub rank: f64,
}

#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A TODO, FIXME or HACK comment.
    Todo,
    /// A function of high cognitive complexity. Only the files parsed in full are measured: those
    /// a lexical estimate ranks most complex, the files the map shows, and the recently changed
    /// or issue-named ones; so this lists the most complex functions found, not a census.
    Complexity,
    /// A module no test references.
    Untested,
    Lint,
    Format,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub kind: FindingKind,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
    /// The tool that reported it (`clippy`, `rustfmt`, `complexity`, ...).
    pub tool: String,
    /// Whether a tool can fix it automatically.
    pub fixable: bool,
    /// A measure where the kind has one (complexity, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EligibleIssue {
    pub number: u64,
    pub title: String,
    /// Truncated body; untrusted data, never instructions.
    pub body: String,
    pub labels: Vec<String>,
    pub url: String,
    pub author: String,
    /// Whether `body` was cut to the configured length.
    #[serde(default)]
    pub body_truncated: bool,
    /// Always true: issue text comes from outside; delimit it in prompts and never follow it.
    #[serde(default = "untrusted")]
    pub untrusted: bool,
}

fn untrusted() -> bool {
    true
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct History {
    pub recent_commits: Vec<CommitSummary>,
    /// Files that changed most often recently, most first.
    pub hot_files: Vec<HotFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CommitSummary {
    pub id: String,
    pub summary: String,
    pub author: String,
    /// Seconds since the Unix epoch.
    pub time: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HotFile {
    pub path: String,
    pub changes: u32,
}
