//! What the shared store modules (`src/store/shared`) need that PostgreSQL spells its own way:
//! the driver types, timestamps as `TIMESTAMPTZ`, SQL words SQLite lacks, how writers
//! serialise (row and advisory locks inside an ordinary transaction), and the materialized
//! views to refresh after a write.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::store::{clock, StoreError};

pub const BACKEND: &str = "postgres";
pub type BackendStore = super::PgStore;

pub type Db = Postgres;
pub type Conn = PgConnection;
pub type Pool = PgPool;

/// The larger of two values (SQLite's scalar `max`).
pub const GREATEST: &str = "GREATEST";
/// NULL-safe inequality (SQLite's `IS NOT`).
pub const IS_DISTINCT_FROM: &str = "IS DISTINCT FROM";
/// A timestamp no run started before (`-infinity`), for an open lower bound.
pub const EARLIEST: &str = "'-infinity'::TIMESTAMPTZ";
/// Whole seconds from `created_at` to `merged_at` (never below zero), exact to the microsecond.
pub const SECONDS_TO_MERGE: &str =
    "GREATEST(0, floor(EXTRACT(EPOCH FROM (merged_at - created_at))))::BIGINT";
/// The values of `expr` over a group as one comma-separated text (SQLite's `group_concat`).
pub fn list_of(expr: &str) -> String {
    format!("string_agg(CAST({expr} AS TEXT), ',')")
}

/// A timestamp as a `TIMESTAMPTZ` parameter, to the microsecond PostgreSQL keeps.
pub fn time(at: DateTime<Utc>) -> DateTime<Utc> {
    clock::truncate(at)
}

/// A transaction for a write: concurrent writers meet on the rows (or advisory locks) they take.
pub async fn begin_write(
    pool: &PgPool,
    action: &str,
) -> Result<Transaction<'static, Postgres>, StoreError> {
    pool.begin()
        .await
        .map_err(StoreError::query(format!("begin to {action}")))
}

/// Serialises the writers of `repository`'s pull requests until the transaction ends (a
/// transaction-scoped advisory lock), so two new local PRs never draw the same number.
pub async fn lock_pull_request_numbers(
    conn: &mut PgConnection,
    repository: &str,
    action: String,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("pull_requests:{repository}"))
        .execute(conn)
        .await
        .map_err(StoreError::query(action))?;
    Ok(())
}

/// Nothing to refresh: `system_stats` reads counters that triggers keep current.
pub async fn refresh_stats(_pool: &PgPool) -> Result<(), StoreError> {
    Ok(())
}

/// `run_overview` as it is now: a run's page shows its phase as it moves, between refreshes of
/// the materialized view.
pub const LIVE_RUN_OVERVIEW: &str = "run_overview_live";

/// Refreshes the materialized `run_overview` (after a run's milestone).
pub async fn refresh_views(pool: &PgPool) -> Result<(), StoreError> {
    super::views::refresh_overview(pool).await
}
