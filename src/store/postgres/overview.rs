//! Pages of `run_overview` on PostgreSQL: read from the materialized view, and counted from
//! `system_stats` when no repository narrows them.

use sqlx::{PgPool, QueryBuilder};

use super::reads::push_filters;
use crate::store::rows::{self, OverviewRecord, OVERVIEW_COLUMNS};
use crate::store::{RunOverviewRow, RunQuery, RunStatus, StoreError};

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
        Some(RunStatus::Abandoned) => "abandoned_runs",
        Some(RunStatus::Skipped) => "skipped_runs",
    };
    let total: Option<i64> = sqlx::query_scalar(&format!("SELECT {column} FROM system_stats"))
        .fetch_optional(pool)
        .await
        .map_err(StoreError::query("read the run count from system_stats"))?;
    Ok(total.unwrap_or(0))
}
