//! The memory store: one interface, PostgreSQL (production) and SQLite (the embedded default)
//! behind it, with the same behaviour. What both backends do alike is written once in
//! `shared/` and compiled into each backend over its `dialect` module (driver types, timestamp
//! encoding, SQL words, write locking, view refreshes); full-text ranking, the run_overview
//! page and the analytics SQL stay per backend.

mod analytics;
pub mod change;
pub mod clock;
mod error;
pub mod learning_text;
mod lease;
pub mod lifecycle;
mod open;
mod opened;
mod pool;
pub mod postgres;
pub mod ranking;
mod records;
pub mod repositories;
pub mod rounds;
mod rows;
pub mod spend;
pub mod sqlite;
mod summary;
pub mod transcript;

pub use analytics::{
    Analytics, AnalyticsQuery, CategoryCount, ComponentSummary, DailyScore, WeeklySuccess,
};
pub use change::{ChangeCommit, PullRequestRun, RunChange};
pub use error::StoreError;
pub use lease::{heartbeat_interval, lease};
pub use lifecycle::{LifecycleUpdate, PrLifecycle, TaskFailure, TaskFailureRow};
pub use open::{default_sqlite_path, open, sqlite_url};
pub use postgres::PgStore;
pub use records::{
    ErrorRow, LearningRow, NewLearning, NewRun, OutcomeApplied, OutcomeEvent, OutcomeLearning,
    OutcomeRecord, PhaseTiming, PullRequestRow, RunArtifacts, RunCursor, RunDetail, RunFailure,
    RunOverviewRow, RunQuery, RunStatus, SystemStats,
};
pub use repositories::{RepositoryQuery, RepositorySummary};
pub use rounds::FollowUpRound;
pub use spend::{FleetSpend, SpendRow};
pub use sqlite::SqliteStore;
pub use transcript::RunTranscript;

use async_trait::async_trait;

use crate::artifacts::{Evidence, Learning};

