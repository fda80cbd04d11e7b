//! Refreshing the materialized `run_overview`. `CONCURRENTLY`, so the dashboard keeps reading
//! the old contents while the new ones are computed; each refresh runs after its write
//! committed. A refresh recomputes the whole view (about 3 s at 100,000 runs, see
//! bench/store.rs), which is why only a run's milestones trigger one. `system_stats` is a plain
//! view over counters that triggers keep (migration 20261208000201), so it needs none.

use sqlx::PgPool;

use crate::store::StoreError;

pub async fn refresh_overview(pool: &PgPool) -> Result<(), StoreError> {
    sqlx::query("REFRESH MATERIALIZED VIEW CONCURRENTLY run_overview")
        .execute(pool)
        .await
        .map_err(StoreError::query("refresh run_overview"))?;
    Ok(())
}
