//! Reinforcement by outcome: when a run's pull request is merged the learnings that run used
//! gain weight; when it is closed unmerged they lose some, and when a reviewer asks for changes
//! on it they lose a little. The outcome also becomes a learning of its own. Both happen once per
//! change of state and once per review, together: [`record_outcome`] and
//! [`record_changes_requested`] hand the store the whole outcome ([`Store::apply_outcome`]),
//! which applies it in one transaction only if it is new, so a crash leaves it unapplied and a
//! retry applies it once.

use crate::artifacts::{TaskFile, TaskSpec};
use crate::store::{
    OutcomeEvent, OutcomeLearning, OutcomeRecord, PullRequestRow, Store, StoreError,
};

use super::extract::{from_changes_requested, from_outcome, Candidate, PrRef};
use super::forge_state::ChangesRequest;
use super::remember::{closest, new_learning, Remembered};

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

/// Records `state` for the PR and, when that is a final outcome new to the store, applies it to
/// the learnings of `learnings_repository`.
pub async fn record_outcome(
    store: &dyn Store,
    pr: &PullRequestRow,
    state: PrState,
    learnings_repository: &str,
    threshold: f64,
) -> Result<Option<Applied>, StoreError> {
    if !state.is_final() {
        // Open (again): nothing to learn, only the state to keep.
        store
            .set_pull_request_state(&pr.repository, &pr.branch, state.as_str(), false)
            .await?;
        return Ok(None);
    }
    let merged = state == PrState::Merged;
    let (outcome, delta) = if merged {
        (Outcome::Merged, MERGED_BONUS)
    } else {
        (Outcome::Closed, -CLOSED_PENALTY)
    };
    let event = OutcomeEvent::State {
        state: state.as_str().to_owned(),
        merged,
    };
    let task = task_of(store, &pr.run_id).await?;
    let candidates = from_outcome(&pr_ref(pr), task.as_ref(), merged);
    apply(
        store,
        pr,
        event,
        (outcome, delta),
        candidates,
        learnings_repository,
        threshold,
    )
    .await
}

/// The PR as evidence cites it.
pub fn pr_ref(pr: &PullRequestRow) -> PrRef {
    PrRef {
        run_id: pr.run_id.clone(),
        number: pr.number,
        url: pr.url.clone(),
        title: pr.title.clone(),
    }
}

/// The task the PR's run chose, as the store recorded it.
async fn task_of(store: &dyn Store, run_id: &str) -> Result<Option<TaskSpec>, StoreError> {
    let Some(detail) = store.run_detail(run_id).await? else {
        return Ok(None);
    };
    Ok(detail
        .artifacts
        .get("task")
        .and_then(|task| serde_json::from_value::<TaskFile>(task.clone()).ok())
        .and_then(|file| file.selection.task().cloned()))
}

/// Applies a reviewer's request for changes on `pr` the first time the store sees the review.
pub async fn record_changes_requested(
    store: &dyn Store,
    pr: &PullRequestRow,
    request: &ChangesRequest,
    learnings_repository: &str,
    threshold: f64,
) -> Result<Option<Applied>, StoreError> {
    let event = OutcomeEvent::Review {
        review_id: request.review_id,
        reviewer: request.reviewer.clone(),
    };
    let candidate = from_changes_requested(&pr_ref(pr), &request.reviewer, &request.body);
    apply(
        store,
        pr,
        event,
        (Outcome::ChangesRequested, -CHANGES_REQUESTED_PENALTY),
        vec![candidate],
        learnings_repository,
        threshold,
    )
    .await
}

/// Hands the store the whole outcome: `event` marks it applied, the learnings `pr`'s run used
/// move by `delta`, and each candidate reinforces the stored learning it is one with or becomes
/// one.
async fn apply(
    store: &dyn Store,
    pr: &PullRequestRow,
    event: OutcomeEvent,
    (outcome, delta): (Outcome, f64),
    candidates: Vec<Candidate>,
    learnings_repository: &str,
    threshold: f64,
) -> Result<Option<Applied>, StoreError> {
    let known = store.learnings(learnings_repository).await?;
    let learnings = candidates
        .iter()
        .map(|candidate| match closest(&known, candidate, threshold) {
            Some((id, _)) => OutcomeLearning::Reinforce {
                id,
                weight: candidate.weight,
                evidence: candidate.evidence.clone(),
            },
            None => OutcomeLearning::Add(new_learning(
                learnings_repository,
                Some(&pr.run_id),
                candidate,
            )),
        })
        .collect();
    let record = OutcomeRecord {
        repository: pr.repository.clone(),
        branch: pr.branch.clone(),
        event,
        run_id: pr.run_id.clone(),
        weight_delta: delta,
        learnings,
    };
    let Some(done) = store.apply_outcome(&record).await? else {
        return Ok(None);
    };
    let mut remembered = Remembered::default();
    for (id, added) in done.learnings {
        if added {
            remembered.added.push(id);
        } else {
            remembered.reinforced.push(id);
        }
    }
    Ok(Some(Applied {
        run_id: pr.run_id.clone(),
        outcome,
        adjusted: done.adjusted.iter().map(|id| (*id, delta)).collect(),
        remembered,
    }))
}
