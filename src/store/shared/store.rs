//! The `Store` operations over the shared modules, compiled once per backend: what a backend
//! does besides (refreshing materialized views, how a write transaction begins) comes from
//! `super::dialect`.

use async_trait::async_trait;

use super::dialect::{self, BackendStore, BACKEND};
use super::{
    analytics, changes, identities, learnings, leases, lifecycle, notifications, outcomes,
    overview, pull_requests, reads, repo_locks, repositories, rounds, runs, spend,
};
use crate::artifacts::{Evidence, Learning};
use crate::store::summary::PrWriter;
use crate::store::{
    clock, Analytics, AnalyticsQuery, LearningRow, LifecycleUpdate, NewLearning, NewRun,
    OutcomeApplied, OutcomeRecord, PrLifecycle, PullRequestRow, RepositoryQuery, RepositorySummary,
    RunArtifacts, RunDetail, RunFailure, RunOverviewRow, RunQuery, RunStatus, Store, StoreError,
    SystemStats, TaskFailure, TaskFailureRow,
};

#[async_trait]
impl Store for BackendStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        self.run_migrations().await?;
        // Rows under a repository's older spellings move to its identity. A failure (another
        // process moving the same rows at the same moment) is retried at the next open.
        match identities::rewrite(&self.pool).await {
            Ok(moved) if !moved.is_empty() => dialect::refresh_views(&self.pool).await,
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!("rows under older spellings of a repository stay for now: {e}");
                Ok(())
            }
        }
    }

    async fn register_run(&self, run: &NewRun) -> Result<(), StoreError> {
        leases::abandon_expired(&self.pool, Some(&run.repository), crate::store::lease()).await?;
        runs::register(&self.pool, run).await?;
        leases::heartbeat(&self.pool, &run.run_id).await?;
        dialect::refresh_views(&self.pool).await
    }

    async fn mark_dry_run(&self, run_id: &str) -> Result<(), StoreError> {
        runs::mark_dry_run(&self.pool, run_id).await
    }

    async fn heartbeat(&self, run_id: &str) -> Result<bool, StoreError> {
        let running = leases::heartbeat(&self.pool, run_id).await?;
        // Only a run that took its repository (at setup) has a lock to renew; one that ended
        // released it, unless a retry or restart of it took it again.
        repo_locks::renew(&self.pool, run_id, crate::store::lease()).await?;
        Ok(running)
    }

    async fn lock_repository(
        &self,
        repository: &str,
        run_id: &str,
    ) -> Result<Option<String>, StoreError> {
        repo_locks::acquire(&self.pool, repository, run_id, crate::store::lease()).await
    }

    async fn unlock_repository(&self, run_id: &str) -> Result<(), StoreError> {
        repo_locks::release(&self.pool, run_id).await
    }

    async fn skip_run(&self, run_id: &str, reason: &str) -> Result<(), StoreError> {
        let mut tx = dialect::begin_write(&self.pool, "skip the run").await?;
        runs::skip(&mut tx, run_id, reason).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit skipping the run"))?;
        repo_locks::release(&self.pool, run_id).await?;
        dialect::refresh_views(&self.pool).await
    }

    async fn abandon_expired(&self, repository: Option<&str>) -> Result<Vec<String>, StoreError> {
        let abandoned =
            leases::abandon_expired(&self.pool, repository, crate::store::lease()).await?;
        if !abandoned.is_empty() {
            dialect::refresh_views(&self.pool).await?;
        }
        Ok(abandoned)
    }

    async fn set_phase(&self, run_id: &str, phase: &str) -> Result<(), StoreError> {
        runs::set_phase(&self.pool, run_id, phase).await
    }

    async fn persist_artifacts(&self, artifacts: &RunArtifacts) -> Result<(), StoreError> {
        runs::persist(&self.pool, artifacts).await?;
        dialect::refresh_views(&self.pool).await
    }

    async fn record_failure(&self, failure: &RunFailure) -> Result<(), StoreError> {
        let mut tx = dialect::begin_write(&self.pool, "record a failure").await?;
        runs::fail(&mut tx, failure).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit the failure"))?;
        repo_locks::release(&self.pool, &failure.run_id).await?;
        dialect::refresh_views(&self.pool).await
    }

    async fn close_run(&self, run_id: &str, status: RunStatus) -> Result<(), StoreError> {
        let mut tx = dialect::begin_write(&self.pool, "close the run").await?;
        runs::close(&mut tx, run_id, status, clock::now()).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit closing the run"))?;
        repo_locks::release(&self.pool, run_id).await?;
        dialect::refresh_views(&self.pool).await
    }

    async fn record_closing_step(&self, run_id: &str, phase: &str) -> Result<(), StoreError> {
        runs::record_closing_step(&self.pool, run_id, phase).await
    }

    async fn run_detail(&self, run_id: &str) -> Result<Option<RunDetail>, StoreError> {
        self.abandon_expired(None).await?;
        reads::run_detail(&self.pool, run_id).await
    }

    async fn run_overview(
        &self,
        query: &RunQuery,
    ) -> Result<(Vec<RunOverviewRow>, u64), StoreError> {
        self.abandon_expired(None).await?;
        let (mut rows, total) = overview::run_overview(&self.pool, query).await?;
        changes::fill_pull_requests(&self.pool, &mut rows).await?;
        reads::fill_dry_runs(&self.pool, &mut rows).await?;
        Ok((rows, total))
    }

    async fn system_stats(&self) -> Result<SystemStats, StoreError> {
        self.abandon_expired(None).await?;
        reads::system_stats(&self.pool).await
    }

    async fn add_learning(&self, learning: &NewLearning) -> Result<i64, StoreError> {
        let id = learnings::add(&self.pool, learning).await?;
        dialect::refresh_stats(&self.pool).await?;
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
        learnings::relevant(&self.pool, repository, query, limit).await
    }

    async fn record_learning_use(&self, run_id: &str, ids: &[i64]) -> Result<(), StoreError> {
        let mut tx = dialect::begin_write(&self.pool, "record learning uses").await?;
        learnings::record_uses(&mut tx, run_id, ids).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit learning uses"))
    }

    async fn learnings_used_by(&self, run_id: &str) -> Result<Vec<LearningRow>, StoreError> {
        learnings::used_by(&self.pool, run_id).await
    }

    async fn reinforce_learning(
        &self,
        id: i64,
        weight: f64,
        evidence: &[Evidence],
    ) -> Result<(), StoreError> {
        let mut tx = dialect::begin_write(&self.pool, "reinforce a learning").await?;
        learnings::reinforce_in(&mut tx, id, weight, evidence, false).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit reinforcing a learning"))
    }

    async fn retire_learning(&self, id: i64, reason: &str) -> Result<bool, StoreError> {
        learnings::retire(&self.pool, id, reason).await
    }

    async fn learning_history(&self, repository: &str) -> Result<Vec<LearningRow>, StoreError> {
        learnings::history(&self.pool, repository).await
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
        let mut tx = dialect::begin_write(&self.pool, "record the pull request").await?;
        let row = pull_requests::upsert(&mut tx, pr, PrWriter::Forge).await?;
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

    async fn pull_request_lifecycle(
        &self,
        repository: &str,
        branch: &str,
    ) -> Result<Option<PrLifecycle>, StoreError> {
        lifecycle::of_branch(&self.pool, repository, branch).await
    }

    async fn record_push(
        &self,
        repository: &str,
        branch: &str,
        commit: &str,
    ) -> Result<(), StoreError> {
        lifecycle::record_push(&self.pool, repository, branch, commit).await
    }

    async fn record_skipped_update(
        &self,
        repository: &str,
        branch: &str,
        head: &str,
    ) -> Result<bool, StoreError> {
        lifecycle::record_skip(&self.pool, repository, branch, head).await
    }

    async fn record_lifecycle(&self, update: &LifecycleUpdate) -> Result<bool, StoreError> {
        let changed = lifecycle::record(&self.pool, update).await?;
        if changed {
            dialect::refresh_views(&self.pool).await?;
        }
        Ok(changed)
    }

    async fn record_task_failure(
        &self,
        failure: &TaskFailure,
    ) -> Result<TaskFailureRow, StoreError> {
        lifecycle::record_failure(&self.pool, failure).await
    }

    async fn task_failures(&self, repository: &str) -> Result<Vec<TaskFailureRow>, StoreError> {
        lifecycle::failures(&self.pool, repository).await
    }

    async fn clear_task_failure(
        &self,
        repository: &str,
        fingerprint: &str,
    ) -> Result<(), StoreError> {
        lifecycle::clear_failure(&self.pool, repository, fingerprint).await
    }

    async fn record_follow_up_round(
        &self,
        round: &crate::store::FollowUpRound,
    ) -> Result<(), StoreError> {
        rounds::record(&self.pool, round).await
    }

    async fn follow_up_rounds(
        &self,
        repository: &str,
        branch: &str,
    ) -> Result<Vec<crate::store::FollowUpRound>, StoreError> {
        rounds::of_branch(&self.pool, repository, branch).await
    }

    async fn run_follow_up_rounds(
        &self,
        run_id: &str,
    ) -> Result<Vec<crate::store::FollowUpRound>, StoreError> {
        rounds::of_run(&self.pool, run_id).await
    }

    async fn mark_needs_human(&self, repository: &str, branch: &str) -> Result<bool, StoreError> {
        rounds::mark_needs_human(&self.pool, repository, branch).await
    }

    async fn median_time_to_merge(&self) -> Result<Option<chrono::Duration>, StoreError> {
        lifecycle::median_time_to_merge(&self.pool).await
    }

    async fn repositories(&self) -> Result<Vec<String>, StoreError> {
        reads::repositories(&self.pool).await
    }

    async fn analytics(&self, query: &AnalyticsQuery) -> Result<Analytics, StoreError> {
        analytics::analytics(&self.pool, query).await
    }

    async fn add_spend(&self, spend: &crate::store::SpendRow) -> Result<(), StoreError> {
        spend::add(&self.pool, spend).await
    }

    async fn fleet_spend(&self, day: &str) -> Result<crate::store::FleetSpend, StoreError> {
        spend::fleet_day(&self.pool, day).await
    }

    async fn spend(&self, since: &str) -> Result<Vec<crate::store::SpendRow>, StoreError> {
        spend::rows(&self.pool, since).await
    }

    async fn run_repository(&self, run_id: &str) -> Result<Option<String>, StoreError> {
        spend::repository_of_run(&self.pool, run_id).await
    }

    async fn claim_notification(&self, kind: &str, key: &str) -> Result<bool, StoreError> {
        notifications::claim(&self.pool, kind, key).await
    }

    async fn release_notification(&self, kind: &str, key: &str) -> Result<(), StoreError> {
        notifications::release(&self.pool, kind, key).await
    }

    async fn repository_summaries(
        &self,
        query: &RepositoryQuery,
    ) -> Result<(Vec<RepositorySummary>, u64), StoreError> {
        self.abandon_expired(None).await?;
        repositories::page(&self.pool, query).await
    }

    async fn repository_summary(
        &self,
        repository: &str,
    ) -> Result<Option<RepositorySummary>, StoreError> {
        self.abandon_expired(Some(repository)).await?;
        repositories::one(&self.pool, repository).await
    }

    async fn latest_pull_requests(
        &self,
        repository: &str,
        limit: u32,
    ) -> Result<Vec<PullRequestRow>, StoreError> {
        repositories::latest_pull_requests(&self.pool, repository, limit).await
    }
}
