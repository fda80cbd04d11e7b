//! One reflection: what a finished run teaches, put into the store. Records the learnings the
//! run used, applies the outcomes of earlier pull requests that the forge reports as merged or
//! closed or (still open) with reviewers asking for changes, and remembers the run's own lessons
//! (from the model or from the rules).

use std::path::Path;

use std::collections::BTreeSet;

use crate::artifacts::{Evaluation, Implementation, PullRequestFile, Review};
use crate::store::{PullRequestRow, Store, StoreError};

use super::extract::{from_checks, from_follow_up, from_review, Candidate, PrRef};
use super::forge_state::{github_changes_requested, github_state, local_state, ChangesRequest};
use super::outcome::{record_changes_requested, record_outcome, Applied, PrState};
use super::remember::{remember, Remembered};
use crate::secrets::Redactor;

/// Where pull requests live, to ask what became of them.
#[derive(Debug)]
pub enum Forge {
    /// A bare git remote on disk; PR rows name it by path.
    Local,
    /// GitHub (or GitHub Enterprise); PR rows name repositories `owner/name`. What reviewers
    /// wrote is redacted as it is read.
    GitHub {
        client: octocrab::Octocrab,
        redactor: Redactor,
    },
}

impl Forge {
    /// The forge's word on a PR; None when it cannot say (the reason is logged).
    pub async fn state_of(&self, pr: &PullRequestRow) -> Option<PrState> {
        match self {
            Self::Local => local_state(
                Path::new(&pr.repository),
                &pr.branch,
                pr.head_commit.as_deref(),
            ),
            Self::GitHub { client, .. } => {
                let (owner, name) = owner_and_name(&pr.repository)?;
                let number = u64::try_from(pr.number?).ok()?;
                match github_state(client, owner, name, number).await {
                    Ok(state) => Some(state),
                    Err(reason) => {
                        tracing::warn!("could not read the state of a pull request: {reason}");
                        None
                    }
                }
            }
        }
    }

    /// The standing requests for changes on an open PR (the local forge has no reviews).
    pub async fn changes_requested(&self, pr: &PullRequestRow) -> Vec<ChangesRequest> {
        let Self::GitHub { client, redactor } = self else {
            return Vec::new();
        };
        let Some((owner, name)) = owner_and_name(&pr.repository) else {
            return Vec::new();
        };
        let Some(number) = pr.number.and_then(|n| u64::try_from(n).ok()) else {
            return Vec::new();
        };
        match github_changes_requested(client, owner, name, number, redactor).await {
            Ok(requests) => requests,
            Err(reason) => {
                tracing::warn!("could not read the reviews of a pull request: {reason}");
                Vec::new()
            }
        }
    }
}

/// What one run left behind, as reflection reads it.
#[derive(Debug, Clone, Copy)]
pub struct RunFacts<'a> {
    pub run_id: &'a str,
    /// The repository the learnings belong to (as the run was given it).
    pub repository: &'a str,
    /// The repository as the forge names it (for its PR rows), when the run opened a PR.
    pub forge_repository: Option<&'a str>,
    pub review: Option<&'a Review>,
    pub evaluation: Option<&'a Evaluation>,
    pub implementation: Option<&'a Implementation>,
    pub learnings_used: &'a [i64],
    /// The run's own pull request (number, URL, title), for the evidence.
    pub pr: Option<&'a PullRequestFile>,
}

