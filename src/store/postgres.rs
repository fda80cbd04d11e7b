//! The PostgreSQL backend (production): the `Store` operations over a pool of at most 20
//! connections. The dashboard's views are materialized and refreshed (concurrently) when a run
//! is registered, persisted, failed or closed, and `system_stats` also when a learning is
//! added; phase and PR-state changes show in the lists at the run's next refresh (a run's own
//! page reads the live view).

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
mod views;

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::pool::{ACQUIRE_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS};
use super::{
    LearningRow, NewLearning, NewRun, OutcomeApplied, OutcomeRecord, PullRequestRow, RunArtifacts,
    RunDetail, RunFailure, RunOverviewRow, RunQuery, RunStatus, Store, StoreError, SystemStats,
};
use crate::artifacts::Learning;

const BACKEND: &str = "postgres";

/// The store on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects (lazily: the first query opens the first connection) to `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|source| StoreError::Connect {
            backend: BACKEND,
            source,
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(Some(IDLE_TIMEOUT))
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Connect {
                backend: BACKEND,
                source,
            })?;
        Ok(Self { pool })
    }

    /// The pool, for benchmarks and tests that seed rows in bulk.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Refreshes `run_overview` and `system_stats` (done after every write already).
    pub async fn refresh_views(&self) -> Result<(), StoreError> {
        views::refresh_all(&self.pool).await
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("migrations/postgres")
            .run(&self.pool)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: BACKEND,
                source,
            })
    }

    async fn register_run(&self, run: &NewRun) -> Result<(), StoreError> {
        runs::register(&self.pool, run).await?;
        views::refresh_all(&self.pool).await
    }

    async fn set_phase(&self, run_id: &str, phase: &str) -> Result<(), StoreError> {
        runs::set_phase(&self.pool, run_id, phase).await
    }

    async fn persist_artifacts(&self, artifacts: &RunArtifacts) -> Result<(), StoreError> {
        runs::persist(&self.pool, artifacts).await?;
        views::refresh_all(&self.pool).await
    }

    async fn record_failure(&self, failure: &RunFailure) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(StoreError::query("begin recording a failure"))?;
        runs::fail(&mut tx, failure).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit the failure"))?;
        views::refresh_all(&self.pool).await
    }

    async fn close_run(&self, run_id: &str, status: RunStatus) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(StoreError::query("begin closing the run"))?;
        runs::close(&mut tx, run_id, status, super::clock::now()).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit closing the run"))?;
        views::refresh_all(&self.pool).await
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
        let id = learnings::add(&self.pool, learning).await?;
        views::refresh_stats(&self.pool).await?;
        Ok(id)
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
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(StoreError::query("begin recording learning uses"))?;
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
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(StoreError::query("begin recording the pull request"))?;
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
