//! Pages of `run_overview` on SQLite, where the view is computed as it is read: the page's run
//! ids come from `agent_runs`, the count from the counters.

use sqlx::{QueryBuilder, SqlitePool};

use super::reads::{push_cursor_and_order, push_filters};
use crate::store::rows::{self, OverviewRecord, OVERVIEW_COLUMNS};
use crate::store::{RunOverviewRow, RunQuery, StoreError};

pub async fn run_overview(
    pool: &SqlitePool,
    query: &RunQuery,
) -> Result<(Vec<RunOverviewRow>, u64), StoreError> {
    let (limit, offset) = query.limit_offset();
    // The page's run ids come from agent_runs' index first, so a deep offset skips index
    // entries rather than joined view rows; a cursor skips none.
    let mut page = QueryBuilder::new(format!(
        "SELECT {OVERVIEW_COLUMNS} FROM run_overview WHERE run_id IN (SELECT run_id FROM agent_runs"
    ));
    push_filters(&mut page, query);
    push_cursor_and_order(&mut page, query);
    page.push(" LIMIT ").push_bind(limit);
    if query.cursor.is_none() {
        page.push(" OFFSET ").push_bind(offset);
    }
    page.push(") ORDER BY started_at DESC, run_id DESC");
    let records: Vec<OverviewRecord> = page
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("read a page of run_overview"))?;
    let total = super::reads::count_runs(pool, query).await?;
    Ok((rows::convert(records)?, total))
}
