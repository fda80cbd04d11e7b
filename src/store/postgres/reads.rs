//! The dashboard's reads: pages of `run_overview`, `system_stats`, and one run in full.

use sqlx::types::Json;
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::store::rows::{self, OverviewRecord, PhaseRecord, StatsRecord, OVERVIEW_COLUMNS};
use crate::store::{
    ErrorRow, PhaseTiming, RunDetail, RunOverviewRow, RunQuery, RunStatus, StoreError, SystemStats,
};

fn push_filters(builder: &mut QueryBuilder<'_, Postgres>, query: &RunQuery) {
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

pub async fn run_overview(
    pool: &PgPool,
    query: &RunQuery,
) -> Result<(Vec<RunOverviewRow>, u64), StoreError> {
    let (limit, offset) = query.limit_offset();
    let mut page = QueryBuilder::new(format!("SELECT {OVERVIEW_COLUMNS} FROM run_overview"));
    push_filters(&mut page, query);
    page.push(" ORDER BY started_at DESC, run_id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let records: Vec<OverviewRecord> = page
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("read a page of run_overview"))?;
    let total = match (&query.repository, query.status) {
        // Counting the whole view is most of an unfiltered page's time; system_stats holds the
        // same counts, refreshed together with run_overview.
        (None, status) => counted_in_stats(pool, status).await?,
        (Some(_), _) => {
            let mut count = QueryBuilder::new("SELECT count(*) FROM run_overview");
            push_filters(&mut count, query);
            count
                .build_query_scalar()
                .fetch_one(pool)
                .await
                .map_err(StoreError::query("count run_overview"))?
        }
    };
    Ok((rows::convert(records)?, u64::try_from(total).unwrap_or(0)))
}

/// The number of runs overall, or with one status, as system_stats counted them.
async fn counted_in_stats(pool: &PgPool, status: Option<RunStatus>) -> Result<i64, StoreError> {
    let column = match status {
        None => "total_runs",
        Some(RunStatus::Running) => "running_runs",
        Some(RunStatus::Succeeded) => "succeeded_runs",
        Some(RunStatus::Nothing) => "nothing_runs",
        Some(RunStatus::Failed) => "failed_runs",
    };
    let total: Option<i64> = sqlx::query_scalar(&format!("SELECT {column} FROM system_stats"))
        .fetch_optional(pool)
        .await
        .map_err(StoreError::query("read the run count from system_stats"))?;
    Ok(total.unwrap_or(0))
}

pub async fn system_stats(pool: &PgPool) -> Result<SystemStats, StoreError> {
    let record: StatsRecord = sqlx::query_as(
        "SELECT total_runs, succeeded_runs, failed_runs, nothing_runs, running_runs, prs_opened,
                prs_merged, average_score, total_tokens, total_cost_usd, learnings, last_run_at
         FROM system_stats",
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::query("read system_stats"))?;
    Ok(record.into())
}

pub async fn run_detail(pool: &PgPool, run_id: &str) -> Result<Option<RunDetail>, StoreError> {
    // The live view: a run's page shows its phase as it moves, between refreshes.
    let record: Option<OverviewRecord> = sqlx::query_as(&format!(
        "SELECT {OVERVIEW_COLUMNS} FROM run_overview_live WHERE run_id = $1"
    ))
    .bind(run_id)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::query(format!("read run {run_id}")))?;
    let Some(record) = record else {
        return Ok(None);
    };
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
        overview: record.try_into()?,
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
    }))
}
