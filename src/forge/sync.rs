//! The lifecycle sync at the start of every run: for every pull request of the repository the
//! store has as open, what the forge says now. GitHub: state, `merged_at`, `closed_at`, the
//! head commit and the reviewers requested. The local forge: merged when the branch's change is
//! in the base (merge commit, fast-forward, rebase or squash, by patch id); closed when the
//! branch was deleted unmerged. On either forge a PR whose change the base already has by other
//! commits is closed as superseded (on GitHub with a comment saying so).

use std::path::Path;

use chrono::{DateTime, Utc};
use git2::{Oid, Repository};
use serde_json::{json, Value};

use super::github::{pulls, GitHubApi, GitHubRepo};
use super::ForgeError;
use crate::repo::merged::{self, Fate};
use crate::store::{LifecycleUpdate, PullRequestRow, Store};

/// Where the PRs live.
#[derive(Debug)]
pub enum SyncForge<'a> {
    Local,
    GitHub {
        api: &'a GitHubApi,
        repo: &'a GitHubRepo,
    },
}

/// What the sync found for one PR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    pub number: Option<i64>,
    pub branch: String,
    /// `open`, `merged` or `closed`.
    pub state: String,
    /// One line for the run's summary.
    pub note: String,
}

/// The run's clone, whose `refs/remotes/origin/*` hold the remote's branches as just fetched.
#[derive(Debug, Clone, Copy)]
pub struct SyncClone<'a> {
    pub path: &'a Path,
    pub base_branch: &'a str,
}

/// Syncs every open PR of `repository` (its identity, as the store keys it).
pub async fn sync(
    store: &dyn Store,
    forge: &SyncForge<'_>,
    repository: &str,
    clone: SyncClone<'_>,
) -> Result<Vec<Synced>, ForgeError> {
    let rows = store
        .pull_requests(repository)
        .await
        .map_err(|e| ForgeError::store("read the pull requests to sync", e))?;
    let mut synced = Vec::new();
    for pr in rows.iter().filter(|pr| pr.state == "open") {
        let found = match forge {
            SyncForge::Local => local(pr, clone)?,
            SyncForge::GitHub { api, repo } => github(api, repo, pr, clone).await?,
        };
        let Some((update, note)) = found else {
            continue;
        };
        let changed = store
            .record_lifecycle(&update)
            .await
            .map_err(|e| ForgeError::store("record what the forge says of a pull request", e))?;
        if changed && update.state != "open" {
            tracing::info!("{note}");
        }
        if changed && update.state == "merged" {
            let event = crate::notify::Event::PrMerged {
                repository: repository.to_owned(),
                number: pr.number,
                url: pr.url.clone(),
                title: pr.title.clone(),
            };
            crate::notify::notify(&crate::secrets::Secrets::from_env(), &event).await;
        }
        if update.state != "open" || changed {
            synced.push(Synced {
                number: pr.number,
                branch: pr.branch.clone(),
                state: update.state.clone(),
                note,
            });
        }
    }
    Ok(synced)
}

fn name(pr: &PullRequestRow) -> String {
    pr.number.map_or_else(
        || format!("the pull request of {}", pr.branch),
        |n| format!("pull request #{n}"),
    )
}

/// The local forge's word, read in the remote itself (its path is the PR row's repository): it
/// still holds the commits of a branch deleted since, which a fresh clone would not have. When
/// it cannot be opened, the clone's view of it.
fn local(
    pr: &PullRequestRow,
    clone: SyncClone<'_>,
) -> Result<Option<(LifecycleUpdate, String)>, ForgeError> {
    let (repo, prefix) = match Repository::open(&pr.repository) {
        Ok(remote) => (remote, "refs/heads"),
        Err(_) => (open(clone.path)?, "refs/remotes/origin"),
    };
    let Some(base) = branch_in(&repo, prefix, clone.base_branch) else {
        return Ok(None);
    };
    let branch_head = branch_in(&repo, prefix, &pr.branch);
    let now = Utc::now();
    let head = branch_head.or_else(|| {
        pr.head_commit
            .as_deref()
            .and_then(|h| Oid::from_str(h).ok())
            .filter(|oid| repo.find_commit(*oid).is_ok())
    });
    let fate = match head {
        Some(head) => {
            merged::fate(&repo, head, base).map_err(|e| ForgeError::Lease(Box::new(e)))?
        }
        None => Fate::Pending,
    };
    let update = |state: &str, merged_at: Option<DateTime<Utc>>, closed: bool| LifecycleUpdate {
        repository: pr.repository.clone(),
        branch: pr.branch.clone(),
        state: state.to_owned(),
        merged: state == "merged",
        merged_at,
        closed_at: closed.then_some(merged_at.unwrap_or(now)),
        head_commit: branch_head.map(|h| h.to_string()),
    };
    Ok(Some(match fate {
        Fate::Merged { how, at } => (
            update("merged", Some(at.unwrap_or(now)), true),
            format!("{} was merged into {} ({how})", name(pr), clone.base_branch),
        ),
        Fate::Superseded => (
            update("closed", None, true),
            format!(
                "{} was closed as superseded: {} already has its change",
                name(pr),
                clone.base_branch
            ),
        ),
        Fate::Pending if branch_head.is_none() => (
            update("closed", None, true),
            format!("{} was closed: its branch was deleted unmerged", name(pr)),
        ),
        Fate::Pending => (update("open", None, false), format!("{} is open", name(pr))),
    }))
}

