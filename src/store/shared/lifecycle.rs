//! A pull request's lifecycle columns (the lease, merged and closed times, the skipped head) and
//! the failed tasks' backoff. Compiled once per backend; `super::dialect` supplies what differs.

use super::dialect::{self, Pool};
use crate::store::clock;
use crate::store::lifecycle::{
    retry_after, LifecycleUpdate, PrLifecycle, TaskFailure, TaskFailureRow,
};
use crate::store::StoreError;

pub async fn of_branch(
    pool: &Pool,
    repository: &str,
    branch: &str,
) -> Result<Option<PrLifecycle>, StoreError> {
    sqlx::query_as(
        "SELECT pushed_commit, merged_at, closed_at, skipped_head, outcome_applied
         FROM pull_requests WHERE repository = $1 AND branch = $2",
    )
    .bind(repository)
    .bind(branch)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the lease of {repository} {branch}"
    )))
}

pub async fn record_push(
    pool: &Pool,
    repository: &str,
    branch: &str,
    commit: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE pull_requests SET pushed_commit = $3, skipped_head = NULL
         WHERE repository = $1 AND branch = $2",
    )
    .bind(repository)
    .bind(branch)
    .bind(commit)
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "record the commit pushed to {repository} {branch}"
    )))?;
    Ok(())
}

pub async fn record_skip(
    pool: &Pool,
    repository: &str,
    branch: &str,
    head: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(&format!(
        "UPDATE pull_requests SET skipped_head = $3
         WHERE repository = $1 AND branch = $2 AND skipped_head {is_distinct_from} $3",
        is_distinct_from = dialect::IS_DISTINCT_FROM,
    ))
    .bind(repository)
    .bind(branch)
    .bind(head)
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "record the skipped update of {repository} {branch}"
    )))?;
    Ok(done.rows_affected() > 0)
}

/// Records the forge's word; true when the state changed. Times already known are kept.
pub async fn record(pool: &Pool, update: &LifecycleUpdate) -> Result<bool, StoreError> {
    let done = sqlx::query(&format!(
        "UPDATE pull_requests SET state = $3, merged = $4,
             merged_at = COALESCE(merged_at, $5), closed_at = COALESCE(closed_at, $6),
             head_commit = COALESCE($7, head_commit), updated_at = $8
         WHERE repository = $1 AND branch = $2
           AND ((state, merged) {is_distinct_from} ($3, $4)
                OR ($5 IS NOT NULL AND merged_at IS NULL)
                OR ($6 IS NOT NULL AND closed_at IS NULL)
                OR head_commit {is_distinct_from} COALESCE($7, head_commit))",
        is_distinct_from = dialect::IS_DISTINCT_FROM,
    ))
    .bind(&update.repository)
    .bind(&update.branch)
    .bind(&update.state)
    .bind(update.merged)
    .bind(update.merged_at.map(dialect::time))
    .bind(update.closed_at.map(dialect::time))
    .bind(&update.head_commit)
    .bind(dialect::time(clock::now()))
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "record the state of the pull request of {} {}",
        update.repository, update.branch
    )))?;
    Ok(done.rows_affected() > 0)
}

/// Remembers a failure of a task: one more failure, and a later time to try it again.
pub async fn record_failure(
    pool: &Pool,
    failure: &TaskFailure,
) -> Result<TaskFailureRow, StoreError> {
    let action = format!("remember the failed task {}", failure.title);
    let mut tx = dialect::begin_write(pool, &action).await?;
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT failures FROM task_failures WHERE repository = $1 AND fingerprint = $2",
    )
    .bind(&failure.repository)
    .bind(&failure.fingerprint)
    .fetch_optional(&mut *tx)
    .await
    .map_err(StoreError::query(action.clone()))?;
    let failures = before.unwrap_or(0).saturating_add(1);
    let row = TaskFailureRow {
        repository: failure.repository.clone(),
        fingerprint: failure.fingerprint.clone(),
        title: failure.title.clone(),
        failures,
        reason: failure.reason.clone(),
        run_id: failure.run_id.clone(),
        failed_at: clock::truncate(failure.failed_at),
        retry_after: clock::truncate(retry_after(failure.failed_at, failures)),
    };
    sqlx::query(
        "INSERT INTO task_failures (repository, fingerprint, title, failures, reason, run_id,
             failed_at, retry_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (repository, fingerprint) DO UPDATE SET title = $3, failures = $4,
             reason = $5, run_id = $6, failed_at = $7, retry_after = $8",
    )
    .bind(&row.repository)
    .bind(&row.fingerprint)
    .bind(&row.title)
    .bind(row.failures)
    .bind(&row.reason)
    .bind(&row.run_id)
    .bind(dialect::time(row.failed_at))
    .bind(dialect::time(row.retry_after))
    .execute(&mut *tx)
    .await
    .map_err(StoreError::query(action.clone()))?;
    tx.commit()
        .await
        .map_err(StoreError::query(format!("commit: {action}")))?;
    Ok(row)
}

pub async fn failures(pool: &Pool, repository: &str) -> Result<Vec<TaskFailureRow>, StoreError> {
    sqlx::query_as(
        "SELECT repository, fingerprint, title, failures, reason, run_id, failed_at, retry_after
         FROM task_failures WHERE repository = $1 ORDER BY failed_at DESC",
    )
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the failed tasks of {repository}"
    )))
}

pub async fn clear_failure(
    pool: &Pool,
    repository: &str,
    fingerprint: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM task_failures WHERE repository = $1 AND fingerprint = $2")
        .bind(repository)
        .bind(fingerprint)
        .execute(pool)
        .await
        .map_err(StoreError::query(format!(
            "forget the failures of a task of {repository}"
        )))?;
    Ok(())
}

/// The median time from opening to merging, over the latest 1,000 merged PRs whose merge time
/// is known (a bounded read, newest merge first, whatever the number of PRs).
pub async fn median_time_to_merge(pool: &Pool) -> Result<Option<chrono::Duration>, StoreError> {
    let rows: Vec<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT created_at, merged_at FROM pull_requests
         WHERE merged AND merged_at IS NOT NULL ORDER BY merged_at DESC LIMIT 1000",
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("read the pull requests' merge times"))?;
    let mut spans: Vec<chrono::Duration> = rows
        .into_iter()
        .map(|(opened, merged)| (merged - opened).max(chrono::Duration::zero()))
        .collect();
    spans.sort();
    Ok(match spans.len() {
        0 => None,
        n if n % 2 == 1 => Some(spans[n / 2]),
        n => Some((spans[n / 2 - 1] + spans[n / 2]) / 2),
    })
}
