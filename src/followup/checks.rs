//! The failing checks of a PR's head commit on GitHub: check runs whose conclusion is a failure
//! and commit statuses in `failure` or `error` (CodeRabbit's own status is no check).

use serde_json::Value;

use crate::artifacts::FailingCheck;
use crate::forge::github::{GitHubApi, GitHubRepo};
use crate::forge::ForgeError;

/// The most characters of one check's output kept.
pub const MAX_OUTPUT_CHARS: usize = 4000;

const FAILED_RUN: [&str; 4] = ["failure", "timed_out", "startup_failure", "action_required"];
const FAILED_STATUS: [&str; 2] = ["failure", "error"];

pub async fn failing(
    api: &GitHubApi,
    repo: &GitHubRepo,
    head: &str,
) -> Result<Vec<FailingCheck>, ForgeError> {
    let base = format!("/repos/{}/commits/{head}", repo.full_name());
    let runs = api
        .get(
            &format!("{base}/check-runs?per_page=100"),
            "read the head commit's check runs",
        )
        .await?;
    let statuses = api
        .get(
            &format!("{base}/status?per_page=100"),
            "read the head commit's statuses",
        )
        .await?;
    Ok(from_responses(&runs, &statuses))
}

/// The failing checks in GitHub's answers (`check-runs` and the combined `status`).
pub fn from_responses(runs: &Value, statuses: &Value) -> Vec<FailingCheck> {
    let mut failing: Vec<FailingCheck> = runs["check_runs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|run| {
            run["conclusion"]
                .as_str()
                .is_some_and(|c| FAILED_RUN.contains(&c))
        })
        .filter(|run| !is_coderabbit(run["name"].as_str().unwrap_or_default()))
        .map(|run| {
            let output = &run["output"];
            let text: Vec<&str> = ["title", "summary", "text"]
                .iter()
                .filter_map(|key| output[*key].as_str())
                .filter(|t| !t.trim().is_empty())
                .collect();
            FailingCheck {
                name: run["name"].as_str().unwrap_or("check run").to_owned(),
                conclusion: run["conclusion"].as_str().unwrap_or_default().to_owned(),
                output: cap(&text.join("\n\n")),
            }
        })
        .collect();
    failing.extend(
        statuses["statuses"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| {
                s["state"]
                    .as_str()
                    .is_some_and(|st| FAILED_STATUS.contains(&st))
            })
            .filter(|s| !is_coderabbit(s["context"].as_str().unwrap_or_default()))
            .map(|s| FailingCheck {
                name: s["context"].as_str().unwrap_or("status").to_owned(),
                conclusion: s["state"].as_str().unwrap_or_default().to_owned(),
                output: cap(s["description"].as_str().unwrap_or_default()),
            }),
    );
    failing.sort_by(|a, b| a.name.cmp(&b.name));
    failing.dedup_by(|a, b| a.name == b.name);
    failing
}

fn is_coderabbit(name: &str) -> bool {
    name.to_lowercase().contains("coderabbit")
}

/// The last `MAX_OUTPUT_CHARS` characters (the end of a log says most).
pub fn cap(text: &str) -> String {
    let count = text.chars().count();
    if count <= MAX_OUTPUT_CHARS {
        return text.to_owned();
    }
    let tail: String = text.chars().skip(count - MAX_OUTPUT_CHARS).collect();
    format!("...{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn failures_of_both_kinds_are_read_and_the_rest_left() {
        let runs = json!({"total_count": 3, "check_runs": [
            {"name": "test", "status": "completed", "conclusion": "failure",
             "output": {"title": "1 test failed", "summary": "config::empty panicked"}},
            {"name": "lint", "status": "completed", "conclusion": "success", "output": {}},
            {"name": "build", "status": "in_progress", "conclusion": null, "output": {}}
        ]});
        let statuses = json!({"state": "failure", "statuses": [
            {"context": "ci/legacy", "state": "error", "description": "exited 2"},
            {"context": "CodeRabbit", "state": "failure", "description": "review failed"},
            {"context": "deploy", "state": "pending", "description": ""}
        ]});
        let failing = from_responses(&runs, &statuses);
        let names: Vec<&str> = failing.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["ci/legacy", "test"]);
        assert_eq!(failing[1].output, "1 test failed\n\nconfig::empty panicked");
        assert!(from_responses(&json!({}), &json!({})).is_empty());
    }
}
