//! Recent history of the clone: the last commits, and the files that changed most in them.

use std::collections::HashMap;
use std::path::Path;

use git2::{Repository, Sort};

use super::error::RepoError;
use crate::artifacts::{CommitSummary, History, HotFile};

/// How far back history is read, and how much of it is kept.
#[derive(Debug, Clone, Copy)]
pub struct HistoryLimits {
    /// Commits listed in the context.
    pub commits: usize,
    /// Commits whose changed files are counted.
    pub scanned: usize,
    /// Hot files listed.
    pub hot_files: usize,
}

impl Default for HistoryLimits {
    fn default() -> Self {
        Self {
            commits: 10,
            scanned: 200,
            hot_files: 15,
        }
    }
}

/// Reads the history of HEAD, newest first. Merge commits are listed but not counted (their
/// changes are counted on the side branch already).
pub fn read(root: &Path, limits: HistoryLimits) -> Result<History, RepoError> {
    let repo = Repository::open(root)
        .map_err(|e| RepoError::git(format!("open {}", root.display()), e))?;
    let mut walk = repo
        .revwalk()
        .map_err(|e| RepoError::git("walk history", e))?;
    walk.set_sorting(Sort::TIME)
        .map_err(|e| RepoError::git("walk history", e))?;
    walk.push_head()
        .map_err(|e| RepoError::git("walk history from HEAD", e))?;
    let mut recent_commits = Vec::new();
    let mut changes: HashMap<String, u32> = HashMap::new();
    for oid in walk.take(limits.scanned.max(limits.commits)) {
        let oid = oid.map_err(|e| RepoError::git("walk history", e))?;
        let commit = repo
            .find_commit(oid)
            .map_err(|e| RepoError::git(format!("read commit {oid}"), e))?;
        if recent_commits.len() < limits.commits {
            recent_commits.push(CommitSummary {
                id: oid.to_string(),
                summary: commit.summary().unwrap_or_default().to_owned(),
                author: commit.author().name().unwrap_or_default().to_owned(),
                time: commit.time().seconds(),
            });
        }
        if commit.parent_count() > 1 {
            continue;
        }
        let tree = commit
            .tree()
            .map_err(|e| RepoError::git("read a tree", e))?;
        let parent_tree = commit.parent(0).ok().and_then(|p| p.tree().ok());
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)
            .map_err(|e| RepoError::git(format!("diff commit {oid}"), e))?;
        for delta in diff.deltas() {
            if let Some(path) = delta.new_file().path().and_then(|p| p.to_str()) {
                *changes.entry(path.to_owned()).or_default() += 1;
            }
        }
    }
    let mut hot_files: Vec<HotFile> = changes
        .into_iter()
        .map(|(path, changes)| HotFile { path, changes })
        .collect();
    hot_files.sort_by(|a, b| b.changes.cmp(&a.changes).then_with(|| a.path.cmp(&b.path)));
    hot_files.truncate(limits.hot_files);
    Ok(History {
        recent_commits,
        hot_files,
    })
}
