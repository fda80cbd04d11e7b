//! Pull requests on GitHub: found by head branch, created, updated, reopened, labelled.

use serde_json::{json, Value};

use super::api::GitHubApi;
use crate::artifacts::PrAction;
use crate::forge::request::{plan, ExistingPr, Plan, PrOutcome, PrRequest};
use crate::forge::ForgeError;

/// A repository on GitHub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubRepo {
    pub owner: String,
    pub name: String,
}

impl GitHubRepo {
    fn path(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.owner, self.name)
    }

    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// Every PR (any state) whose head is `branch` of this repository.
pub async fn find_for_branch(
    api: &GitHubApi,
    repo: &GitHubRepo,
    branch: &str,
) -> Result<Vec<ExistingPr>, ForgeError> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("state", "all")
        .append_pair("head", &format!("{}:{branch}", repo.owner))
        .append_pair("per_page", "100")
        .finish();
    let items = api
        .get_all(
            &repo.path(&format!("/pulls?{query}")),
            "list the pull requests of the branch",
        )
        .await?;
    Ok(items
        .iter()
        // GitHub ignores a malformed `head` filter and lists everything; check it ourselves.
        .filter(|pr| pr["head"]["ref"].as_str().is_none_or(|r| r == branch))
        .filter_map(existing)
        .collect())
}

fn existing(pr: &Value) -> Option<ExistingPr> {
    Some(ExistingPr {
        number: pr["number"].as_u64()?,
        open: pr["state"].as_str() == Some("open"),
        merged: !pr["merged_at"].is_null() || pr["merged"].as_bool() == Some(true),
        url: pr["html_url"].as_str().map(str::to_owned),
    })
}

/// The plan for this branch, from the PRs GitHub has for it.
pub async fn plan_for(
    api: &GitHubApi,
    repo: &GitHubRepo,
    request: &PrRequest,
) -> Result<Plan, ForgeError> {
    let existing = find_for_branch(api, repo, &request.branch).await?;
    Ok(plan(&existing, request.reopen_closed))
}

/// Carries out a plan (after the branch was pushed).
pub async fn carry_out(
    api: &GitHubApi,
    repo: &GitHubRepo,
    request: &PrRequest,
    plan: Plan,
) -> Result<PrOutcome, ForgeError> {
    match plan {
        Plan::Create => match create(api, repo, request).await {
            // Someone (a parallel retry) opened it between our look-up and now: update theirs.
            Err(ForgeError::Validation { message, .. }) if message.contains("already exists") => {
                match plan_for(api, repo, request).await? {
                    Plan::Update(pr) => update(api, repo, request, pr, false).await,
                    _ => Err(ForgeError::Validation {
                        action: "create the pull request".to_owned(),
                        message,
                    }),
                }
            }
            other => other,
        },
        Plan::Update(pr) => update(api, repo, request, pr, false).await,
        Plan::Reopen(pr) => update(api, repo, request, pr, true).await,
        Plan::SkipClosed(pr) => Ok(PrOutcome {
            action: PrAction::SkippedClosed,
            number: Some(pr.number),
            url: pr.url,
        }),
    }
}

async fn create(
    api: &GitHubApi,
    repo: &GitHubRepo,
    request: &PrRequest,
) -> Result<PrOutcome, ForgeError> {
    let body = json!({
        "title": request.title,
        "head": request.branch,
        "base": request.base_branch,
        "body": request.body,
        "draft": request.draft,
    });
    let created = api
        .post(&repo.path("/pulls"), &body, "create the pull request")
        .await?;
    let number = created["number"].as_u64().ok_or_else(|| ForgeError::Api {
        action: "create the pull request".to_owned(),
        status: 201,
        message: "the answer has no PR number".to_owned(),
    })?;
    add_labels(api, repo, number, &request.labels).await?;
    Ok(PrOutcome {
        action: PrAction::Created,
        number: Some(number),
        url: created["html_url"].as_str().map(str::to_owned),
    })
}

async fn update(
    api: &GitHubApi,
    repo: &GitHubRepo,
    request: &PrRequest,
    pr: ExistingPr,
    reopen: bool,
) -> Result<PrOutcome, ForgeError> {
    let mut body = json!({
        "title": request.title,
        "body": request.body,
        "base": request.base_branch,
    });
    if reopen {
        body["state"] = json!("open");
    }
    let updated = api
        .patch(
            &repo.path(&format!("/pulls/{}", pr.number)),
            &body,
            "update the pull request",
        )
        .await?;
    add_labels(api, repo, pr.number, &request.labels).await?;
    Ok(PrOutcome {
        action: PrAction::Updated,
        number: Some(pr.number),
        url: updated["html_url"].as_str().map(str::to_owned).or(pr.url),
    })
}

async fn add_labels(
    api: &GitHubApi,
    repo: &GitHubRepo,
    number: u64,
    labels: &[String],
) -> Result<(), ForgeError> {
    if labels.is_empty() {
        return Ok(());
    }
    api.post(
        &repo.path(&format!("/issues/{number}/labels")),
        &json!({ "labels": labels }),
        "label the pull request",
    )
    .await?;
    Ok(())
}

/// Adds one label to PR `number` (labels it already has stay).
pub async fn label(
    api: &GitHubApi,
    repo: &GitHubRepo,
    number: u64,
    label: &str,
) -> Result<(), ForgeError> {
    add_labels(api, repo, number, &[label.to_owned()]).await
}

/// Posts `body` as a comment on PR `number` (PRs take comments as issues do).
pub async fn comment(
    api: &GitHubApi,
    repo: &GitHubRepo,
    number: u64,
    body: &str,
) -> Result<(), ForgeError> {
    api.post(
        &repo.path(&format!("/issues/{number}/comments")),
        &json!({ "body": body }),
        "comment on the pull request",
    )
    .await?;
    Ok(())
}
