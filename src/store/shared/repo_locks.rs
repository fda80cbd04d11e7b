//! Repository locks: one run per repository at a time, whoever starts it. A run takes its
//! repository's row at setup; the row is renewed with the run's heartbeats, released when the
//! run ends (closed, failed, abandoned), and taken over by another run once its lease expired
//! (the holder was killed). Compiled once per backend.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::dialect::{self, Pool};
use crate::store::{clock, StoreError};

fn expiry(from: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    from.checked_add_signed(chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Takes `repository` for `run_id` (again, for a retry of the same run), or takes it over from
/// a holder whose lease expired; `Some(holder)` when another run holds it.
pub async fn acquire(
    pool: &Pool,
    repository: &str,
    run_id: &str,
    lease: Duration,
) -> Result<Option<String>, StoreError> {
    let now = clock::now();
    // One statement: two runs racing for the row meet on its primary key.
    sqlx::query(
        "INSERT INTO repository_locks (repository, run_id, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (repository) DO UPDATE
           SET run_id = excluded.run_id, expires_at = excluded.expires_at
           WHERE repository_locks.run_id = excluded.run_id
              OR repository_locks.expires_at < $4",
    )
    .bind(repository)
    .bind(run_id)
    .bind(dialect::time(expiry(now, lease)))
    .bind(dialect::time(now))
    .execute(pool)
    .await
    .map_err(StoreError::query(format!("lock repository {repository}")))?;
    let row = sqlx::query("SELECT run_id FROM repository_locks WHERE repository = $1")
        .bind(repository)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::query(format!(
            "read the lock of repository {repository}"
        )))?;
    let holder: Option<String> = match row {
        Some(row) => Some(
            row.try_get("run_id")
                .map_err(StoreError::query("read a repository lock"))?,
        ),
        None => None,
    };
    Ok(holder.filter(|h| h != run_id))
}

/// Pushes the expiry of the locks `run_id` holds a lease further.
pub async fn renew(pool: &Pool, run_id: &str, lease: Duration) -> Result<(), StoreError> {
    sqlx::query("UPDATE repository_locks SET expires_at = $2 WHERE run_id = $1")
        .bind(run_id)
        .bind(dialect::time(expiry(clock::now(), lease)))
        .execute(pool)
        .await
        .map_err(StoreError::query(format!(
            "renew the repository lock of run {run_id}"
        )))?;
    Ok(())
}

/// Releases the locks `run_id` holds (none when it holds none).
pub async fn release(pool: &Pool, run_id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM repository_locks WHERE run_id = $1")
        .bind(run_id)
        .execute(pool)
        .await
        .map_err(StoreError::query(format!(
            "release the repository lock of run {run_id}"
        )))?;
    Ok(())
}
