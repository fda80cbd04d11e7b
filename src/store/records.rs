//! The rows the store reads and writes, independent of the backend; those that map a table's
//! columns one for one decode straight from a query (`FromRow`).

use super::change::{PullRequestRun, RunChange};
use super::transcript::RunTranscript;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::artifacts::Evidence;
use crate::artifacts::{
    Context, Effect, EffectAction, Evaluation, EvidenceList, Implementation, Learning,
    PullRequestFile, Review, TaskFile,
};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    /// Finished with a pull request (or a dry run of one).
    Succeeded,
    /// Finished with nothing worth doing.
    Nothing,
    Failed,
    /// Lost its process (killed, or its machine or store gone): its lease expired while it was
    /// running. Counted neither as failed nor as succeeded.
    Abandoned,
    /// Turned away at setup because another run held its repository: nothing was cloned or
    /// changed. Counted neither as failed nor as succeeded.
    Skipped,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Nothing => "nothing",
            Self::Failed => "failed",
            Self::Abandoned => "abandoned",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "running" => Some(Self::Running),
            "succeeded" => Some(Self::Succeeded),
            "nothing" => Some(Self::Nothing),
            "failed" => Some(Self::Failed),
            "abandoned" => Some(Self::Abandoned),
            "skipped" => Some(Self::Skipped),
            _ => None,
        }
    }
}

/// A run as registered by am-setup.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub run_id: String,
    pub repository: String,
    /// `schedule`, `manual`, `api`, `local`, ...
    pub trigger: String,
    pub model: String,
    pub started_at: DateTime<Utc>,
}

/// Whatever artifacts of one run exist, to be recorded in one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunArtifacts {
    pub run_id: String,
    pub context: Option<Context>,
    pub task: Option<TaskFile>,
    pub implementation: Option<Implementation>,
    pub pull_request: Option<PullRequestFile>,
    pub review: Option<Review>,
    pub evaluation: Option<Evaluation>,
    /// What the run changed (its diff and commits), recorded with the artifacts.
    pub change: Option<RunChange>,
    /// The model's conversation (transcript.jsonl), recorded with the artifacts.
    pub transcript: Option<RunTranscript>,
    /// A failed phase, recorded in the same transaction (the run reads failed).
    pub failure: Option<RunFailure>,
    /// Closes the run with this status in the same transaction (a failed run stays failed).
    pub status: Option<RunStatus>,
}

/// A failed phase, recorded so a failed run is never lost.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFailure {
    pub run_id: String,
    pub phase: String,
    pub message: String,
    pub at: DateTime<Utc>,
}

/// One row of `run_overview`: a run with its PR and score, as the dashboard lists it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RunOverviewRow {
    pub run_id: String,
    pub repository: String,
    pub status: RunStatus,
    pub trigger: String,
    /// The phase reached, or the phase that failed.
    pub phase: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_secs: Option<f64>,
    pub model: String,
    pub tokens: i64,
    pub cost_usd: f64,
    pub task_title: Option<String>,
    pub task_kind: Option<String>,
    pub pr_number: Option<i64>,
    pub pr_url: Option<String>,
    pub pr_state: Option<String>,
    pub pr_merged: Option<bool>,
    pub evolution_score: Option<f64>,
    pub review_findings: Option<i64>,
    pub error: Option<String>,
    /// A dry run: it did everything but push and open the pull request.
    #[serde(default)]
    pub dry_run: bool,
}

/// Filters and paging for `run_overview`, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunQuery {
    pub repository: Option<String>,
    pub status: Option<RunStatus>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    /// Where a keyset page starts; when set, `page` is only a label and no row is skipped.
    pub cursor: Option<RunCursor>,
}

/// A keyset position in the run list (newest first): the page holds the runs just older than
/// this run, or (`newer`) just newer, read straight from the index, so a deep page costs what
/// the first one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCursor {
    pub started_at: DateTime<Utc>,
    pub run_id: String,
    pub newer: bool,
}

impl RunCursor {
    /// The cursor's text in a link: `<started_at, RFC 3339 to the microsecond>~<run_id>`.
    pub fn text(&self) -> String {
        format!(
            "{}~{}",
            self.started_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.run_id
        )
    }

