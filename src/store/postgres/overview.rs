//! Pages of `run_overview` on PostgreSQL: read from the materialized view (from a cursor on
//! through its index, or skipping `OFFSET` rows), and counted from the counters.

use sqlx::{PgPool, QueryBuilder};

use super::reads::{push_cursor_and_order, push_filters};
use crate::store::rows::{self, OverviewRecord, OVERVIEW_COLUMNS};
use crate::store::{RunOverviewRow, RunQuery, StoreError};

pub async fn run_overview(
    pool: &PgPool,
    query: &RunQuery,
) -> Result<(Vec<RunOverviewRow>, u64), StoreError> {
    let (limit, offset) = query.limit_offset();
    // Newer runs are read oldest first from the cursor; the outer query turns them around.
    let mut page = QueryBuilder::new(format!(
        "SELECT {OVERVIEW_COLUMNS} FROM (SELECT {OVERVIEW_COLUMNS} FROM run_overview"
    ));
    push_filters(&mut page, query);
    push_cursor_and_order(&mut page, query);
    page.push(" LIMIT ").push_bind(limit);
    if query.cursor.is_none() {
        page.push(" OFFSET ").push_bind(offset);
    }
    page.push(") AS page ORDER BY started_at DESC, run_id DESC");
    let records: Vec<OverviewRecord> = page
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("read a page of run_overview"))?;
    let total = super::reads::count_runs(pool, query).await?;
    Ok((rows::convert(records)?, total))
}
