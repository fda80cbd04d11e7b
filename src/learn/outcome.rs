//! Reinforcement by outcome: when a run's pull request is merged the learnings that run used
//! gain weight; when it is closed unmerged they lose some, and when a reviewer asks for changes
//! on it they lose a little. The outcome also becomes a learning of its own. Both happen once per
//! change of state and once per review: [`record_outcome`] is the one place that records a PR's
//! new state and [`record_changes_requested`] the one that records a review, and each acts only
//! when the store says it is new.

use crate::store::{PullRequestRow, Store, StoreError};

use super::extract::{from_changes_requested, from_outcome, Candidate};
use super::forge_state::ChangesRequest;
use super::remember::{remember, Remembered};

/// Weight a used learning gains when its run's PR is merged.
pub const MERGED_BONUS: f64 = 0.5;
/// Weight a used learning loses when its run's PR is closed without merging.
pub const CLOSED_PENALTY: f64 = 0.25;
/// Weight a used learning loses for each reviewer's request for changes on its run's PR.
pub const CHANGES_REQUESTED_PENALTY: f64 = 0.1;

/// A PR's state as the forge reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrState {
    Open,
    Merged,
    Closed,
}

impl PrState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Merged => "merged",
            Self::Closed => "closed",
        }
    }

    pub fn parse(text: &str, merged: bool) -> Option<Self> {
        match text {
            _ if merged => Some(Self::Merged),
            "merged" => Some(Self::Merged),
            "closed" => Some(Self::Closed),
            "open" => Some(Self::Open),
            _ => None,
        }
    }

    pub fn is_final(self) -> bool {
        self != Self::Open
    }
}

/// What became of a PR, as it is applied to the learnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Merged,
    Closed,
    /// A reviewer asked for changes on the (open) PR.
    ChangesRequested,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merged => "merged",
            Self::Closed => "closed",
            Self::ChangesRequested => "changes_requested",
        }
    }
}

/// What one outcome did to the learnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub run_id: String,
    pub outcome: Outcome,
    /// (learning id, weight delta) for each learning the run used.
    pub adjusted: Vec<(i64, f64)>,
    pub remembered: Remembered,
}

/// Records `state` for the PR and, when that changed a final outcome into the store, applies it
/// to the learnings of `learnings_repository`.
pub async fn record_outcome(
    store: &dyn Store,
    pr: &PullRequestRow,
    state: PrState,
    learnings_repository: &str,
    threshold: f64,
) -> Result<Option<Applied>, StoreError> {
    let changed = store
        .set_pull_request_state(
            &pr.repository,
            &pr.branch,
            state.as_str(),
            state == PrState::Merged,
        )
        .await?;
    if !changed || !state.is_final() {
        return Ok(None);
    }
    let (outcome, delta) = if state == PrState::Merged {
        (Outcome::Merged, MERGED_BONUS)
    } else {
        (Outcome::Closed, -CLOSED_PENALTY)
    };
    let candidate = from_outcome(&pr.title, state == PrState::Merged);
    reinforce(
        store,
        pr,
        outcome,
        delta,
        candidate,
        learnings_repository,
        threshold,
    )
    .await
    .map(Some)
}

/// Applies a reviewer's request for changes on `pr` the first time the store records the review.
pub async fn record_changes_requested(
    store: &dyn Store,
    pr: &PullRequestRow,
    request: &ChangesRequest,
    learnings_repository: &str,
    threshold: f64,
) -> Result<Option<Applied>, StoreError> {
    let new = store
        .record_review(
            &pr.repository,
            &pr.branch,
            request.review_id,
            &request.reviewer,
        )
        .await?;
    if !new {
        return Ok(None);
    }
    let candidate = from_changes_requested(&pr.title, &request.body);
    reinforce(
        store,
        pr,
        Outcome::ChangesRequested,
        -CHANGES_REQUESTED_PENALTY,
        candidate,
        learnings_repository,
        threshold,
    )
    .await
    .map(Some)
}

/// Re-weights the learnings `pr`'s run used by `delta` and remembers the outcome's learning.
async fn reinforce(
    store: &dyn Store,
    pr: &PullRequestRow,
    outcome: Outcome,
    delta: f64,
    candidate: Candidate,
    learnings_repository: &str,
    threshold: f64,
) -> Result<Applied, StoreError> {
    let mut adjusted = Vec::new();
    for learning in store.learnings_used_by(&pr.run_id).await? {
        store.adjust_learning_weight(learning.id, delta).await?;
        adjusted.push((learning.id, delta));
    }
    let remembered = remember(
        store,
        learnings_repository,
        Some(&pr.run_id),
        &[candidate],
        threshold,
    )
    .await?;
    Ok(Applied {
        run_id: pr.run_id.clone(),
        outcome,
        adjusted,
        remembered,
    })
}
