//! Follow-up rounds (`follow_up_rounds`). Compiled once per backend; `super::dialect` supplies
//! what differs.

use super::dialect::{self, Pool};
use crate::store::rounds::FollowUpRound;
use crate::store::StoreError;

const COLUMNS: &str = "repository, branch, round, run_id, number, head_before, head_after,
    findings_total, findings_addressed, checks_failing, checks_fixed, outcome, failure_signature,
    summary, needs_human, created_at";

/// Records a round; the same round again (a retried phase) replaces it.
pub async fn record(pool: &Pool, round: &FollowUpRound) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO follow_up_rounds ({COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (repository, branch, round) DO UPDATE SET run_id = $4, number = $5,
             head_before = $6, head_after = $7, findings_total = $8, findings_addressed = $9,
             checks_failing = $10, checks_fixed = $11, outcome = $12, failure_signature = $13,
             summary = $14, needs_human = $15"
    ))
    .bind(&round.repository)
    .bind(&round.branch)
    .bind(round.round)
    .bind(&round.run_id)
    .bind(round.number)
    .bind(&round.head_before)
    .bind(&round.head_after)
    .bind(round.findings_total)
    .bind(round.findings_addressed)
    .bind(round.checks_failing)
    .bind(round.checks_fixed)
    .bind(&round.outcome)
    .bind(&round.failure_signature)
    .bind(&round.summary)
    .bind(round.needs_human)
    .bind(dialect::time(round.created_at))
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "record follow-up round {} of {} {}",
        round.round, round.repository, round.branch
    )))?;
    Ok(())
}

/// The rounds of one PR branch, oldest first.
pub async fn of_branch(
    pool: &Pool,
    repository: &str,
    branch: &str,
) -> Result<Vec<FollowUpRound>, StoreError> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM follow_up_rounds WHERE repository = $1 AND branch = $2
         ORDER BY round"
    ))
    .bind(repository)
    .bind(branch)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the follow-up rounds of {repository} {branch}"
    )))
}

/// The rounds a run made (at most one), and for the dashboard's PR view every round of the PRs
/// the run opened or followed up.
pub async fn of_run(pool: &Pool, run_id: &str) -> Result<Vec<FollowUpRound>, StoreError> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM follow_up_rounds
         WHERE (repository, branch) IN (
             SELECT repository, branch FROM follow_up_rounds WHERE run_id = $1
             UNION SELECT repository, branch FROM pull_requests WHERE run_id = $1)
         ORDER BY repository, branch, round"
    ))
    .bind(run_id)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the follow-up rounds of run {run_id}"
    )))
}

/// Marks the PR as told it needs a human, on its last round; true when it was not yet.
pub async fn mark_needs_human(
    pool: &Pool,
    repository: &str,
    branch: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE follow_up_rounds SET needs_human = TRUE
         WHERE repository = $1 AND branch = $2 AND NOT needs_human
           AND round = (SELECT MAX(round) FROM follow_up_rounds
                        WHERE repository = $1 AND branch = $2)",
    )
    .bind(repository)
    .bind(branch)
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "mark {repository} {branch} as needing a human"
    )))?;
    Ok(done.rows_affected() > 0)
}
