//! The PostgreSQL backend (production): the `Store` operations over a pool of at most 20
//! connections. The dashboard's `run_overview` is materialized and refreshed (concurrently) when
//! a run is registered, persisted, failed or closed; phase and PR-state changes show in the
//! lists at the run's next refresh (a run's own page reads the live view). `system_stats` and
//! the run counts read counters that triggers keep in the same transaction as every write.

mod analytics;
mod dialect;
mod overview;
mod search;
mod views;

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

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::pool::{ACQUIRE_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS};
use super::StoreError;
use dialect::BACKEND;

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

    /// Refreshes `run_overview` (done after every milestone already; `system_stats` reads
    /// counters and needs none).
    pub async fn refresh_views(&self) -> Result<(), StoreError> {
        views::refresh_overview(&self.pool).await
    }

    /// Applies pending migrations.
    async fn run_migrations(&self) -> Result<(), StoreError> {
        sqlx::migrate!("migrations/postgres")
            .run(&self.pool)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: BACKEND,
                source,
            })
    }
}
