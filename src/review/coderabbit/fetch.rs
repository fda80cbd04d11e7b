//! Reading a pull request's reviews and comments from GitHub (every page), and waiting for
//! CodeRabbit's review of the head commit with a growing interval up to a limit.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::activity::Activity;
use super::assess::{assess, Assessment};
use crate::forge::github::{GitHubApi, GitHubRepo};
use crate::forge::ForgeError;

/// How long, and how often, to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// Give up (and fall back to the local review) after this long.
    pub limit: Duration,
    /// The first interval; doubled after each look, up to `max_interval`.
    pub interval: Duration,
    pub max_interval: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            limit: Duration::from_secs(900),
            interval: Duration::from_secs(15),
            max_interval: Duration::from_secs(120),
        }
    }
}

/// Reviews, review comments and issue comments of PR `number`.
pub async fn fetch(
    api: &GitHubApi,
    repo: &GitHubRepo,
    number: u64,
) -> Result<Activity, ForgeError> {
    let base = format!("/repos/{}/{}", repo.owner, repo.name);
    Ok(Activity {
        reviews: items(
            api,
            &format!("{base}/pulls/{number}/reviews?per_page=100"),
            "read the PR's reviews",
        )
        .await?,
        review_comments: items(
            api,
            &format!("{base}/pulls/{number}/comments?per_page=100"),
            "read the PR's review comments",
        )
        .await?,
        issue_comments: items(
            api,
            &format!("{base}/issues/{number}/comments?per_page=100"),
            "read the PR's comments",
        )
        .await?,
    })
}

async fn items<T: DeserializeOwned>(
    api: &GitHubApi,
    path: &str,
    action: &str,
) -> Result<Vec<T>, ForgeError> {
    api.get_all(path, action)
        .await?
        .into_iter()
        .map(|item: Value| {
            serde_json::from_value(item).map_err(|source| ForgeError::Decode {
                action: action.to_owned(),
                source,
            })
        })
        .collect()
}

/// Asks until CodeRabbit reviewed `head_commit` or said it will not, or the limit passes
/// (`Pending`). The first look happens at once.
pub async fn wait_for_review(
    api: &GitHubApi,
    repo: &GitHubRepo,
    number: u64,
    head_commit: Option<&str>,
    polling: Polling,
) -> Result<Assessment, ForgeError> {
    let started = Instant::now();
    let mut interval = polling.interval;
    loop {
        let activity = fetch(api, repo, number).await?;
        let assessment = assess(&activity, head_commit);
        let elapsed = started.elapsed();
        if assessment != Assessment::Pending || elapsed >= polling.limit {
            return Ok(assessment);
        }
        let sleep = interval.min(polling.limit.saturating_sub(elapsed));
        tracing::info!(
            "no CodeRabbit review of PR #{number} yet; looking again in {}s",
            sleep.as_secs()
        );
        tokio::time::sleep(sleep).await;
        interval = (interval * 2).min(polling.max_interval);
    }
}
