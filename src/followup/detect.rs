//! At the start of a run, after the lifecycle sync: which of the project's own open pull
//! requests has open, actionable findings or failing checks on its head, and may have another
//! follow-up round. The first such PR becomes the run's follow-up; one whose rounds have stopped
//! (the limit reached, a round that fixed nothing, the same checks failing the same way twice)
//! is told once, by a comment and a label, that it needs a human.

use crate::artifacts::{FollowUp, FollowUpFile};
use crate::forge::github::{pulls, GitHubApi, GitHubRepo};
use crate::forge::ForgeError;
use crate::review::coderabbit::fetch;
use crate::store::rounds::next_round;
use crate::store::{PullRequestRow, Store};

use super::{checks, comment, findings, signature};

/// The repository's follow-up settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub max_rounds: u32,
    pub needs_human_label: String,
}

/// Looks at every open GitHub PR the store has for `repository` (its identity).
pub async fn on_github(
    store: &dyn Store,
    api: &GitHubApi,
    repo: &GitHubRepo,
    repository: &str,
    policy: &Policy,
) -> Result<FollowUpFile, ForgeError> {
    let mut file = FollowUpFile::default();
    if policy.max_rounds == 0 {
        file.notes
            .push("follow-ups are turned off (follow_up.max_rounds is 0)".to_owned());
        return Ok(file);
    }
    let rows = store
        .pull_requests(repository)
        .await
        .map_err(|e| ForgeError::store("read the open pull requests", e))?;
    for row in open_rows(&rows) {
        let Some(number) = row.number.and_then(|n| u64::try_from(n).ok()) else {
            continue;
        };
        let pr = api
            .get(
                &format!("/repos/{}/pulls/{number}", repo.full_name()),
                "read the pull request",
            )
            .await?;
        let (Some(head), Some(base)) = (pr["head"]["sha"].as_str(), pr["base"]["ref"].as_str())
        else {
            continue;
        };
        let activity = fetch::fetch(api, repo, number).await?;
        let authors = findings::human_authors(&activity, head);
        let writers = findings::writers(api, repo, &authors).await;
        let items = findings::findings(&activity, head, &writers);
        let failing = checks::failing(api, repo, head).await?;
        if items.is_empty() && failing.is_empty() {
            file.notes.push(format!(
                "PR #{number}: no open findings and no failing checks on {}",
                short(head)
            ));
            continue;
        }
        let signature = signature::of(&failing);
        let earlier = store
            .follow_up_rounds(repository, &row.branch)
            .await
            .map_err(|e| ForgeError::store("read the follow-up rounds", e))?;
        match next_round(&earlier, policy.max_rounds, signature.as_deref()) {
            Ok(round) if file.follow_up.is_none() => {
                file.notes.push(format!(
                    "PR #{number}: {} open finding(s), {} failing check(s): follow-up round {round}",
                    items.len(),
                    failing.len()
                ));
                file.follow_up = Some(FollowUp {
                    number,
                    url: row.url.clone(),
                    branch: row.branch.clone(),
                    base_branch: base.to_owned(),
                    head_commit: head.to_owned(),
                    round,
                    max_rounds: policy.max_rounds,
                    findings: items,
                    failing_checks: failing,
                    failure_signature: signature,
                });
            }
            Ok(_) => file.notes.push(format!(
                "PR #{number}: has feedback too; it waits for a later run"
            )),
            Err(why) => {
                let told = store
                    .mark_needs_human(repository, &row.branch)
                    .await
                    .map_err(|e| ForgeError::store("mark the PR as needing a human", e))?;
                if told {
                    let body = comment::needs_human(
                        &why,
                        items.len(),
                        failing.len(),
                        &policy.needs_human_label,
                    );
                    pulls::comment(api, repo, number, &body).await?;
                    pulls::label(api, repo, number, &policy.needs_human_label).await?;
                }
                file.notes
                    .push(format!("PR #{number}: needs a human: {why}"));
            }
        }
    }
    Ok(file)
}

/// The open PRs this project made, oldest first.
fn open_rows(rows: &[PullRequestRow]) -> Vec<&PullRequestRow> {
    let mut open: Vec<&PullRequestRow> = rows
        .iter()
        .filter(|r| r.state == "open" && r.forge == "github")
        .collect();
    open.sort_by_key(|r| (r.created_at, r.number));
    open
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}
