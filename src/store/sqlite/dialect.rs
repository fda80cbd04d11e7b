//! What the shared store modules (`src/store/shared`) need that SQLite spells its own way: the
//! driver types, timestamps as fixed-width text, SQL words PostgreSQL spells differently, how
//! writers serialise (`BEGIN IMMEDIATE`, the database's one write lock), and that no view needs
//! refreshing.

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::store::{clock, StoreError};

pub const BACKEND: &str = "sqlite";
pub type BackendStore = super::SqliteStore;

pub type Db = Sqlite;
pub type Conn = SqliteConnection;
pub type Pool = SqlitePool;

/// The larger of two values (PostgreSQL's `GREATEST`).
pub const GREATEST: &str = "max";
/// NULL-safe inequality (PostgreSQL's `IS DISTINCT FROM`).
pub const IS_DISTINCT_FROM: &str = "IS NOT";
/// A timestamp no run started before (text: every timestamp sorts after the empty one), for an open lower bound.
pub const EARLIEST: &str = "''";
/// Whole seconds from `created_at` to `merged_at` (never below zero), exact to the microsecond
/// of the fixed-width text: whole seconds of each through `strftime`, then the microseconds.
pub const SECONDS_TO_MERGE: &str =
    "max(0, ((CAST(strftime('%s', substr(merged_at, 1, 19)) AS INTEGER) \
     - CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER)) * 1000000 \
     + CAST(substr(merged_at, 21, 6) AS INTEGER) - CAST(substr(created_at, 21, 6) AS INTEGER)) \
     / 1000000)";
/// The values of `expr` over a group as one comma-separated text (PostgreSQL's `string_agg`).
pub fn list_of(expr: &str) -> String {
    format!("group_concat({expr}, ',')")
}

/// A timestamp as SQLite keeps it: fixed-width UTC text (see [`clock::sqlite_text`]).
pub fn time(at: DateTime<Utc>) -> String {
    clock::sqlite_text(at)
}

/// A transaction holding the write lock from its first statement, so one that reads before it
/// writes cannot fail half-way on a lock upgrade.
pub async fn begin_write(
    pool: &SqlitePool,
    action: &str,
) -> Result<Transaction<'static, Sqlite>, StoreError> {
    pool.begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(StoreError::query(format!("begin to {action}")))
}

/// Nothing to take: the caller's transaction began IMMEDIATE and holds the database's write
/// lock, so two new local PRs never draw the same number.
pub async fn lock_pull_request_numbers(
    _conn: &mut SqliteConnection,
    _repository: &str,
    _action: String,
) -> Result<(), StoreError> {
    Ok(())
}

/// Nothing to refresh: SQLite's `system_stats` is a plain view.
pub async fn refresh_stats(_pool: &SqlitePool) -> Result<(), StoreError> {
    Ok(())
}

/// `run_overview` as it is now (a plain view, always live).
pub const LIVE_RUN_OVERVIEW: &str = "run_overview";

/// Nothing to refresh: SQLite's views are plain views.
pub async fn refresh_views(_pool: &SqlitePool) -> Result<(), StoreError> {
    Ok(())
}
