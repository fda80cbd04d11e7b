//! The change between two commits as a reader wants it: the unified diff (`git diff base head`)
//! and the commits in between, oldest first. am-persist records it with the run.

use std::path::Path;

use git2::{DiffFormat, DiffOptions, Oid, Repository, Sort};

use super::RepoError;
use crate::store::{ChangeCommit, RunChange};

/// The most commits listed for one change.
const MAX_COMMITS: usize = 100;

/// The diff and commits from `base` to `head` in the repository at `root`, capped as the store
/// keeps it.
pub fn change_between(root: &Path, base: &str, head: &str) -> Result<RunChange, RepoError> {
    let repo = Repository::open(root)
        .map_err(|e| RepoError::git(format!("open repository {}", root.display()), e))?;
    let oid =
        |rev: &str| Oid::from_str(rev).map_err(|e| RepoError::git(format!("read commit {rev}"), e));
    let (base_oid, head_oid) = (oid(base)?, oid(head)?);
    let tree = |id: Oid| {
        repo.find_commit(id)
            .and_then(|c| c.tree())
            .map_err(|e| RepoError::git(format!("read the tree of {id}"), e))
    };
    let (base_tree, head_tree) = (tree(base_oid)?, tree(head_oid)?);
    let mut options = DiffOptions::new();
    options.context_lines(3);
    let mut diff = repo
        .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut options))
        .map_err(|e| RepoError::git(format!("diff {base}..{head}"), e))?;
    diff.find_similar(None)
        .map_err(|e| RepoError::git("find renamed files", e))?;
    let mut text = Vec::new();
    diff.print(DiffFormat::Patch, |_, _, line| {
        if matches!(line.origin(), '+' | '-' | ' ') {
            text.push(line.origin() as u8);
        }
        text.extend_from_slice(line.content());
        true
    })
    .map_err(|e| RepoError::git(format!("print the diff {base}..{head}"), e))?;
    let commits = commits_between(&repo, base_oid, head_oid)?;
    Ok(RunChange::capped(
        base.to_owned(),
        head.to_owned(),
        String::from_utf8_lossy(&text).into_owned(),
        commits,
    ))
}

fn commits_between(
    repo: &Repository,
    base: Oid,
    head: Oid,
) -> Result<Vec<ChangeCommit>, RepoError> {
    let action = || format!("list the commits {base}..{head}");
    let mut walk = repo.revwalk().map_err(|e| RepoError::git(action(), e))?;
    walk.push(head).map_err(|e| RepoError::git(action(), e))?;
    walk.hide(base).map_err(|e| RepoError::git(action(), e))?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(|e| RepoError::git(action(), e))?;
    let mut commits = Vec::new();
    for id in walk.take(MAX_COMMITS) {
        let id = id.map_err(|e| RepoError::git(action(), e))?;
        let commit = repo
            .find_commit(id)
            .map_err(|e| RepoError::git(action(), e))?;
        let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        let (summary, body) = message.split_once('\n').unwrap_or((&message, ""));
        commits.push(ChangeCommit {
            sha: id.to_string(),
            summary: summary.trim().to_owned(),
            body: body.trim().to_owned(),
            author: commit.author().name().unwrap_or_default().to_owned(),
        });
    }
    Ok(commits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::test_git::git;

    #[test]
    fn the_diff_and_commits_between_base_and_head() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        std::fs::write(root.join("lib.rs"), "fn a() {}\n").unwrap();
        git(root, &["add", "."]);
        git(root, &["commit", "-qm", "base"]);
        let base = git(root, &["rev-parse", "HEAD"]);
        std::fs::write(root.join("lib.rs"), "fn a() {}\nfn b() {}\n").unwrap();
        git(root, &["commit", "-qam", "Add b\n\nBecause b."]);
        std::fs::write(root.join("new.txt"), "hi\n").unwrap();
        git(root, &["add", "."]);
        git(root, &["commit", "-qm", "Add notes"]);
        let head = git(root, &["rev-parse", "HEAD"]);

        let change = change_between(root, &base, &head).unwrap();
        let expected = git(root, &["diff", &base, &head]);
        assert_eq!(change.diff.trim_end(), expected);
        assert!(change.diff.contains("+fn b() {}"));
        assert!(!change.truncated);
        let summaries: Vec<_> = change.commits.iter().map(|c| c.summary.as_str()).collect();
        assert_eq!(summaries, ["Add b", "Add notes"]);
        assert_eq!(change.commits[0].body, "Because b.");
        assert_eq!(change.commits[1].sha, head);
    }
}
