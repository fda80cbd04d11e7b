//! The follow-up as the run's one task: "Address the feedback on PR #N", its target files the
//! findings' files (or, for failing checks alone, the files the PR changes).

use std::path::Path;

use crate::artifacts::{FollowUp, TaskKind, TaskSpec};

pub fn task(follow_up: &FollowUp, clone: &Path, max_files: usize) -> TaskSpec {
    let mut files: Vec<String> = follow_up
        .findings
        .iter()
        .filter_map(|f| f.path.clone())
        .collect();
    if files.is_empty() {
        files = changed_files(clone, &follow_up.base_branch, &follow_up.head_commit);
    }
    files.sort();
    files.dedup();
    files.truncate(max_files.max(1));
    let mut criteria = vec!["the repository's checks pass on the new commit".to_owned()];
    if !follow_up.findings.is_empty() {
        criteria.push(format!(
            "the {} open review finding(s) are addressed, or the round comment says why not",
            follow_up.findings.len()
        ));
    }
    if !follow_up.failing_checks.is_empty() {
        criteria.push(format!(
            "the failing check(s) {} pass",
            follow_up
                .failing_checks
                .iter()
                .map(|c| format!("`{}`", c.name))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    TaskSpec {
        kind: TaskKind::FollowUp,
        title: follow_up.title(),
        rationale: format!(
            "Pull request #{} has {} open review finding(s) and {} failing check(s) on its head {}; \
             follow-up round {} of at most {}.",
            follow_up.number,
            follow_up.findings.len(),
            follow_up.failing_checks.len(),
            follow_up.head_commit.get(..10).unwrap_or(&follow_up.head_commit),
            follow_up.round,
            follow_up.max_rounds
        ),
        target_files: files,
        acceptance_criteria: criteria,
        issue: None,
        pull_request: Some(follow_up.number),
        tool: None,
        rules: Vec::new(),
    }
}

/// The files the PR changes: from where its head leaves the base branch (as the clone knows
/// it), to the head. Empty when either is unknown.
fn changed_files(clone: &Path, base_branch: &str, head: &str) -> Vec<String> {
    let found = || -> Result<Vec<String>, git2::Error> {
        let repo = git2::Repository::open(clone)?;
        let head = repo.find_commit(git2::Oid::from_str(head)?)?;
        let base = repo
            .find_reference(&format!("refs/remotes/origin/{base_branch}"))
            .or_else(|_| repo.find_reference(&format!("refs/heads/{base_branch}")))?
            .peel_to_commit()?;
        let fork = repo.find_commit(repo.merge_base(base.id(), head.id())?)?;
        let diff = repo.diff_tree_to_tree(Some(&fork.tree()?), Some(&head.tree()?), None)?;
        Ok(diff
            .deltas()
            .filter_map(|d| d.new_file().path().map(|p| p.display().to_string()))
            .collect())
    };
    found().unwrap_or_default()
}
