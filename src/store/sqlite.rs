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
#[path = "shared/learnings.rs"]
mod learnings;
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
#[path = "shared/runs.rs"]
mod runs;

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use super::pool::{ACQUIRE_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS, SQLITE_BUSY_TIMEOUT};
use super::{
    LearningRow, NewLearning, NewRun, OutcomeApplied, OutcomeRecord, PullRequestRow, RunArtifacts,
    RunDetail, RunFailure, RunOverviewRow, RunQuery, RunStatus, Store, StoreError, SystemStats,
};
use crate::artifacts::Learning;

const BACKEND: &str = "sqlite";

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
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = if in_memory {
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

    async fn begin_write(&self, action: &str) -> Result<Transaction<'static, Sqlite>, StoreError> {
        dialect::begin_write(&self.pool, action).await
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn migrate(&self) -> Result<(), StoreError> {
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

    async fn register_run(&self, run: &NewRun) -> Result<(), StoreError> {
        runs::register(&self.pool, run).await
    }

    async fn set_phase(&self, run_id: &str, phase: &str) -> Result<(), StoreError> {
        runs::set_phase(&self.pool, run_id, phase).await
    }

    async fn persist_artifacts(&self, artifacts: &RunArtifacts) -> Result<(), StoreError> {
        runs::persist(&self.pool, artifacts).await
    }

    async fn record_failure(&self, failure: &RunFailure) -> Result<(), StoreError> {
        let mut tx = self.begin_write("record a failure").await?;
        runs::fail(&mut tx, failure).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit the failure"))
    }

    async fn close_run(&self, run_id: &str, status: RunStatus) -> Result<(), StoreError> {
        let mut tx = self.begin_write("close the run").await?;
        runs::close(&mut tx, run_id, status, super::clock::now()).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit closing the run"))
    }

    async fn run_detail(&self, run_id: &str) -> Result<Option<RunDetail>, StoreError> {
        reads::run_detail(&self.pool, run_id).await
    }

    async fn run_overview(
        &self,
        query: &RunQuery,
    ) -> Result<(Vec<RunOverviewRow>, u64), StoreError> {
        overview::run_overview(&self.pool, query).await
    }

    async fn system_stats(&self) -> Result<SystemStats, StoreError> {
        reads::system_stats(&self.pool).await
    }

    async fn add_learning(&self, learning: &NewLearning) -> Result<i64, StoreError> {
        learnings::add(&self.pool, learning).await
    }

    async fn learnings(&self, repository: &str) -> Result<Vec<LearningRow>, StoreError> {
        learnings::of_repository(&self.pool, repository).await
    }

    async fn adjust_learning_weight(&self, id: i64, delta: f64) -> Result<(), StoreError> {
        learnings::adjust_weight(&self.pool, id, delta).await
    }

    async fn relevant_learnings(
        &self,
        repository: &str,
        query: &str,
        limit: u32,
    ) -> Result<Vec<Learning>, StoreError> {
        search::relevant(&self.pool, repository, query, limit).await
    }

    async fn record_learning_use(&self, run_id: &str, ids: &[i64]) -> Result<(), StoreError> {
        let mut tx = self.begin_write("record learning uses").await?;
        learnings::record_uses(&mut tx, run_id, ids).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit learning uses"))
    }

    async fn learnings_used_by(&self, run_id: &str) -> Result<Vec<LearningRow>, StoreError> {
        learnings::used_by(&self.pool, run_id).await
    }

    async fn pull_requests(&self, repository: &str) -> Result<Vec<PullRequestRow>, StoreError> {
        pull_requests::of_repository(&self.pool, repository).await
    }

    async fn pull_request_for_branch(
        &self,
        repository: &str,
        branch: &str,
    ) -> Result<Option<PullRequestRow>, StoreError> {
        pull_requests::for_branch(&self.pool, repository, branch).await
    }

    async fn upsert_pull_request(&self, pr: &PullRequestRow) -> Result<PullRequestRow, StoreError> {
        let mut tx = self.begin_write("record the pull request").await?;
        let row = pull_requests::upsert(&mut tx, pr, super::summary::PrWriter::Forge).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit the pull request"))?;
        Ok(row)
    }

    async fn set_pull_request_state(
        &self,
        repository: &str,
        branch: &str,
        state: &str,
        merged: bool,
    ) -> Result<bool, StoreError> {
        pull_requests::set_state(&self.pool, repository, branch, state, merged).await
    }

    async fn apply_outcome(
        &self,
        outcome: &OutcomeRecord,
    ) -> Result<Option<OutcomeApplied>, StoreError> {
        outcomes::apply(&self.pool, outcome).await
    }

    async fn repositories(&self) -> Result<Vec<String>, StoreError> {
        analytics::repositories(&self.pool).await
    }

    async fn analytics(
        &self,
        query: &super::AnalyticsQuery,
    ) -> Result<super::Analytics, StoreError> {
        analytics::analytics(&self.pool, query).await
    }
}