    /// Reads [`RunCursor::text`]; None when it is not one.
    pub fn parse(text: &str, newer: bool) -> Option<Self> {
        let (at, run_id) = text.split_once('~')?;
        let started_at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        (!run_id.is_empty()).then(|| Self {
            started_at,
            run_id: run_id.to_owned(),
            newer,
        })
    }
}

impl RunQuery {
    /// The most rows one page holds.
    pub const MAX_PER_PAGE: u32 = 500;

    /// (LIMIT, OFFSET) for this page; page 0 reads as 1 and `per_page` is kept within 1..=500.
    pub fn limit_offset(&self) -> (i64, i64) {
        let per_page = self.per_page.clamp(1, Self::MAX_PER_PAGE);
        let page = self.page.max(1);
        (
            i64::from(per_page),
            i64::from(page - 1) * i64::from(per_page),
        )
    }
}

impl Default for RunQuery {
    fn default() -> Self {
        Self {
            repository: None,
            status: None,
            page: 1,
            per_page: 25,
            cursor: None,
        }
    }
}

/// `system_stats`: the dashboard's headline numbers.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, FromRow)]
pub struct SystemStats {
    pub total_runs: i64,
    pub succeeded_runs: i64,
    pub failed_runs: i64,
    pub nothing_runs: i64,
    pub running_runs: i64,
    /// Runs whose lease expired: neither failed nor succeeded, and not in the success rate.
    #[serde(default)]
    pub abandoned_runs: i64,
    /// Runs turned away because another run held their repository: neither failed nor
    /// succeeded, and not in the success rate.
    #[serde(default)]
    pub skipped_runs: i64,
    /// succeeded / finished runs, 0-1; None before any run finished.
    #[sqlx(skip)]
    pub success_rate: Option<f64>,
    pub prs_opened: i64,
    pub prs_merged: i64,
    pub average_score: Option<f64>,
    pub total_tokens: i64,
    pub total_cost_usd: f64,
    pub learnings: i64,
    pub last_run_at: Option<DateTime<Utc>>,
}

impl SystemStats {
    /// Fills in `success_rate` from the counts (the view has no column for it).
    pub(crate) fn with_success_rate(self) -> Self {
        let finished = self.succeeded_runs + self.failed_runs + self.nothing_runs;
        Self {
            success_rate: (finished > 0).then(|| self.succeeded_runs as f64 / finished as f64),
            ..self
        }
    }
}

/// A pull request as the store knows it (the local forge's PRs live only here).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, FromRow)]
pub struct PullRequestRow {
    pub run_id: String,
    pub repository: String,
    pub forge: String,
    pub number: Option<i64>,
    pub url: Option<String>,
    pub branch: String,
    pub title: String,
    /// `open`, `closed`, `merged`, `dry_run`, ...
    pub state: String,
    pub merged: bool,
    pub head_commit: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A learning to add or reinforce.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLearning {
    pub repository: String,
    pub kind: String,
    pub content: String,
    /// Where it came from: `review`, `checks`, `outcome`, `reflection`.
    pub source: String,
    pub run_id: Option<String>,
    pub weight: f64,
    /// What it changes; None only for a model's free-form reflection.
    pub effect: Option<Effect>,
    pub evidence: Vec<Evidence>,
}

/// What makes an outcome of a pull request new, so it is applied once.
#[derive(Debug, Clone, PartialEq)]
pub enum OutcomeEvent {
    /// The PR's state changed to `state` (`merged`, `closed`); applied when the stored state
    /// differs.
    State { state: String, merged: bool },
    /// Review `review_id` by `reviewer` asked for changes; applied when not recorded yet.
    Review { review_id: i64, reviewer: String },
}

/// The learning an outcome teaches: a stored one it reinforces, or one to add (which, like
/// [`Store::add_learning`](super::Store::add_learning), reinforces a row of the same wording).
#[derive(Debug, Clone, PartialEq)]
pub enum OutcomeLearning {
    /// Raises learning `id`'s weight and adds `evidence` to what it cites.
    Reinforce {
        id: i64,
        weight: f64,
        evidence: Vec<Evidence>,
    },
    Add(NewLearning),
}

/// One outcome of the PR of (`repository`, `branch`), applied to the learnings as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRecord {
    pub repository: String,
    pub branch: String,
    pub event: OutcomeEvent,
    /// The run whose used learnings are re-weighted by `weight_delta`.
    pub run_id: String,
    pub weight_delta: f64,
    /// The outcome's own learnings (a closed PR may avoid several rules).
    pub learnings: Vec<OutcomeLearning>,
}