/// The store's operations. Every write that belongs to one run happens in one transaction and is
/// keyed (run id, repository + PR number, learning content) so that repeating it changes nothing.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// `postgres` or `sqlite`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Registers a run as running; a second call with the same run id changes nothing. Runs of
    /// the same repository whose lease expired are marked abandoned first.
    async fn register_run(&self, run: &NewRun) -> Result<(), StoreError>;

    /// Records that a run is a dry run (it pushes nothing and opens no pull request).
    async fn mark_dry_run(&self, run_id: &str) -> Result<(), StoreError>;

    /// Renews a running run's lease; false when the run is not running (or unknown).
    async fn heartbeat(&self, run_id: &str) -> Result<bool, StoreError>;

    /// Takes `repository` for `run_id` (one run per repository at a time), or takes it over
    /// from a holder whose lease expired; `Some(holder)` when another run holds it. Heartbeats
    /// renew it; closing, failing or abandoning the run releases it.
    async fn lock_repository(
        &self,
        repository: &str,
        run_id: &str,
    ) -> Result<Option<String>, StoreError>;

    /// Releases the repository `run_id` holds, if any.
    async fn unlock_repository(&self, run_id: &str) -> Result<(), StoreError>;

    /// Records a running run as `skipped` at setup, `reason` saying why (another run holds its
    /// repository): finished, neither failed nor succeeded, holding no lease and no lock. A run
    /// that is no longer running is left as it is.
    async fn skip_run(&self, run_id: &str, reason: &str) -> Result<(), StoreError>;

    /// Marks the running runs (of `repository`, or all) whose lease expired as `abandoned` (with
    /// an error saying so) in the phase they were in; returns their ids. The dashboard's reads
    /// (`run_overview`, `run_detail`, `system_stats`) do this first.
    async fn abandon_expired(&self, repository: Option<&str>) -> Result<Vec<String>, StoreError>;

    /// Records the phase a run has reached (for the dashboard and for failure reports), and
    /// times it: the phase starts now and the phase before it ends. The same phase twice changes
    /// nothing; a run that is no longer running records no new phase. A run's own page shows it
    /// at once; PostgreSQL's lists show it from the run's next refresh.
    async fn set_phase(&self, run_id: &str, phase: &str) -> Result<(), StoreError>;

    /// Records whichever artifacts exist, in one transaction; idempotent.
    async fn persist_artifacts(&self, artifacts: &RunArtifacts) -> Result<(), StoreError>;

    /// Marks the run failed at `phase` and appends to the error log, in one transaction; the open
    /// phase ends as failed.
    async fn record_failure(&self, failure: &RunFailure) -> Result<(), StoreError>;

    /// Closes the run with its final status (a failed run stays failed) and ends its open phase.
    /// PostgreSQL refreshes its materialized views when a run is registered, persisted, failed
    /// or closed.
    async fn close_run(&self, run_id: &str, status: RunStatus) -> Result<(), StoreError>;

    /// Records that a failed run's error handler (`persist`) or finally step (`cleanup`) ran:
    /// a closed timing for that phase, once, so the run's page shows them as what they were.
    async fn record_closing_step(&self, run_id: &str, phase: &str) -> Result<(), StoreError>;

    /// One run with everything recorded about it.
    async fn run_detail(&self, run_id: &str) -> Result<Option<RunDetail>, StoreError>;

    /// A page of `run_overview`, newest first, and the total that matches the filters.
    async fn run_overview(
        &self,
        query: &RunQuery,
    ) -> Result<(Vec<RunOverviewRow>, u64), StoreError>;

    async fn system_stats(&self) -> Result<SystemStats, StoreError>;

    /// Adds a learning, or, when one with the same repository, kind and normalised content
    /// exists, raises that one's weight by `learning.weight` instead. Returns its id.
    async fn add_learning(&self, learning: &NewLearning) -> Result<i64, StoreError>;

    /// Every active (not retired) learning of a repository, heaviest first.
    async fn learnings(&self, repository: &str) -> Result<Vec<LearningRow>, StoreError>;

    /// Raises (or, negative, lowers) a learning's weight, never below zero.
    async fn adjust_learning_weight(&self, id: i64, delta: f64) -> Result<(), StoreError>;

    /// The top learnings for a repository, ranked by full-text relevance to `query` x weight x
    /// recency.
    async fn relevant_learnings(
        &self,
        repository: &str,
        query: &str,
        limit: u32,
    ) -> Result<Vec<Learning>, StoreError>;

    /// Records which learnings a run used (and counts the use); idempotent.
    async fn record_learning_use(&self, run_id: &str, ids: &[i64]) -> Result<(), StoreError>;

    /// The learnings a run used.
    async fn learnings_used_by(&self, run_id: &str) -> Result<Vec<LearningRow>, StoreError>;

    /// Raises a learning's weight, adds the evidence it does not cite yet, and marks it fresh
    /// and active again (a learning met again is no longer retired).
    async fn reinforce_learning(
        &self,
        id: i64,
        weight: f64,
        evidence: &[Evidence],
    ) -> Result<(), StoreError>;

    /// Retires a learning (it is never retrieved again) for `reason`; false when it already was.
    async fn retire_learning(&self, id: i64, reason: &str) -> Result<bool, StoreError>;

    /// Every learning of a repository, retired ones included, newest first.
    async fn learning_history(&self, repository: &str) -> Result<Vec<LearningRow>, StoreError>;

    /// Pull requests of a repository, newest first.
    async fn pull_requests(&self, repository: &str) -> Result<Vec<PullRequestRow>, StoreError>;

    /// The PR recorded for a branch of a repository, if any.
    async fn pull_request_for_branch(
        &self,
        repository: &str,
        branch: &str,
    ) -> Result<Option<PullRequestRow>, StoreError>;

    /// Creates or updates the PR row keyed by (repository, branch). A new local-forge PR without a
    /// number gets the next number of its repository. Returns the stored row.
    async fn upsert_pull_request(&self, pr: &PullRequestRow) -> Result<PullRequestRow, StoreError>;

    /// Records a PR's state as the forge reports it (`open`, `closed`, `merged`). Returns whether
    /// the state changed, so outcomes are applied to learnings once.
    async fn set_pull_request_state(
        &self,
        repository: &str,
        branch: &str,
        state: &str,
        merged: bool,
    ) -> Result<bool, StoreError>;

    /// Applies an outcome of a PR in one transaction: marks it applied (the PR's new state, or
    /// the review recorded), re-weights the learnings the PR's run used, and adds or reinforces
    /// the outcome's learning. None, with nothing changed, when the outcome was applied before;
    /// on any error nothing is changed, so a retry applies it whole, once.
    async fn apply_outcome(
        &self,
        outcome: &OutcomeRecord,
    ) -> Result<Option<OutcomeApplied>, StoreError>;

    /// The lifecycle columns of the PR row of a branch (the lease), if there is a row.
    async fn pull_request_lifecycle(
        &self,
        repository: &str,
        branch: &str,
    ) -> Result<Option<PrLifecycle>, StoreError>;

    /// Records `commit` as what this project pushed to the branch last (its lease).
    async fn record_push(
        &self,
        repository: &str,
        branch: &str,
        commit: &str,
    ) -> Result<(), StoreError>;

    /// Records that an update of the branch was skipped on the remote head `head`; true when
    /// that head is new (so the PR is told once).
    async fn record_skipped_update(
        &self,
        repository: &str,
        branch: &str,
        head: &str,
    ) -> Result<bool, StoreError>;

    /// Records what the forge says of a PR (state, merged and closed times, head); true when
    /// anything changed.
    async fn record_lifecycle(&self, update: &LifecycleUpdate) -> Result<bool, StoreError>;

    /// Remembers a failed task: one more failure, and when it may be tried again.
    async fn record_task_failure(
        &self,
        failure: &TaskFailure,
    ) -> Result<TaskFailureRow, StoreError>;

    /// The failed tasks remembered for a repository, newest failure first.
    async fn task_failures(&self, repository: &str) -> Result<Vec<TaskFailureRow>, StoreError>;

    /// Forgets a task's failures (it succeeded).
    async fn clear_task_failure(
        &self,
        repository: &str,
        fingerprint: &str,
    ) -> Result<(), StoreError>;

    /// Records a follow-up round (the same round again replaces it).
    async fn record_follow_up_round(&self, round: &FollowUpRound) -> Result<(), StoreError>;

    /// The follow-up rounds of a PR branch, oldest first.
    async fn follow_up_rounds(
        &self,
        repository: &str,
        branch: &str,
    ) -> Result<Vec<FollowUpRound>, StoreError>;

    /// Every round of the PRs a run opened or followed up (the dashboard's run page).
    async fn run_follow_up_rounds(&self, run_id: &str) -> Result<Vec<FollowUpRound>, StoreError>;

    /// Marks a PR branch as told it needs a human (on its last round); true when it was not.
    async fn mark_needs_human(&self, repository: &str, branch: &str) -> Result<bool, StoreError>;

    /// The median time from opening a pull request to its merge, over the latest 1,000 merges
    /// (the dashboard's overview; read newest first through the merged_at index).
    async fn median_time_to_merge(&self) -> Result<Option<chrono::Duration>, StoreError>;

    /// Every repository with a run, alphabetically (the dashboard's filters).
    async fn repositories(&self) -> Result<Vec<String>, StoreError>;

    /// The dashboard's aggregates over the runs `query` selects.
    async fn analytics(&self, query: &AnalyticsQuery) -> Result<Analytics, StoreError>;

    /// Adds one call's (or several calls') model spend to its repository's row of its UTC day,
    /// in one statement: concurrent writers never lose an increment.
    async fn add_spend(&self, spend: &SpendRow) -> Result<(), StoreError>;

    /// What every repository sharing the store spent together on the UTC day `day`
    /// (`YYYY-MM-DD`); zeros when nothing was spent.
    async fn fleet_spend(&self, day: &str) -> Result<FleetSpend, StoreError>;

    /// The spend per repository and day from `since` (`YYYY-MM-DD`, inclusive) on, newest day
    /// first.
    async fn spend(&self, since: &str) -> Result<Vec<SpendRow>, StoreError>;

    /// The repository a registered run works on; None for a run never registered.
    async fn run_repository(&self, run_id: &str) -> Result<Option<String>, StoreError>;

    /// Claims the notification (`kind`, `key`), e.g. the digest of a day: true for the one
    /// caller that claimed it first.
    async fn claim_notification(&self, kind: &str, key: &str) -> Result<bool, StoreError>;

    /// Gives back a claimed notification that could not be delivered.
    async fn release_notification(&self, kind: &str, key: &str) -> Result<(), StoreError>;
    /// A page of the repositories with a run, alphabetically, with their numbers, and how many
    /// repositories there are (`/repositories`).
    async fn repository_summaries(
        &self,
        query: &RepositoryQuery,
    ) -> Result<(Vec<RepositorySummary>, u64), StoreError>;

    /// One repository's numbers; None when it has no run (`/repositories/{id}`).
    async fn repository_summary(
        &self,
        repository: &str,
    ) -> Result<Option<RepositorySummary>, StoreError>;

    /// The latest `limit` pull requests of a repository, newest first.
    async fn latest_pull_requests(
        &self,
        repository: &str,
        limit: u32,
    ) -> Result<Vec<PullRequestRow>, StoreError>;
}
