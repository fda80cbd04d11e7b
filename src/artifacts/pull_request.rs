//! `pr.json`: the pull request am-open-pr created or updated.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PullRequestFile {
    pub action: PrAction,
    /// `github` or `local`.
    pub forge: String,
    /// The repository as owner/name (GitHub) or the bare remote's path (local).
    pub repository: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub branch: String,
    pub base_branch: String,
    /// The branch's head after this run (this run's commit, or what the branch already held).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_commit: Option<String>,
    pub title: String,
    pub body: String,
    pub draft: bool,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PrAction {
    Created,
    Updated,
    /// Dry run: what would have been done, nothing pushed.
    DryRun,
    /// A PR for the same task was closed unmerged and is not reopened.
    SkippedClosed,
    /// There was nothing to open (no commit).
    Nothing,
    /// The open PR already holds this change on this base: nothing was pushed.
    Unchanged,
    /// Others pushed to the branch and the change could not go on top of their commits without
    /// losing them: nothing was pushed, and the PR was told why.
    SkippedUpdate,
}