/// GitHub's word, and a superseded PR closed with a comment.
async fn github(
    api: &GitHubApi,
    repo: &GitHubRepo,
    pr: &PullRequestRow,
    clone: SyncClone<'_>,
) -> Result<Option<(LifecycleUpdate, String)>, ForgeError> {
    let Some(number) = pr.number.and_then(|n| u64::try_from(n).ok()) else {
        return Ok(None);
    };
    let path = format!("/repos/{}/pulls/{number}", repo.full_name());
    let found = api.get(&path, "read the pull request").await?;
    let time = |key: &str| {
        found[key]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let merged_at = time("merged_at");
    let closed_at = time("closed_at");
    let head = found["head"]["sha"].as_str().map(str::to_owned);
    let mut update = LifecycleUpdate {
        repository: pr.repository.clone(),
        branch: pr.branch.clone(),
        state: "open".to_owned(),
        merged: false,
        merged_at,
        closed_at,
        head_commit: head.clone(),
    };
    if merged_at.is_some() || found["merged"].as_bool() == Some(true) {
        update.state = "merged".to_owned();
        update.merged = true;
        return Ok(Some((update, format!("{} was merged", name(pr)))));
    }
    if found["state"].as_str() == Some("closed") {
        update.state = "closed".to_owned();
        return Ok(Some((update, format!("{} was closed unmerged", name(pr)))));
    }
    if superseded(clone, head.as_deref())? {
        let body = format!(
            "Closing: `{}` already has the change this pull request makes, so it is no longer \
             needed (superseded).\n\n{}\n",
            clone.base_branch,
            super::pr_text::BODY_MARKER
        );
        pulls::comment(api, repo, number, &body).await?;
        api.patch(
            &path,
            &json!({ "state": "closed" }),
            "close the superseded pull request",
        )
        .await?;
        update.state = "closed".to_owned();
        update.closed_at = Some(Utc::now());
        return Ok(Some((
            update,
            format!(
                "{} was closed as superseded: {} already has its change",
                name(pr),
                clone.base_branch
            ),
        )));
    }
    let reviewers = requested_reviewers(&found);
    let note = if reviewers.is_empty() {
        format!("{} is open", name(pr))
    } else {
        format!(
            "{} is open, reviews requested from {}",
            name(pr),
            reviewers.join(", ")
        )
    };
    Ok(Some((update, note)))
}

/// Whether the base already has everything the branch (at `head`) changes, by other commits.
fn superseded(clone: SyncClone<'_>, head: Option<&str>) -> Result<bool, ForgeError> {
    let repo = open(clone.path)?;
    let Some(base) = remote_branch(&repo, clone.base_branch) else {
        return Ok(false);
    };
    let Some(head) = head
        .and_then(|h| Oid::from_str(h).ok())
        .filter(|oid| repo.find_commit(*oid).is_ok())
    else {
        return Ok(false);
    };
    let fate = merged::fate(&repo, head, base).map_err(|e| ForgeError::Lease(Box::new(e)))?;
    Ok(matches!(fate, Fate::Superseded | Fate::Merged { .. }))
}

fn requested_reviewers(pr: &Value) -> Vec<String> {
    pr["requested_reviewers"]
        .as_array()
        .map(|users| {
            users
                .iter()
                .filter_map(|u| u["login"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn open(path: &Path) -> Result<Repository, ForgeError> {
    Repository::open(path)
        .map_err(|e| ForgeError::git(format!("open the clone {}", path.display()), e))
}

/// A branch of the remote as the clone saw it at setup (`origin/<branch>`).
fn remote_branch(repo: &Repository, branch: &str) -> Option<Oid> {
    branch_in(repo, "refs/remotes/origin", branch)
}

fn branch_in(repo: &Repository, prefix: &str, branch: &str) -> Option<Oid> {
    repo.find_reference(&format!("{prefix}/{branch}"))
        .ok()
        .and_then(|r| r.peel_to_commit().ok())
        .map(|c| c.id())
}
