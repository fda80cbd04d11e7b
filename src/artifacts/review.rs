//! `review.json`: CodeRabbit's findings, or the local review's (written by am-review).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub source: ReviewSource,
    pub status: ReviewStatus,
    /// Why no real review happened (rate limited, paused, skipped, failed, timed out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    pub findings: Vec<ReviewFinding>,
    pub counts: ReviewCounts,
    /// 0-100, higher is more complex; from the walkthrough's effort estimate or measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complexity_score: Option<f64>,
    pub risk_flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewSource {
    Coderabbit,
    Local,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Reviewed,
    /// A notice said no real review happened; never read as a clean review.
    NotReviewed,
    /// There was no pull request to review.
    Nothing,
}

#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Major,
    Minor,
    Trivial,
    Info,
}

#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum FindingCategory {
    PotentialIssue,
    Security,
    Performance,
    Refactor,
    Style,
    Nitpick,
    Testing,
    Documentation,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReviewFinding {
    pub category: FindingCategory,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_start: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_end: Option<u32>,
    pub title: String,
    /// The reviewer's text; untrusted data.
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// Whether the reviewer counts it as actionable (not a nitpick or an aside).
    pub actionable: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReviewCounts {
    pub total: u32,
    pub actionable: u32,
    pub security: u32,
    pub performance: u32,
    pub style: u32,
    pub nitpicks: u32,
}
