//! The SQLite backend (the embedded default): the `Store` operations on one database file in
//! WAL mode (readers never wait for the writer), with a busy timeout and foreign keys on.
//! Write transactions begin IMMEDIATE, taking the write lock up front, so a transaction that
//! reads before it writes cannot fail half-way on a lock upgrade.

mod analytics;
mod dialect;
mod overview;
mod search;

// Compiled once per backend, each over this backend's `dialect`: a query changes in one place.
#[allow(clippy::duplicate_mod)]
#[path = "shared/changes.rs"]
mod changes;
#[allow(clippy::duplicate_mod)]
#[path = "shared/identities.rs"]
mod identities;
#[allow(clippy::duplicate_mod)]
#[path = "shared/learnings.rs"]
mod learnings;
#[allow(clippy::duplicate_mod)]
#[path = "shared/leases.rs"]
mod leases;
#[allow(clippy::duplicate_mod)]
#[path = "shared/lifecycle.rs"]
mod lifecycle;
#[allow(clippy::duplicate_mod)]
#[path = "shared/notifications.rs"]
mod notifications;
#[allow(clippy::duplicate_mod)]
#[path = "shared/outcomes.rs"]
mod outcomes;
#[allow(clippy::duplicate_mod)]
#[path = "shared/pull_requests.rs"]
mod pull_requests;
#[allow(clippy::duplicate_mod)]
#[path = "shared/reads.rs"]
mod reads;
#[allow(clippy::duplicate_mod)]
#[path = "shared/repo_locks.rs"]
mod repo_locks;
#[allow(clippy::duplicate_mod)]
#[path = "shared/repositories.rs"]
mod repositories;
#[allow(clippy::duplicate_mod)]
#[path = "shared/rounds.rs"]
mod rounds;
#[allow(clippy::duplicate_mod)]
#[path = "shared/runs.rs"]
mod runs;
#[allow(clippy::duplicate_mod)]
#[path = "shared/spend.rs"]
mod spend;
#[allow(clippy::duplicate_mod)]
#[path = "shared/store.rs"]
mod store;
#[allow(clippy::duplicate_mod)]
#[path = "shared/transcripts.rs"]
mod transcripts;

use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::pool::{ACQUIRE_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS, SQLITE_BUSY_TIMEOUT};
use super::StoreError;
use dialect::BACKEND;

/// Whether `url` names an in-memory database (a new one at every connection's open).
pub(crate) fn in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// The store on SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it when missing) the database at `url` (`sqlite://path`, `sqlite::memory:`).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let connect_error = |source| StoreError::Connect {
            backend: BACKEND,
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true);
        // An in-memory database lives in one connection: keep exactly that one, forever.
        let pool = if in_memory(url) {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .idle_timeout(Some(IDLE_TIMEOUT))
        }
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(connect_error)?;
        Ok(Self { pool })
    }

    /// The pool, for benchmarks and tests that seed rows in bulk.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Applies pending migrations.
    async fn run_migrations(&self) -> Result<(), StoreError> {
        let migrator = sqlx::migrate!("migrations/sqlite");
        // SQLite has no migration lock: two processes creating the same new file race, and the
        // loser's transaction fails on the tables the winner made. Its second attempt finds
        // the migrations applied (each one commits with its bookkeeping row) and does nothing.
        if migrator.run(&self.pool).await.is_ok() {
            return Ok(());
        }
        migrator
            .run(&self.pool)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: BACKEND,
                source,
            })
    }
}
