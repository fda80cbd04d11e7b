//! The dashboard's reads: `system_stats`, one run in full, the repositories, the run counts, and
//! the filters of a page of `run_overview` (each backend's `overview` reads the page). Compiled once per backend;
//! `super::dialect` supplies what differs.

use sqlx::types::Json;
use sqlx::QueryBuilder;

use super::dialect::{self, Db, Pool};
use crate::store::rows::{OverviewRecord, PhaseRecord, OVERVIEW_COLUMNS};
use crate::store::{
    ErrorRow, PhaseTiming, RunDetail, RunOverviewRow, RunQuery, StoreError, SystemStats,
};

/// Narrows a query of `run_overview` (or `agent_runs` or `run_counts`, which have the same
/// filter columns) to `query`'s repository and status.
pub fn push_filters(builder: &mut QueryBuilder<'_, Db>, query: &RunQuery) {
    builder.push(" WHERE TRUE");
    if let Some(repository) = &query.repository {
        builder
            .push(" AND repository = ")
            .push_bind(repository.clone());
    }
    if let Some(status) = query.status {
        builder.push(" AND status = ").push_bind(status.as_str());
    }
}

/// Narrows a page to the runs past `query`'s cursor and orders it from the cursor on (oldest
/// first when reading newer runs; the caller turns those around). Without a cursor, newest
/// first.
pub fn push_cursor_and_order(builder: &mut QueryBuilder<'_, Db>, query: &RunQuery) {
    match &query.cursor {
        None => {
            builder.push(" ORDER BY started_at DESC, run_id DESC");
        }
        Some(cursor) => {
            builder
                .push(if cursor.newer {
                    " AND (started_at, run_id) > ("
                } else {
                    " AND (started_at, run_id) < ("
                })
                .push_bind(dialect::time(cursor.started_at))
                .push(", ")
                .push_bind(cursor.run_id.clone())
                .push(if cursor.newer {
                    ") ORDER BY started_at, run_id"
                } else {
                    ") ORDER BY started_at DESC, run_id DESC"
                });
        }
    }
}

/// The number of runs `query`'s filters select, summed from the counters (`run_counts`, kept
/// per repository and status by triggers), never counted.
pub async fn count_runs(pool: &Pool, query: &RunQuery) -> Result<u64, StoreError> {
    let mut count =
        QueryBuilder::<Db>::new("SELECT CAST(COALESCE(sum(runs), 0) AS BIGINT) FROM run_counts");
    push_filters(&mut count, query);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(pool)
        .await
        .map_err(StoreError::query("count the runs"))?;
    Ok(u64::try_from(total).unwrap_or(0))
}

/// Every repository with a run, from the counters.
pub async fn repositories(pool: &Pool) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar(
        "SELECT repository FROM run_counts GROUP BY repository HAVING sum(runs) > 0
         ORDER BY repository",
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("list the repositories"))
}

pub async fn system_stats(pool: &Pool) -> Result<SystemStats, StoreError> {
    let stats: SystemStats = sqlx::query_as(
        "SELECT total_runs, succeeded_runs, failed_runs, nothing_runs, running_runs,
                abandoned_runs, skipped_runs, prs_opened,
                prs_merged, average_score, total_tokens, total_cost_usd, learnings, last_run_at
         FROM system_stats",
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::query("read system_stats"))?;
    Ok(stats.with_success_rate())
}

pub async fn run_detail(pool: &Pool, run_id: &str) -> Result<Option<RunDetail>, StoreError> {
    let record: Option<OverviewRecord> = sqlx::query_as(&format!(
        "SELECT {OVERVIEW_COLUMNS} FROM {view} WHERE run_id = $1",
        view = dialect::LIVE_RUN_OVERVIEW,
    ))
    .bind(run_id)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::query(format!("read run {run_id}")))?;
    let Some(record) = record else {
        return Ok(None);
    };
    let mut overview = [RunOverviewRow::try_from(record)?];
    super::changes::fill_pull_requests(pool, &mut overview).await?;
    fill_dry_runs(pool, &mut overview).await?;
    let [overview] = overview;
    let documents: Vec<(String, Json<serde_json::Value>)> =
        sqlx::query_as("SELECT name, content FROM run_artifacts WHERE run_id = $1 ORDER BY name")
            .bind(run_id)
            .fetch_all(pool)
            .await
            .map_err(StoreError::query(format!(
                "read the artifacts of run {run_id}"
            )))?;
    let errors: Vec<ErrorRow> = sqlx::query_as(
        "SELECT run_id, phase, message, at FROM run_errors WHERE run_id = $1 ORDER BY at, id",
    )
    .bind(run_id)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the errors of run {run_id}"
    )))?;
    let phases: Vec<PhaseRecord> = sqlx::query_as(
        "SELECT phase, started_at, finished_at, status FROM run_phases WHERE run_id = $1
         ORDER BY started_at, phase",
    )
    .bind(run_id)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the phases of run {run_id}"
    )))?;
    Ok(Some(RunDetail {
        overview,
        artifacts: documents
            .into_iter()
            .map(|(name, Json(content))| (name, content))
            .collect(),
        errors,
        learnings_used: super::learnings::used_by(pool, run_id).await?,
        learnings_produced: super::learnings::produced_by(pool, run_id).await?,
        phases: phases
            .into_iter()
            .map(PhaseTiming::try_from)
            .collect::<Result<_, _>>()?,
        change: super::changes::of_run(pool, run_id).await?,
        pull_request_runs: super::changes::runs_of_pull_request(pool, run_id).await?,
        transcript: super::transcripts::of_run(pool, run_id).await?,
    }))
}

/// Marks the dry runs among `rows` (`agent_runs.dry_run`; the overview views predate it).
pub async fn fill_dry_runs(pool: &Pool, rows: &mut [RunOverviewRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut query =
        QueryBuilder::<Db>::new("SELECT run_id FROM agent_runs WHERE dry_run AND run_id IN (");
    let mut list = query.separated(", ");
    for row in rows.iter() {
        list.push_bind(row.run_id.clone());
    }
    query.push(")");
    let dry: Vec<String> = query
        .build_query_scalar()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("read which runs were dry runs"))?;
    for row in rows.iter_mut() {
        row.dry_run = dry.contains(&row.run_id);
    }
    Ok(())
}
