//! `automaintainer show`: one run as text for a terminal, read from the store only (so it works
//! after the run directory is gone): the task, the pull request (number, branch, where it
//! lives and how to look at it), its title and body, the commits and the diff.

use std::fmt::Write as _;

use serde::de::DeserializeOwned;

use crate::artifacts::{Implementation, PullRequestFile, Selection, TaskFile};
use crate::store::{RunDetail, RunQuery, Store, StoreError};

/// Which run to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunSelector {
    Latest,
    Id(String),
}

impl RunSelector {
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "" | "latest" => Self::Latest,
            id => Self::Id(id.to_owned()),
        }
    }
}

/// Why a run cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum ShowError {
    #[error("no run `{0}` in the store (`automaintainer show latest` shows the newest)")]
    UnknownRun(String),
    #[error("no runs in the store yet (`automaintainer run` makes one)")]
    NoRuns,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The run `selector` names, in full.
pub async fn find(store: &dyn Store, selector: &RunSelector) -> Result<RunDetail, ShowError> {
    let run_id = match selector {
        RunSelector::Id(id) => id.clone(),
        RunSelector::Latest => {
            let query = RunQuery {
                repository: None,
                status: None,
                page: 1,
                per_page: 1,
                cursor: None,
            };
            let (rows, _) = store.run_overview(&query).await?;
            rows.into_iter()
                .next()
                .map(|row| row.run_id)
                .ok_or(ShowError::NoRuns)?
        }
    };
    store
        .run_detail(&run_id)
        .await?
        .ok_or(ShowError::UnknownRun(run_id))
}

/// The run as text: a header, the task, the pull request, the commits, then the diff.
pub fn render(detail: &RunDetail) -> String {
    let mut out = String::new();
    let run = &detail.overview;
    let _ = writeln!(
        out,
        "run {} · {} · {}",
        run.run_id,
        run.status.as_str(),
        run.repository
    );
    let _ = writeln!(
        out,
        "started {}",
        run.started_at.format("%Y-%m-%d %H:%M UTC")
    );
    if let Some(error) = &run.error {
        let _ = writeln!(out, "failed: {}", error.lines().next().unwrap_or_default());
    }
    out.push('\n');

    let task: Option<TaskFile> = artifact(detail, &["task"]);
    let implementation: Option<Implementation> = artifact(detail, &["implementation"]);
    match task.map(|t| t.selection) {
        Some(Selection::Selected { task }) => {
            let _ = writeln!(out, "task: {} ({})", task.title, task.kind.as_str());
            for line in task.rationale.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        Some(Selection::Nothing { reason }) => {
            let _ = writeln!(out, "task: none ({reason})");
        }
        None => {
            let _ = writeln!(out, "task: none recorded");
        }
    }
    out.push('\n');
    if let Some(transcript) = &detail.transcript {
        let _ = writeln!(
            out,
            "model conversation: {} (the run page shows it)\n",
            transcript.summary()
        );
    }

    let pr: Option<PullRequestFile> = artifact(detail, &["pull_request", "pr"]);
    match &pr {
        Some(pr) => pull_request(&mut out, detail, pr, implementation.as_ref()),
        None => {
            let _ = writeln!(out, "pull request: none");
        }
    }
    out.push('\n');

    match &detail.change {
        Some(change) => {
            let _ = writeln!(
                out,
                "commit{}:",
                if change.commits.len() == 1 { "" } else { "s" }
            );
            for commit in &change.commits {
                let short: String = commit.sha.chars().take(10).collect();
                let _ = writeln!(out, "  {short} {}", commit.summary);
            }
            out.push('\n');
            out.push_str(&change.diff);
            if !change.diff.ends_with('\n') && !change.diff.is_empty() {
                out.push('\n');
            }
            if change.truncated {
                let _ = writeln!(
                    out,
                    "[the diff was {} bytes; the first {} were kept with the run]",
                    change.diff_bytes,
                    change.diff.len()
                );
            }
        }
        None => {
            let _ = writeln!(out, "diff: none recorded (the run committed nothing)");
        }
    }
    out
}

fn pull_request(
    out: &mut String,
    detail: &RunDetail,
    pr: &PullRequestFile,
    implementation: Option<&Implementation>,
) {
    let number = pr
        .number
        .map(|n| format!("#{n}"))
        .or_else(|| detail.overview.pr_number.map(|n| format!("#{n}")))
        .unwrap_or_else(|| "(no number)".to_owned());
    let state = detail.overview.pr_state.as_deref().unwrap_or("recorded");
    let _ = writeln!(
        out,
        "pull request {number} ({state}) on the {} forge",
        pr.forge
    );
    let _ = writeln!(out, "  branch: {} → {}", pr.branch, pr.base_branch);
    match pr.url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) => {
            let _ = writeln!(out, "  where:  {url}");
        }
        None => {
            let _ = writeln!(out, "  where:  {} (a git repository)", pr.repository);
            let base = implementation
                .map(|i| i.base_commit.as_str())
                .filter(|b| !b.is_empty())
                .unwrap_or(pr.base_branch.as_str());
            let _ = writeln!(
                out,
                "  look:   git --git-dir {} log -p {base}..{}",
                shell_word(&pr.repository),
                shell_word(&pr.branch)
            );
        }
    }
    if detail.pull_request_runs.len() > 1 {
        let runs: Vec<&str> = detail
            .pull_request_runs
            .iter()
            .map(|r| r.run_id.as_str())
            .collect();
        let _ = writeln!(out, "  runs:   {}", runs.join(", "));
    }
    let _ = writeln!(out, "\ntitle: {}\n", pr.title);
    for line in pr.body.lines() {
        let _ = writeln!(out, "  {line}");
    }
}

/// `text` quoted for a POSIX shell when it needs to be.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-:@+=".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn artifact<T: DeserializeOwned>(detail: &RunDetail, names: &[&str]) -> Option<T> {
    names
        .iter()
        .find_map(|name| detail.artifacts.get(*name))
        .and_then(|value| T::deserialize(value).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_and_shell_words() {
        assert_eq!(RunSelector::parse("latest"), RunSelector::Latest);
        assert_eq!(RunSelector::parse(""), RunSelector::Latest);
        assert_eq!(RunSelector::parse("r-1"), RunSelector::Id("r-1".into()));
        assert_eq!(shell_word("/tmp/x.git"), "/tmp/x.git");
        assert_eq!(shell_word("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
