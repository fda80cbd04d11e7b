//! Refreshing the materialized views. `CONCURRENTLY`, so the dashboard keeps reading the old
//! contents while the new ones are computed; each refresh runs after its write committed. A
//! refresh recomputes the whole view (about 3 s for `run_overview` at 100,000 runs, see
//! bench/store.rs), which is why only a run's milestones trigger one.

use sqlx::PgPool;

use crate::store::StoreError;

pub async fn refresh_overview(pool: &PgPool) -> Result<(), StoreError> {
    sqlx::query("REFRESH MATERIALIZED VIEW CONCURRENTLY run_overview")
        .execute(pool)
        .await
        .map_err(StoreError::query("refresh run_overview"))?;
    Ok(())
}

pub async fn refresh_stats(pool: &PgPool) -> Result<(), StoreError> {
    sqlx::query("REFRESH MATERIALIZED VIEW CONCURRENTLY system_stats")
        .execute(pool)
        .await
        .map_err(StoreError::query("refresh system_stats"))?;
    Ok(())
}

pub async fn refresh_all(pool: &PgPool) -> Result<(), StoreError> {
    refresh_overview(pool).await?;
    refresh_stats(pool).await
}
