//! Run leases: registering a run takes its lease, and its phases renew it with heartbeats; a
//! running run whose last heartbeat is older than the lease has lost its process (killed, its
//! machine or its database gone) and is marked `abandoned`, in the phase it was in, so it is
//! never left `running` for ever. A run that never held a lease (recorded before leases
//! existed, or only by persist) is left alone. Compiled once per backend.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::dialect::{self, Pool};
use super::runs;
use crate::store::{clock, RunFailure, StoreError};

/// Refreshes the lease of a running run; false when the run is not running (closed, failed,
/// abandoned or unknown), so the holder can stop.
pub async fn heartbeat(pool: &Pool, run_id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE agent_runs SET heartbeat_at = $2 WHERE run_id = $1 AND status = 'running'",
    )
    .bind(run_id)
    .bind(dialect::time(clock::now()))
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "renew the lease of run {run_id}"
    )))?;
    Ok(done.rows_affected() > 0)
}

/// Marks every running run (of `repository`, or of all) whose lease expired as abandoned;
/// returns their ids.
pub async fn abandon_expired(
    pool: &Pool,
    repository: Option<&str>,
    lease: Duration,
) -> Result<Vec<String>, StoreError> {
    let now = clock::now();
    let cutoff: DateTime<Utc> = now
        .checked_sub_signed(chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let rows = sqlx::query(
        "SELECT run_id, COALESCE(phase, 'setup') AS phase FROM agent_runs
         WHERE status = 'running' AND ($1 IS NULL OR repository = $1)
           AND heartbeat_at < $2",
    )
    .bind(repository)
    .bind(dialect::time(cutoff))
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("find runs whose lease expired"))?;
    let mut abandoned = Vec::new();
    for row in rows {
        let run_id: String = row
            .try_get("run_id")
            .map_err(StoreError::query("read an expired run"))?;
        let phase: String = row
            .try_get("phase")
            .map_err(StoreError::query("read an expired run"))?;
        let mut tx = dialect::begin_write(pool, "abandon a run").await?;
        // Re-checked inside the write: a heartbeat that came in meanwhile keeps the run.
        let still = sqlx::query(
            "SELECT 1 FROM agent_runs WHERE run_id = $1 AND status = 'running'
               AND heartbeat_at < $2",
        )
        .bind(&run_id)
        .bind(dialect::time(cutoff))
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::query(format!("re-check run {run_id}")))?;
        if still.is_none() {
            continue;
        }
        let failure = RunFailure {
            run_id: run_id.clone(),
            phase: phase.clone(),
            message: format!(
                "abandoned: the run held no lease for {}s while in phase {phase} (its process was killed or lost the store)",
                lease.as_secs()
            ),
            at: now,
        };
        runs::abandon(&mut tx, &failure).await?;
        tx.commit()
            .await
            .map_err(StoreError::query(format!("commit abandoning run {run_id}")))?;
        super::repo_locks::release(pool, &run_id).await?;
        tracing::warn!("run {run_id} abandoned in phase {phase}: its lease expired");
        abandoned.push(run_id);
    }
    Ok(abandoned)
}
