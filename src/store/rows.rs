//! Rows as both backends return them where the public record needs more than the columns:
//! `FromRow` works for PostgreSQL and SQLite alike, and the conversions check what SQL cannot
//! (or compute what it should not). Records that map column for column derive `FromRow`
//! themselves.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{PhaseTiming, RunOverviewRow, RunStatus, StoreError};

/// One row of `run_overview`.
#[derive(Debug, FromRow)]
pub struct OverviewRecord {
    pub run_id: String,
    pub repository: String,
    pub status: String,
    pub trigger: String,
    pub phase: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
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
}

/// The columns of `run_overview`, in order, for `SELECT`.
pub const OVERVIEW_COLUMNS: &str = "run_id, repository, status, trigger, phase, started_at, \
     finished_at, model, tokens, cost_usd, task_title, task_kind, pr_number, pr_url, pr_state, \
     pr_merged, evolution_score, review_findings, error";

impl TryFrom<OverviewRecord> for RunOverviewRow {
    type Error = StoreError;

    fn try_from(r: OverviewRecord) -> Result<Self, StoreError> {
        let status = RunStatus::parse(&r.status).ok_or_else(|| {
            StoreError::Corrupt(format!("run {} has status {:?}", r.run_id, r.status))
        })?;
        // Computed here rather than in SQL so both backends give the same value to the
        // microsecond (SQLite's julianday arithmetic would not).
        let duration_secs = r
            .finished_at
            .map(|end| (end - r.started_at).num_microseconds().unwrap_or(0) as f64 / 1e6);
        Ok(Self {
            run_id: r.run_id,
            repository: r.repository,
            status,
            trigger: r.trigger,
            phase: r.phase,
            started_at: r.started_at,
            finished_at: r.finished_at,
            duration_secs,
            model: r.model,
            tokens: r.tokens,
            cost_usd: r.cost_usd,
            task_title: r.task_title,
            task_kind: r.task_kind,
            pr_number: r.pr_number,
            pr_url: r.pr_url,
            pr_state: r.pr_state,
            pr_merged: r.pr_merged,
            evolution_score: r.evolution_score,
            review_findings: r.review_findings,
            error: r.error,
            dry_run: false,
        })
    }
}

/// One row of `run_phases`.
#[derive(Debug, FromRow)]
pub struct PhaseRecord {
    pub phase: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: String,
}

impl TryFrom<PhaseRecord> for PhaseTiming {
    type Error = StoreError;

    fn try_from(r: PhaseRecord) -> Result<Self, StoreError> {
        let status = RunStatus::parse(&r.status).ok_or_else(|| {
            StoreError::Corrupt(format!("phase {} has status {:?}", r.phase, r.status))
        })?;
        Ok(Self {
            phase: r.phase,
            started_at: r.started_at,
            finished_at: r.finished_at,
            status,
        })
    }
}

/// The columns of `learnings` that make a `LearningRow`, in order, for `SELECT`.
pub const LEARNING_COLUMNS: &str = "id, repository, kind, content, source, weight, uses, \
     created_at, updated_at, effect_action, effect_target, evidence, last_used_at, retired_at, \
     retired_reason";

/// The columns of `pull_requests` that make a `PullRequestRow`, in order, for `SELECT`.
pub const PULL_REQUEST_COLUMNS: &str = "run_id, repository, forge, number, url, branch, title, \
     state, merged, head_commit, created_at, updated_at";

/// Runs `TryFrom` over a list.
pub fn convert<R, T: TryFrom<R, Error = StoreError>>(rows: Vec<R>) -> Result<Vec<T>, StoreError> {
    rows.into_iter().map(T::try_from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn overview(status: &str, finished: Option<DateTime<Utc>>) -> OverviewRecord {
        OverviewRecord {
            run_id: "r".into(),
            repository: "repo".into(),
            status: status.into(),
            trigger: "manual".into(),
            phase: None,
            started_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            finished_at: finished,
            model: String::new(),
            tokens: 0,
            cost_usd: 0.0,
            task_title: None,
            task_kind: None,
            pr_number: None,
            pr_url: None,
            pr_state: None,
            pr_merged: None,
            evolution_score: None,
            review_findings: None,
            error: None,
        }
    }

    #[test]
    fn duration_comes_from_the_timestamps_and_status_must_be_known() {
        let end = Utc.with_ymd_and_hms(2026, 1, 1, 0, 1, 30).unwrap()
            + chrono::Duration::microseconds(250);
        let row = RunOverviewRow::try_from(overview("succeeded", Some(end))).unwrap();
        assert_eq!(row.duration_secs, Some(90.00025));
        assert_eq!(
            RunOverviewRow::try_from(overview("running", None))
                .unwrap()
                .duration_secs,
            None
        );
        assert!(matches!(
            RunOverviewRow::try_from(overview("exploded", None)),
            Err(StoreError::Corrupt(_))
        ));
    }
}
