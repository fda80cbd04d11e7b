//! A follow-up round's publishing in am-open-pr: the round's commit pushed on top of the PR's
//! branch under the lease, then its one summary comment; the PR's title and body stay as they are.

use super::open_pr::{dry_run, github_api, pushed_before, OpenPrInput, Published};
use crate::artifacts::{PrAction, RoundReport};
use crate::contract::{InputError, TaskEnv};
use crate::error::Error;
use crate::followup::publish::{self, RoundPr};
use crate::forge::branch_update::{self, BranchUpdate};
use crate::forge::github::GitHubRepo;
use crate::forge::ForgeKind;
use crate::repo::identity::identity;
use crate::repo::lease::{short, Decision};
use crate::repo_config::RepoConfig;
use crate::store::PullRequestRow;

/// A follow-up round: its commit pushed on top of the PR's branch under the lease, then its one
/// comment; the PR's title and body are left as they are.
pub(super) struct FollowUpRound<'a> {
    pub(super) input: &'a OpenPrInput,
    pub(super) env: &'a TaskEnv,
    pub(super) report: &'a RoundReport,
    pub(super) config: &'a RepoConfig,
    pub(super) update: BranchUpdate,
    pub(super) committed: bool,
}

impl FollowUpRound<'_> {
    /// The repository key, what was published, the message, and the PR's own title.
    pub(super) async fn publish(
        mut self,
        kind: ForgeKind,
    ) -> Result<(String, Published, String, Option<String>), Error> {
        let input = self.input;
        let number = self.report.number;
        let key = identity(&input.repository);
        if input.dry_run {
            let message = format!(
                "dry run: would push {} and post follow-up round {} on pull request #{number}",
                self.update.branch, self.report.round
            );
            return Ok((key, dry_run(), message, None));
        }
        let github = match kind {
            ForgeKind::Github => {
                let (owner, name) =
                    crate::github::owner_and_name(&input.repository).ok_or_else(|| {
                        InputError::field(
                            "repository",
                            "a GitHub repository URL for the github forge",
                        )
                    })?;
                let token = self.env.secrets.github_token.clone().ok_or_else(|| {
                    InputError(
                        "environment variable GITHUB_TOKEN: expected a token for the github forge"
                            .into(),
                    )
                })?;
                Some((
                    github_api(input, &token)?,
                    GitHubRepo { owner, name },
                    token,
                ))
            }
            ForgeKind::Local => None,
        };
        let store = crate::store::open(self.env.secrets.database_url.as_ref()).await?;
        let existing = store
            .pull_request_for_branch(&key, &self.update.branch)
            .await?;
        let mut pushed = None;
        let mut head = Some(self.report.head_before.clone());
        let mut report = self.report.clone();
        if self.committed {
            self.update.pushed_before =
                pushed_before(store.as_ref(), &key, &self.update.branch).await?;
            let token = github.as_ref().map(|(_, _, token)| token);
            let updated = branch_update::update(&self.update, token).await?;
            match &updated.decision {
                Decision::Push { commit, .. } => {
                    store.record_push(&key, &self.update.branch, commit).await?;
                    pushed = Some(commit.clone());
                }
                Decision::Unchanged { head } => pushed = Some(head.clone()),
                Decision::Skip { reason, .. } => {
                    for item in std::mem::take(&mut report.addressed) {
                        report.not_addressed.push(crate::artifacts::ItemOutcome {
                            note: format!(
                                "{}, but the branch could not be updated: {reason}",
                                item.note
                            ),
                            ..item
                        });
                    }
                    report.checks_fixed = 0;
                }
            }
            head = updated.head.clone().or(head);
        }
        let round_pr = RoundPr {
            run_id: &input.run_id,
            repository: &key,
            branch: &self.update.branch,
            needs_human_label: &self.config.follow_up.needs_human_label,
        };
        let finished = match &github {
            Some((api, repo, _)) => {
                publish::finish_on_github(
                    store.as_ref(),
                    (api, repo),
                    round_pr,
                    &report,
                    pushed.as_deref(),
                )
                .await?
            }
            None => {
                publish::finish_locally(store.as_ref(), round_pr, &report, pushed.as_deref())
                    .await?
            }
        };
        let url = existing.as_ref().and_then(|r| r.url.clone());
        let title = existing.as_ref().map(|r| r.title.clone());
        if let (Some(row), Some(commit)) = (existing, &pushed) {
            store
                .upsert_pull_request(&PullRequestRow {
                    run_id: input.run_id.clone(),
                    head_commit: Some(commit.clone()),
                    updated_at: chrono::Utc::now(),
                    ..row
                })
                .await?;
        }
        let mut message = format!(
            "follow-up round {} on pull request #{number}: {}",
            report.round, finished.outcome
        );
        if let Some(commit) = &pushed {
            message.push_str(&format!(", pushed {}", short(commit)));
        }
        if let Some(why) = &finished.needs_human {
            message.push_str(&format!("; needs a human: {why}"));
        }
        let published = Published {
            action: if pushed.is_some() {
                PrAction::Updated
            } else {
                PrAction::Nothing
            },
            number: Some(number),
            url,
            head,
        };
        Ok((key, published, message, title))
    }
}
