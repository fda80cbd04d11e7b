//! Pages of `run_overview` on SQLite, where the view is computed as it is read: the page's run
//! ids and the count come from `agent_runs`.

use sqlx::{QueryBuilder, SqlitePool};

use super::reads::push_filters;
use crate::store::rows::{self, OverviewRecord, OVERVIEW_COLUMNS};
use crate::store::{RunOverviewRow, RunQuery, StoreError};

pub async fn run_overview(
    pool: &SqlitePool,
    query: &RunQuery,
) -> Result<(Vec<RunOverviewRow>, u64), StoreError> {
    let (limit, offset) = query.limit_offset();
    // The page's run ids come from agent_runs' index first, so a deep offset skips index
    // entries rather than joined view rows.
    let mut page = QueryBuilder::new(format!(
        "SELECT {OVERVIEW_COLUMNS} FROM run_overview WHERE run_id IN (SELECT run_id FROM agent_runs"
    ));
    push_filters(&mut page, query);
    page.push(" ORDER BY started_at DESC, run_id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset)
        .push(") ORDER BY started_at DESC, run_id DESC");
    let records: Vec<OverviewRecord> = page
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("read a page of run_overview"))?;
    // Counted on agent_runs (one overview row per run, same filter columns): SQLite would
    // otherwise evaluate the view's joins for every row it counts.
    let mut count = QueryBuilder::new("SELECT count(*) FROM agent_runs");
    push_filters(&mut count, query);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(pool)
        .await
        .map_err(StoreError::query("count run_overview"))?;
    Ok((rows::convert(records)?, u64::try_from(total).unwrap_or(0)))
}
