//! `follow-up.json`: the project's own pull request whose review findings or failing checks this
//! run answers, as am-setup found it after the lifecycle sync (written by am-setup, read by
//! am-select, am-implement and am-open-pr). Everything a reviewer or a check wrote is untrusted.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FollowUpFile {
    /// The pull request this run follows up on; none when no open PR needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUp>,
    /// What was found of the other open PRs (no feedback, round limit reached, ...).
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    pub number: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub branch: String,
    pub base_branch: String,
    /// The PR's head commit the feedback is about; the round's change goes on top of it.
    pub head_commit: String,
    /// This round's number, from 1.
    pub round: u32,
    pub max_rounds: u32,
    pub findings: Vec<FeedbackItem>,
    pub failing_checks: Vec<FailingCheck>,
    /// The failing checks' names and conclusions, hashed: the same value after a round means
    /// the same checks failed the same way again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_signature: Option<String>,
}

impl FollowUp {
    /// The task's title: "Address the feedback on PR #N".
    pub fn title(&self) -> String {
        format!("Address the feedback on PR #{}", self.number)
    }
}

/// One open, actionable finding: CodeRabbit's, or a reviewer's with write access.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeedbackItem {
    /// Where it came from, stable across runs (`review-comment-12`, `review-3-finding-1`).
    pub id: String,
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_start: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_end: Option<u32>,
    pub title: String,
    /// The reviewer's text; untrusted.
    pub body: String,
    /// A change the reviewer proposed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum Suggestion {
    /// A ```suggestion block: the new text of lines `line_start..=line_end`.
    Committable(String),
    /// A ```diff block: `-` lines to find, `+` lines to put in their place.
    Diff(String),
}

/// A check of the head commit that failed: a GitHub check run or commit status, or (on the local
/// forge) one of the repository's checks run on the branch.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FailingCheck {
    pub name: String,
    /// `failure`, `timed_out`, `error`, ...
    pub conclusion: String,
    /// What the check said (its title, summary and output, capped); untrusted.
    pub output: String,
}

/// What one follow-up round did (in `implementation.json`; am-open-pr posts it as the round's
/// one comment and records it).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoundReport {
    pub number: u64,
    pub round: u32,
    pub max_rounds: u32,
    /// The PR's head the round started from.
    pub head_before: String,
    pub addressed: Vec<ItemOutcome>,
    pub not_addressed: Vec<ItemOutcome>,
    /// The PR's failing checks, each with what the round did about it.
    pub checks: Vec<ItemOutcome>,
    /// How many of the failing checks the round's change fixed (they failed on the head with
    /// the repository's checks and pass on the round's commit).
    pub checks_fixed: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_signature: Option<String>,
}

impl RoundReport {
    /// `fixed` (every finding and failing check answered), `partial`, or `nothing`.
    pub fn outcome(&self, committed: bool) -> &'static str {
        let checks_failing = u32::try_from(self.checks.len()).unwrap_or(u32::MAX);
        if !committed || (self.addressed.is_empty() && self.checks_fixed == 0) {
            "nothing"
        } else if self.not_addressed.is_empty() && self.checks_fixed >= checks_failing {
            "fixed"
        } else {
            "partial"
        }
    }
}

/// One finding or failing check, and what became of it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ItemOutcome {
    pub id: String,
    /// Where (`src/config.rs:27-29`) and what, in one line.
    pub title: String,
    /// How it was addressed, or why not.
    pub note: String,
}
