//! The local forge: the branch goes to a bare repository on disk and the pull request is a row in
//! the store, numbered per repository.

use chrono::Utc;

use crate::artifacts::PrAction;
use crate::forge::request::{plan, ExistingPr, Plan, PrOutcome, PrRequest};
use crate::forge::ForgeError;
use crate::store::{PullRequestRow, Store};

/// What to do for `request.branch` of `repository` (the bare remote's path), from the row the
/// store has for it: update the open PR, leave a closed one closed unless reopening is
/// configured, else open a new one.
pub async fn plan_for(
    store: &dyn Store,
    repository: &str,
    request: &PrRequest,
) -> Result<(Plan, Option<PullRequestRow>), ForgeError> {
    let existing = store
        .pull_request_for_branch(repository, &request.branch)
        .await
        .map_err(|e| ForgeError::store("look up the branch's pull request", e))?;
    let as_existing = existing.as_ref().and_then(|row| {
        Some(ExistingPr {
            number: u64::try_from(row.number?).ok()?,
            open: row.state == "open",
            merged: row.merged,
            url: row.url.clone(),
        })
    });
    Ok((
        plan(as_existing.as_slice(), request.reopen_closed),
        existing,
    ))
}

/// Records the planned PR (after the branch was pushed). A new PR gets the next number of its
/// repository from the store.
pub async fn carry_out(
    store: &dyn Store,
    run_id: &str,
    repository: &str,
    request: &PrRequest,
    (decided, existing): (Plan, Option<PullRequestRow>),
) -> Result<PrOutcome, ForgeError> {
    let (action, number) = match decided {
        Plan::SkipClosed(pr) => {
            return Ok(PrOutcome {
                action: PrAction::SkippedClosed,
                number: Some(pr.number),
                url: pr.url,
            })
        }
        Plan::Update(pr) | Plan::Reopen(pr) => (PrAction::Updated, i64::try_from(pr.number).ok()),
        Plan::Create => (PrAction::Created, None),
    };
    let now = Utc::now();
    let row = PullRequestRow {
        run_id: run_id.to_owned(),
        repository: repository.to_owned(),
        forge: "local".to_owned(),
        number,
        url: None,
        branch: request.branch.clone(),
        title: request.title.clone(),
        state: "open".to_owned(),
        merged: false,
        head_commit: request.head_commit.clone(),
        created_at: existing.as_ref().map_or(now, |row| row.created_at),
        updated_at: now,
    };
    let stored = store
        .upsert_pull_request(&row)
        .await
        .map_err(|e| ForgeError::store("record the pull request", e))?;
    Ok(PrOutcome {
        action,
        number: stored.number.and_then(|n| u64::try_from(n).ok()),
        url: stored.url,
    })
}