/// What applying an outcome did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeApplied {
    /// The learnings the run used, re-weighted.
    pub adjusted: Vec<i64>,
    /// The outcome's learnings, each with whether it is a new row.
    pub learnings: Vec<(i64, bool)>,
}

/// A stored learning with its bookkeeping.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, FromRow)]
pub struct LearningRow {
    pub id: i64,
    pub repository: String,
    pub kind: String,
    pub content: String,
    pub source: String,
    pub weight: f64,
    pub uses: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `avoid_rule`, `avoid_tool`, `avoid_path`, `avoid_kind`, `prefer_kind` or `instruct`.
    pub effect_action: Option<String>,
    pub effect_target: Option<String>,
    #[sqlx(try_from = "String")]
    pub evidence: EvidenceList,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Set when the learning expired unused, its evidence stopped holding, or it merged into
    /// another; a retired learning is never retrieved.
    pub retired_at: Option<DateTime<Utc>>,
    pub retired_reason: Option<String>,
}

impl LearningRow {
    /// What the learning changes, when it says.
    pub fn effect(&self) -> Option<Effect> {
        let action = EffectAction::parse(self.effect_action.as_deref()?)?;
        Some(Effect::new(
            action,
            self.effect_target.clone().unwrap_or_default(),
        ))
    }
}

impl From<&LearningRow> for Learning {
    fn from(row: &LearningRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind.clone(),
            content: row.content.clone(),
            weight: row.weight,
            score: row.weight,
            effect: row.effect(),
            evidence: row.evidence.0.clone(),
        }
    }
}

/// One row of the error log.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, FromRow)]
pub struct ErrorRow {
    pub run_id: String,
    pub phase: String,
    pub message: String,
    pub at: DateTime<Utc>,
}

/// Everything about one run, for `/runs/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RunDetail {
    pub overview: RunOverviewRow,
    /// The stored artifacts as JSON, by name (`task`, `implementation`, `review`, ...).
    pub artifacts: serde_json::Map<String, serde_json::Value>,
    pub errors: Vec<ErrorRow>,
    pub learnings_used: Vec<LearningRow>,
    pub learnings_produced: Vec<LearningRow>,
    /// The phases the run went through, in the order they started.
    #[serde(default)]
    pub phases: Vec<PhaseTiming>,
    /// What the run changed, when it was recorded.
    #[serde(default)]
    pub change: Option<RunChange>,
    /// Every run that created or updated this run's pull request, oldest first.
    #[serde(default)]
    pub pull_request_runs: Vec<PullRequestRun>,
    /// The model's conversation, when one was recorded.
    #[serde(default)]
    pub transcript: Option<RunTranscript>,
}

/// One phase of a run and how long it took.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PhaseTiming {
    pub phase: String,
    pub started_at: DateTime<Utc>,
    /// None while the phase runs.
    pub finished_at: Option<DateTime<Utc>>,
    /// `Running`, `Succeeded` (the next phase started or the run closed) or `Failed`.
    pub status: RunStatus,
}

impl PhaseTiming {
    pub fn duration_secs(&self) -> Option<f64> {
        self.finished_at
            .map(|end| (end - self.started_at).num_microseconds().unwrap_or(0) as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_rate_counts_finished_runs_only() {
        let stats = |succeeded, failed, nothing, running| {
            SystemStats {
                total_runs: succeeded + failed + nothing + running,
                succeeded_runs: succeeded,
                failed_runs: failed,
                nothing_runs: nothing,
                running_runs: running,
                ..SystemStats::default()
            }
            .with_success_rate()
        };
        assert_eq!(stats(0, 0, 0, 2).success_rate, None);
        assert_eq!(stats(3, 1, 0, 5).success_rate, Some(0.75));
        let with_skipped = SystemStats {
            skipped_runs: 4,
            abandoned_runs: 2,
            ..stats(3, 1, 0, 0)
        }
        .with_success_rate();
        assert_eq!(
            with_skipped.success_rate,
            Some(0.75),
            "skipped runs stay out"
        );
    }
}