impl RunFacts<'_> {
    /// The run's PR as evidence cites it (just the run when it opened none).
    pub fn pr_ref(&self) -> PrRef {
        PrRef {
            run_id: self.run_id.to_owned(),
            number: self
                .pr
                .and_then(|p| p.number)
                .and_then(|n| i64::try_from(n).ok()),
            url: self.pr.and_then(|p| p.url.clone()),
            title: self.pr.map(|p| p.title.clone()).unwrap_or_default(),
        }
    }

    /// The files the change touched.
    pub fn changed_files(&self) -> BTreeSet<String> {
        self.implementation
            .map(|i| i.files.iter().map(|f| f.path.clone()).collect())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Jaccard similarity at which a candidate merges into a stored learning.
    pub similarity: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            similarity: super::similarity::DEFAULT_THRESHOLD,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reflection {
    pub remembered: Remembered,
    pub outcomes: Vec<Applied>,
}

/// The candidates the rules draw from a run: its review findings and its failed checks (never
/// its scores alone).
pub fn rule_candidates(facts: &RunFacts<'_>) -> Vec<Candidate> {
    let pr = facts.pr_ref();
    let mut candidates = Vec::new();
    if let Some(review) = facts.review {
        candidates.extend(from_review(review, &pr, &facts.changed_files()));
    }
    if let Some(implementation) = facts.implementation {
        candidates.extend(from_checks(implementation, &pr));
        candidates.extend(from_follow_up(implementation, &pr));
    }
    candidates
}

/// Applies the outcomes the forge reports for the repository's open PRs (earlier runs'): a
/// final state, or, for a PR still open, each new request for changes.
pub async fn apply_outcomes(
    store: &dyn Store,
    forge: &Forge,
    facts: &RunFacts<'_>,
    thresholds: &Thresholds,
) -> Result<Vec<Applied>, StoreError> {
    let Some(forge_repository) = facts.forge_repository else {
        return Ok(Vec::new());
    };
    let mut applied = Vec::new();
    for pr in store.pull_requests(forge_repository).await? {
        if pr.run_id == facts.run_id {
            continue;
        }
        // The lifecycle sync at the start of the run may have recorded a final state already;
        // its outcome is applied here, once.
        let state = match PrState::parse(&pr.state, pr.merged) {
            Some(PrState::Open) => match forge.state_of(&pr).await {
                Some(state) => state,
                None => continue,
            },
            Some(state) if !outcome_applied(store, &pr).await? => state,
            _ => continue,
        };
        let mut outcomes = Vec::new();
        if let Some(outcome) =
            record_outcome(store, &pr, state, facts.repository, thresholds.similarity).await?
        {
            outcomes.push(outcome);
        }
        if state == PrState::Open {
            for request in forge.changes_requested(&pr).await {
                outcomes.extend(
                    record_changes_requested(
                        store,
                        &pr,
                        &request,
                        facts.repository,
                        thresholds.similarity,
                    )
                    .await?,
                );
            }
        }
        for outcome in outcomes {
            tracing::info!(
                "pull request of run {} is {}: {} learning(s) re-weighted",
                outcome.run_id,
                outcome.outcome.as_str(),
                outcome.adjusted.len()
            );
            applied.push(outcome);
        }
    }
    Ok(applied)
}

/// Whether the outcome of `pr`'s final state was applied to the learnings already.
async fn outcome_applied(store: &dyn Store, pr: &PullRequestRow) -> Result<bool, StoreError> {
    Ok(store
        .pull_request_lifecycle(&pr.repository, &pr.branch)
        .await?
        .is_none_or(|l| l.outcome_applied))
}

/// `owner/name` of a PR row's repository, `github.com/owner/name` (rows under older spellings
/// are moved to the identity when the store opens).
fn owner_and_name(repository: &str) -> Option<(&str, &str)> {
    crate::repo::identity::owner_and_name(repository)
}

/// Records the learnings used, applies earlier outcomes, and remembers `candidates`.
pub async fn reflect(
    store: &dyn Store,
    forge: &Forge,
    facts: &RunFacts<'_>,
    candidates: &[Candidate],
    thresholds: &Thresholds,
) -> Result<Reflection, StoreError> {
    if !facts.learnings_used.is_empty() {
        store
            .record_learning_use(facts.run_id, facts.learnings_used)
            .await?;
    }
    let outcomes = apply_outcomes(store, forge, facts, thresholds).await?;
    let remembered = remember(
        store,
        facts.repository,
        Some(facts.run_id),
        candidates,
        thresholds.similarity,
    )
    .await?;
    Ok(Reflection {
        remembered,
        outcomes,
    })
}
