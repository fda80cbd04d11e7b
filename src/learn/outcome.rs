//! Reinforcement by outcome: when a run's pull request is merged the learnings that run used
//! gain weight; when it is closed unmerged they lose some. The outcome also becomes a learning of
//! its own. Both happen once per change of state: [`record_outcome`] is the one place that
//! records a PR's new state, and it acts only when the store says the state changed.

use crate::store::{PullRequestRow, Store, StoreError};

use super::extract::from_outcome;
use super::remember::{remember, Remembered};

/// Weight a used learning gains when its run's PR is merged.
pub const MERGED_BONUS: f64 = 0.5;
/// Weight a used learning loses when its run's PR is closed without merging.
pub const CLOSED_PENALTY: f64 = 0.25;

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

/// What one outcome did to the learnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub run_id: String,
    pub state: PrState,
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
    let delta = if state == PrState::Merged {
        MERGED_BONUS
    } else {
        -CLOSED_PENALTY
    };
    let mut adjusted = Vec::new();
    for learning in store.learnings_used_by(&pr.run_id).await? {
        store.adjust_learning_weight(learning.id, delta).await?;
        adjusted.push((learning.id, delta));
    }
    let candidate = from_outcome(&pr.title, state == PrState::Merged);
    let remembered = remember(
        store,
        learnings_repository,
        Some(&pr.run_id),
        &[candidate],
        threshold,
    )
    .await?;
    Ok(Some(Applied {
        run_id: pr.run_id.clone(),
        state,
        adjusted,
        remembered,
    }))
}
