//! A run's change (diff and commits, compressed) and the runs that created or updated each pull
//! request. Compiled once per backend; `super::dialect` supplies what differs.

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::dialect::{self, Conn, Pool};
use crate::store::change::{deflate, inflate, ChangeCommit, PullRequestRun, RunChange};
use crate::store::{RunOverviewRow, StoreError};

/// Writes the run's change over any earlier one, inside the caller's transaction.
pub async fn record(conn: &mut Conn, run_id: &str, change: &RunChange) -> Result<(), StoreError> {
    let diff = deflate(&change.diff)?;
    sqlx::query(
        "INSERT INTO run_changes (run_id, base_commit, head_commit, diff, diff_bytes, truncated,
             commits)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (run_id) DO UPDATE SET base_commit = excluded.base_commit,
             head_commit = excluded.head_commit, diff = excluded.diff,
             diff_bytes = excluded.diff_bytes, truncated = excluded.truncated,
             commits = excluded.commits",
    )
    .bind(run_id)
    .bind(&change.base_commit)
    .bind(&change.head_commit)
    .bind(diff)
    .bind(i64::try_from(change.diff_bytes).unwrap_or(i64::MAX))
    .bind(change.truncated)
    .bind(Json(&change.commits))
    .execute(conn)
    .await
    .map_err(StoreError::query(format!(
        "record the change of run {run_id}"
    )))?;
    Ok(())
}

type ChangeRecord = (String, String, Vec<u8>, i64, bool, Json<Vec<ChangeCommit>>);

/// The run's change, when one was recorded.
pub async fn of_run(pool: &Pool, run_id: &str) -> Result<Option<RunChange>, StoreError> {
    let record: Option<ChangeRecord> = sqlx::query_as(
        "SELECT base_commit, head_commit, diff, diff_bytes, truncated, commits
         FROM run_changes WHERE run_id = $1",
    )
    .bind(run_id)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the change of run {run_id}"
    )))?;
    let Some((base_commit, head_commit, diff, diff_bytes, truncated, Json(commits))) = record
    else {
        return Ok(None);
    };
    Ok(Some(RunChange {
        base_commit,
        head_commit,
        diff: inflate(&diff)?,
        diff_bytes: u64::try_from(diff_bytes).unwrap_or(0),
        truncated,
        commits,
    }))
}

/// Remembers that `run_id` created or updated the pull request of (repository, branch), inside
/// the caller's transaction; the same run twice is one entry.
pub async fn link_run(
    conn: &mut Conn,
    repository: &str,
    branch: &str,
    run_id: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO pull_request_runs (pull_request_id, run_id, recorded_at)
         SELECT id, $3, $4 FROM pull_requests WHERE repository = $1 AND branch = $2
         ON CONFLICT (pull_request_id, run_id) DO NOTHING",
    )
    .bind(repository)
    .bind(branch)
    .bind(run_id)
    .bind(dialect::time(at))
    .execute(conn)
    .await
    .map_err(StoreError::query(format!(
        "link run {run_id} to the pull request of {repository} {branch}"
    )))?;
    Ok(())
}

/// Every run that created or updated the pull request `run_id` created or updated, oldest first.
pub async fn runs_of_pull_request(
    pool: &Pool,
    run_id: &str,
) -> Result<Vec<PullRequestRun>, StoreError> {
    let records: Vec<(String, DateTime<Utc>, Option<String>)> = sqlx::query_as(
        "SELECT l.run_id, l.recorded_at, r.status
         FROM pull_request_runs l
         LEFT JOIN agent_runs r ON r.run_id = l.run_id
         WHERE l.pull_request_id = (
             SELECT m.pull_request_id FROM pull_request_runs m
             JOIN pull_requests p ON p.id = m.pull_request_id
             WHERE m.run_id = $1 ORDER BY p.updated_at DESC, p.id DESC LIMIT 1)
         ORDER BY l.recorded_at, l.run_id",
    )
    .bind(run_id)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the runs of the pull request of run {run_id}"
    )))?;
    Ok(records
        .into_iter()
        .map(|(run_id, recorded_at, status)| PullRequestRun {
            run_id,
            recorded_at,
            status,
        })
        .collect())
}

type PrRecord = (String, Option<i64>, Option<String>, String, bool);

/// Gives the rows without a pull request the one their run created or updated, when a later
/// run has since taken the pull request's `run_id` (one query for the whole page).
pub async fn fill_pull_requests(
    pool: &Pool,
    rows: &mut [RunOverviewRow],
) -> Result<(), StoreError> {
    let missing: Vec<String> = rows
        .iter()
        .filter(|row| row.pr_number.is_none() && row.pr_url.is_none())
        .map(|row| row.run_id.clone())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut query = sqlx::QueryBuilder::<dialect::Db>::new(
        "SELECT l.run_id, p.number, p.url, p.state, p.merged
         FROM pull_request_runs l JOIN pull_requests p ON p.id = l.pull_request_id
         WHERE l.run_id IN (",
    );
    let mut list = query.separated(", ");
    for run_id in &missing {
        list.push_bind(run_id.clone());
    }
    query.push(") ORDER BY p.updated_at, p.id");
    let records: Vec<PrRecord> = query
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("read the pull requests of the runs"))?;
    // Later rows (the most recently updated pull request) win.
    for (run_id, number, url, state, merged) in records {
        if let Some(row) = rows.iter_mut().find(|row| row.run_id == run_id) {
            row.pr_number = number;
            row.pr_url = url;
            row.pr_state = Some(state);
            row.pr_merged = Some(merged);
        }
    }
    Ok(())
}
