//! Eligible issues, read through the GitHub API (octocrab): open, unassigned, unlocked, without a
//! linked pull request, from an allowed author association, passing the label filters. Their
//! text is untrusted data: truncated, flagged, and never followed as instructions.

use serde::Deserialize;
use serde_json::Value;

use crate::artifacts::EligibleIssue;
use crate::error::Error;
use crate::repo_config::IssuePolicy;

/// Pages read at most (100 issues each): eligibility filters could otherwise walk a huge backlog.
const MAX_PAGES: usize = 10;

/// An issue as the REST API lists it; only the fields eligibility needs, so GitHub Enterprise's
/// variations and test stubs parse too.
#[derive(Debug, Deserialize)]
struct ApiIssue {
    number: u64,
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    labels: Vec<ApiLabel>,
    #[serde(default)]
    assignee: Option<Value>,
    #[serde(default)]
    assignees: Vec<Value>,
    #[serde(default)]
    locked: bool,
    #[serde(default)]
    state: Option<String>,
    /// Present when the "issue" is a pull request.
    #[serde(default)]
    pull_request: Option<Value>,
    #[serde(default)]
    author_association: String,
    #[serde(default)]
    user: Option<ApiUser>,
    #[serde(default)]
    html_url: String,
}

#[derive(Debug, Deserialize)]
struct ApiLabel {
    name: String,
}

#[derive(Debug, Deserialize)]
struct ApiUser {
    login: String,
}

/// The eligible issues of `owner/name`, newest first, at most `policy.max_issues`.
pub async fn eligible(
    client: &octocrab::Octocrab,
    owner: &str,
    name: &str,
    policy: &IssuePolicy,
) -> Result<Vec<EligibleIssue>, Error> {
    if !policy.enabled || policy.max_issues == 0 {
        return Ok(Vec::new());
    }
    let failed = |e: octocrab::Error| {
        Error::step(format!("read the issues of {owner}/{name}"), describe(&e))
    };
    let route = format!("/repos/{owner}/{name}/issues");
    let params = [("state", "open"), ("per_page", "100")];
    let mut page: octocrab::Page<ApiIssue> =
        client.get(&route, Some(&params)).await.map_err(failed)?;
    let mut eligible = Vec::new();
    for _ in 0..MAX_PAGES {
        for issue in std::mem::take(&mut page.items) {
            if eligible.len() >= policy.max_issues as usize {
                return Ok(eligible);
            }
            if !passes_filters(&issue, policy) {
                continue;
            }
            if has_linked_pull_request(client, owner, name, issue.number)
                .await
                .map_err(failed)?
            {
                continue;
            }
            eligible.push(to_eligible(issue, policy.max_body_chars as usize));
        }
        match client
            .get_page::<ApiIssue>(&page.next)
            .await
            .map_err(failed)?
        {
            Some(next) => page = next,
            None => break,
        }
    }
    Ok(eligible)
}

fn describe(e: &octocrab::Error) -> String {
    match e {
        octocrab::Error::GitHub { source, .. } => format!("GitHub answered: {}", source.message),
        other => other.to_string(),
    }
}

/// Everything decidable from the listing alone.
fn passes_filters(issue: &ApiIssue, policy: &IssuePolicy) -> bool {
    let labels: Vec<&str> = issue.labels.iter().map(|l| l.name.as_str()).collect();
    issue.state.as_deref().is_none_or(|s| s == "open")
        && issue.pull_request.is_none()
        && !issue.locked
        && issue.assignee.as_ref().is_none_or(Value::is_null)
        && issue.assignees.is_empty()
        && policy
            .author_associations
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&issue.author_association))
        && (policy.labels.is_empty() || labels.iter().any(|l| policy.labels.iter().any(|p| p == l)))
        && !labels
            .iter()
            .any(|l| policy.exclude_labels.iter().any(|x| x == l))
}

/// Whether an open pull request references the issue (the timeline's cross-references) or is
/// connected to it: someone is already on it.
async fn has_linked_pull_request(
    client: &octocrab::Octocrab,
    owner: &str,
    name: &str,
    number: u64,
) -> Result<bool, octocrab::Error> {
    let route = format!("/repos/{owner}/{name}/issues/{number}/timeline");
    let events: Vec<Value> = client.get(&route, Some(&[("per_page", "100")])).await?;
    Ok(events.iter().any(|event| match event["event"].as_str() {
        Some("connected") => true,
        Some("cross-referenced") => {
            let source = &event["source"]["issue"];
            !source["pull_request"].is_null() && source["state"] != "closed"
        }
        _ => false,
    }))
}

fn to_eligible(issue: ApiIssue, max_body_chars: usize) -> EligibleIssue {
    let body = issue.body.unwrap_or_default();
    let truncated = body.chars().count() > max_body_chars;
    let body = if truncated {
        let kept: String = body.chars().take(max_body_chars).collect();
        format!("{kept}\n[… truncated]")
    } else {
        body
    };
    EligibleIssue {
        number: issue.number,
        title: issue.title,
        body,
        labels: issue.labels.into_iter().map(|l| l.name).collect(),
        url: issue.html_url,
        author: issue.user.map(|u| u.login).unwrap_or_default(),
        body_truncated: truncated,
        untrusted: true,
    }
}
