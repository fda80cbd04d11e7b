//! The clone a task is carried out in: its work branch and base, the rules and limits, the
//! checks; verifying a change (guardrails, then checks), committing it, or throwing it away.

use std::path::PathBuf;
use std::time::Duration;

use super::paths::PathPolicy;
use super::{checks, guardrails};
use crate::artifacts::CheckRun;
use crate::error::Error;
use crate::repo::branch::{self, Base};
use crate::repo::commit::{self, Author};
use crate::repo::diff::{self, DiffSummary};
use crate::repo_config::RepoConfig;
use crate::secrets::Redactor;

#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub base: Base,
    pub branch: String,
    pub config: RepoConfig,
    pub policy: PathPolicy,
    /// The only commands ever run on the change.
    pub checks: Vec<String>,
    pub check_timeout: Duration,
    pub redactor: Redactor,
    pub author: Author,
    /// Where the work branch pointed before this run, if it existed.
    pub previous_tip: Option<String>,
}

/// Whether a change may be committed.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Accepted(DiffSummary),
    /// Why not, said for the model's next attempt (and the report).
    Rejected(String),
}

impl Workspace {
    /// Checks the change to `paths`: guardrails first (cheap, and a leaked secret must not reach
    /// a check's output), then every check in order, stopping at the first that fails.
    pub async fn verify(
        &self,
        paths: &[String],
        attempt: u32,
        runs: &mut Vec<CheckRun>,
    ) -> Result<Verdict, Error> {
        let all: Vec<&String> = self.checks.iter().collect();
        self.verify_with(paths, attempt, runs, &all).await
    }

    /// As [`Self::verify`], with `checks` instead of the workspace's (those that pass on the
    /// base, say).
    pub async fn verify_with(
        &self,
        paths: &[String],
        attempt: u32,
        runs: &mut Vec<CheckRun>,
        checks: &[&String],
    ) -> Result<Verdict, Error> {
        let summary = diff::summarize(&self.root, &self.base.commit, paths)?;
        if summary.files.is_empty() {
            return Ok(Verdict::Rejected("the edits changed nothing".to_owned()));
        }
        if let Err(reason) = guardrails::within_limits(&summary, &self.config.limits)
            .and_then(|()| guardrails::free_of_secrets(&summary, &self.redactor))
        {
            return Ok(Verdict::Rejected(reason));
        }
        for command in checks.iter().copied() {
            let run = checks::run(
                &self.root,
                command,
                self.check_timeout,
                attempt,
                &self.redactor,
            )
            .await;
            let passed = run.passed;
            let feedback = if run.timed_out {
                format!(
                    "The check `{command}` did not finish within {}s. Its last output:\n{}",
                    self.check_timeout.as_secs(),
                    run.output_tail
                )
            } else {
                format!(
                    "The check `{command}` failed (exit status {}). Its last output:\n{}",
                    run.exit_code
                        .map_or_else(|| "none".to_owned(), |c| c.to_string()),
                    run.output_tail
                )
            };
            runs.push(run);
            if !passed {
                return Ok(Verdict::Rejected(feedback));
            }
        }
        // The checks ran the repository's code (and tests the model wrote), which may have
        // changed the files: what is committed is what the tree holds now, so look again.
        let after = diff::summarize(&self.root, &self.base.commit, paths)?;
        if let Err(reason) = guardrails::within_limits(&after, &self.config.limits)
            .and_then(|()| guardrails::free_of_secrets(&after, &self.redactor))
        {
            return Ok(Verdict::Rejected(format!(
                "after the checks ran, {reason} (a check changed the files)"
            )));
        }
        Ok(Verdict::Accepted(after))
    }

    /// Commits exactly `paths` with `message` (redacted), scans the commit itself for secrets
    /// (throwing it away if it holds one), then leaves the tree exactly at the commit.
    pub fn commit(&self, paths: &[String], message: &str) -> Result<String, Error> {
        let message = self.redactor.redact(message);
        let commit = commit::commit_paths(
            &self.root,
            paths,
            &message,
            &self.author,
            self.previous_tip.as_deref(),
        )?;
        let added = diff::added_in_commit(&self.root, &self.base.commit, &commit)?;
        let leaked = guardrails::text_free_of_secrets(&added, &self.redactor)
            .map_err(|line| format!("added line {line} of the commit"))
            .and_then(|()| {
                guardrails::text_free_of_secrets(&message, &self.redactor)
                    .map_err(|line| format!("line {line} of the commit message"))
            });
        if let Err(place) = leaked {
            self.reset()?;
            return Err(Error::step(
                "commit the change",
                format!("{place} looks like a secret; the commit was thrown away"),
            ));
        }
        // Nothing the checks left behind (untracked files, edits outside the change) stays.
        branch::reset_to_base(
            &self.root,
            &Base {
                branch: self.branch.clone(),
                commit: commit.clone(),
            },
        )?;
        Ok(commit)
    }

    /// Back to the base commit: nothing of the change survives on the branch or in the tree.
    pub fn reset(&self) -> Result<(), Error> {
        Ok(branch::reset_to_base(&self.root, &self.base)?)
    }
}
