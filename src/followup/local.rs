//! The local forge's follow-ups: there is no review conversation, so the feedback is the
//! repository's own checks, run on the branch of each open PR whose head is not what this
//! project pushed last (someone else pushed to it). Failing checks there make the PR the run's
//! follow-up, bounded like any.

use std::path::Path;
use std::time::Duration;

use crate::artifacts::{FailingCheck, FollowUp, FollowUpFile};
use crate::error::Error;
use crate::implement::checks;
use crate::repo::branch::{self, Base};
use crate::secrets::Redactor;
use crate::store::rounds::next_round;
use crate::store::Store;

use super::detect::Policy;
use super::signature;

/// Where the checks run, and which.
#[derive(Debug, Clone, Copy)]
pub struct LocalChecks<'a> {
    /// The run's clone, at `base`; put back there afterwards.
    pub clone: &'a Path,
    pub base: &'a Base,
    pub commands: &'a [String],
    pub timeout: Duration,
    pub redactor: &'a Redactor,
}

pub async fn on_local(
    store: &dyn Store,
    repository: &str,
    policy: &Policy,
    at: LocalChecks<'_>,
) -> Result<FollowUpFile, Error> {
    let mut file = FollowUpFile::default();
    if policy.max_rounds == 0 || at.commands.is_empty() {
        return Ok(file);
    }
    let mut rows: Vec<_> = store
        .pull_requests(repository)
        .await?
        .into_iter()
        .filter(|r| r.state == "open" && r.forge == "local")
        .collect();
    rows.sort_by_key(|r| (r.created_at, r.number));
    for row in rows {
        let Some(number) = row.number.and_then(|n| u64::try_from(n).ok()) else {
            continue;
        };
        let Some(head) = remote_head(at.clone, &row.branch) else {
            continue;
        };
        let pushed = store
            .pull_request_lifecycle(repository, &row.branch)
            .await?
            .and_then(|l| l.pushed_commit);
        if pushed.as_deref() == Some(head.as_str()) {
            continue;
        }
        let failing = run_checks(at, &head).await?;
        if failing.is_empty() {
            file.notes
                .push(format!("PR #{number}: the checks pass on its branch"));
            continue;
        }
        let signature = signature::of(&failing);
        let earlier = store.follow_up_rounds(repository, &row.branch).await?;
        match next_round(&earlier, policy.max_rounds, signature.as_deref()) {
            Ok(round) if file.follow_up.is_none() => {
                file.notes.push(format!(
                    "PR #{number}: {} check(s) fail on its branch: follow-up round {round}",
                    failing.len()
                ));
                file.follow_up = Some(FollowUp {
                    number,
                    url: row.url.clone(),
                    branch: row.branch.clone(),
                    base_branch: at.base.branch.clone(),
                    head_commit: head,
                    round,
                    max_rounds: policy.max_rounds,
                    findings: Vec::new(),
                    failing_checks: failing,
                    failure_signature: signature,
                });
            }
            Ok(_) => file.notes.push(format!(
                "PR #{number}: has failing checks too; it waits for a later run"
            )),
            Err(why) => {
                store.mark_needs_human(repository, &row.branch).await?;
                file.notes
                    .push(format!("PR #{number}: needs a human: {why}"));
            }
        }
    }
    Ok(file)
}

/// HEAD detached at `commit`, the tree exactly that commit's (branches stay where they are).
fn detach(clone: &Path, commit: &str) -> Result<(), git2::Error> {
    let repo = git2::Repository::open(clone)?;
    let oid = git2::Oid::from_str(commit)?;
    let target = repo.find_commit(oid)?;
    repo.set_head_detached(oid)?;
    let mut checkout = git2::build::CheckoutBuilder::new();
    checkout.force().remove_untracked(true);
    repo.reset(
        target.as_object(),
        git2::ResetType::Hard,
        Some(&mut checkout),
    )
}

/// The branch's head as the clone fetched it.
fn remote_head(clone: &Path, branch: &str) -> Option<String> {
    let repo = git2::Repository::open(clone).ok()?;
    let commit = repo
        .find_reference(&format!("refs/remotes/origin/{branch}"))
        .ok()?
        .peel_to_commit()
        .ok()?;
    Some(commit.id().to_string())
}

/// The checks that fail at `head`; the clone goes back to the base whatever happens.
async fn run_checks(at: LocalChecks<'_>, head: &str) -> Result<Vec<FailingCheck>, Error> {
    let result = async {
        detach(at.clone, head)
            .map_err(|e| Error::step("check out the pull request's branch", e.to_string()))?;
        let mut failing = Vec::new();
        for command in at.commands {
            let run = checks::run(at.clone, command, at.timeout, 0, at.redactor).await;
            if !run.passed {
                failing.push(FailingCheck {
                    name: command.clone(),
                    conclusion: if run.timed_out {
                        "timed_out".to_owned()
                    } else {
                        format!(
                            "exit {}",
                            run.exit_code
                                .map_or_else(|| "none".to_owned(), |c| c.to_string())
                        )
                    },
                    output: super::checks::cap(&run.output_tail),
                });
            }
        }
        Ok::<_, Error>(failing)
    }
    .await;
    branch::start(at.clone, &at.base.branch, at.base)?;
    result
}
