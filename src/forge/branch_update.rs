//! Bringing a pull request's branch up to date under its lease: read the remote branch's head,
//! decide with [`crate::repo::lease`] what keeps everyone's commits, and push that as a
//! compare-and-swap. A push that loses the race (someone pushed meanwhile) becomes a skipped
//! update, never an overwrite.

use std::path::{Path, PathBuf};

use crate::forge::ForgeError;
use crate::repo::lease::{self, Decision, LeaseInput};
use crate::repo::push::{self, PushError};
use crate::secrets::Secret;

/// The branch to bring up to date, and where.
#[derive(Debug, Clone)]
pub struct BranchUpdate {
    pub clone: PathBuf,
    /// The URL or path the run was given (never the clone's configured remote).
    pub url: String,
    pub branch: String,
    /// The run's change: one commit on `base`.
    pub commit: String,
    pub base: String,
    /// What this project pushed to the branch last, as the store recorded it.
    pub pushed_before: Option<String>,
}

/// What happened to the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    pub decision: Decision,
    /// The branch's head on the remote now (None: it still does not exist).
    pub head: Option<String>,
}

impl Updated {
    /// The commit pushed by this run, if it pushed.
    pub fn pushed(&self) -> Option<&str> {
        match &self.decision {
            Decision::Push { commit, .. } => Some(commit),
            _ => None,
        }
    }
}

/// Reads the remote head, decides, pushes (off the async threads: git2 blocks).
pub async fn update(update: &BranchUpdate, token: Option<&Secret>) -> Result<Updated, ForgeError> {
    let update = update.clone();
    let token = token.cloned();
    tokio::task::spawn_blocking(move || update_blocking(&update, token.as_ref()))
        .await
        .map_err(|_| ForgeError::Worker("update the pull request's branch".to_owned()))?
}

fn update_blocking(update: &BranchUpdate, token: Option<&Secret>) -> Result<Updated, ForgeError> {
    let head = push::remote_head(&update.clone, &update.url, &update.branch, token)?;
    let decision = decide(&update.clone, update, head.as_deref())?;
    let Decision::Push {
        commit, expected, ..
    } = &decision
    else {
        return Ok(Updated { decision, head });
    };
    match push::push_over(
        &update.clone,
        &update.url,
        &update.branch,
        commit,
        expected.as_deref(),
        token,
    ) {
        Ok(()) => Ok(Updated {
            head: Some(commit.clone()),
            decision,
        }),
        Err(PushError::Moved { found, .. }) => Ok(Updated {
            decision: Decision::Skip {
                head: found.clone(),
                reason: format!(
                    "someone pushed {} to the branch while this run was preparing its update",
                    lease::short(&found)
                ),
            },
            head: Some(found),
        }),
        Err(other) => Err(other.into()),
    }
}

fn decide(clone: &Path, update: &BranchUpdate, head: Option<&str>) -> Result<Decision, ForgeError> {
    lease::decide(&LeaseInput {
        clone,
        commit: &update.commit,
        base: &update.base,
        remote_head: head,
        pushed_before: update.pushed_before.as_deref(),
    })
    .map_err(|e| ForgeError::Lease(Box::new(e)))
}
