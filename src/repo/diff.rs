//! What a change did to the working tree, against the base commit: per-file line counts and the
//! added lines (for the secrets scan).

use std::path::Path;

use git2::{DiffOptions, Oid, Repository};

use super::RepoError;
use crate::artifacts::FileChange;

/// The change to `paths` in the working tree against `base_commit`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiffSummary {
    pub files: Vec<FileChange>,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// Every added line, for scanning.
    pub added_text: String,
}

/// Tracked files whose working-tree content differs from `base_commit` (what a formatter or a
/// fixer changed; files a build created, such as lock files, are not tracked and not included).
pub fn changed_tracked_files(root: &Path, base_commit: &str) -> Result<Vec<String>, RepoError> {
    let repo = open(root)?;
    let tree = tree_of(&repo, base_commit)?;
    let mut options = DiffOptions::new();
    options.include_untracked(false);
    let diff = repo
        .diff_tree_to_workdir(Some(&tree), Some(&mut options))
        .map_err(|e| RepoError::git("diff the working tree", e))?;
    Ok(diff
        .deltas()
        .filter_map(|d| d.new_file().path().or(d.old_file().path()))
        .map(|p| p.to_string_lossy().into_owned())
        .collect())
}

/// Line counts of `paths` (tracked or new) in the working tree against `base_commit`.
pub fn summarize(
    root: &Path,
    base_commit: &str,
    paths: &[String],
) -> Result<DiffSummary, RepoError> {
    let mut summary = DiffSummary::default();
    if paths.is_empty() {
        return Ok(summary);
    }
    let repo = open(root)?;
    let tree = tree_of(&repo, base_commit)?;
    let mut options = DiffOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true)
        .disable_pathspec_match(true);
    for path in paths {
        options.pathspec(path);
    }
    let diff = repo
        .diff_tree_to_workdir(Some(&tree), Some(&mut options))
        .map_err(|e| RepoError::git("diff the working tree", e))?;
    for index in 0..diff.deltas().len() {
        let Ok(Some(patch)) = git2::Patch::from_diff(&diff, index) else {
            continue;
        };
        let delta = patch.delta();
        let path = delta
            .new_file()
            .path()
            .or(delta.old_file().path())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (_, added, removed) = patch
            .line_stats()
            .map_err(|e| RepoError::git(format!("count the lines changed in {path}"), e))?;
        for hunk in 0..patch.num_hunks() {
            let lines = patch.num_lines_in_hunk(hunk).unwrap_or(0);
            for line in 0..lines {
                if let Ok(line) = patch.line_in_hunk(hunk, line) {
                    if line.origin() == '+' {
                        summary
                            .added_text
                            .push_str(&String::from_utf8_lossy(line.content()));
                    }
                }
            }
        }
        summary.lines_added += added as u64;
        summary.lines_removed += removed as u64;
        summary.files.push(FileChange {
            path,
            added: added as u64,
            removed: removed as u64,
        });
    }
    Ok(summary)
}

/// Every line `commit` adds against `base_commit`, read from the git objects themselves: what a
/// push would carry, for the last secrets scan.
pub fn added_in_commit(root: &Path, base_commit: &str, commit: &str) -> Result<String, RepoError> {
    let repo = open(root)?;
    let base = tree_of(&repo, base_commit)?;
    let head = tree_of(&repo, commit)?;
    let diff = repo
        .diff_tree_to_tree(Some(&base), Some(&head), None)
        .map_err(|e| RepoError::git("diff the commit against its base", e))?;
    let mut added = String::new();
    diff.print(git2::DiffFormat::Patch, |_, _, line| {
        if line.origin() == '+' {
            added.push_str(&String::from_utf8_lossy(line.content()));
        }
        true
    })
    .map_err(|e| RepoError::git("read the commit's changes", e))?;
    Ok(added)
}

/// The text of `path` in `base_commit`; None when the base lacks it or it is not UTF-8.
pub fn base_text(root: &Path, base_commit: &str, path: &str) -> Result<Option<String>, RepoError> {
    let repo = open(root)?;
    let tree = tree_of(&repo, base_commit)?;
    let Ok(entry) = tree.get_path(Path::new(path)) else {
        return Ok(None);
    };
    let Ok(blob) = repo.find_blob(entry.id()) else {
        return Ok(None);
    };
    Ok(std::str::from_utf8(blob.content()).ok().map(str::to_owned))
}

fn tree_of<'r>(repo: &'r Repository, commit: &str) -> Result<git2::Tree<'r>, RepoError> {
    Oid::from_str(commit)
        .and_then(|oid| repo.find_commit(oid))
        .and_then(|c| c.tree())
        .map_err(|e| RepoError::git(format!("read the tree of {commit}"), e))
}

fn open(root: &Path) -> Result<Repository, RepoError> {
    Repository::open(root)
        .map_err(|e| RepoError::git(format!("open repository {}", root.display()), e))
}

/// The change from `base_commit` to `commit` as a unified diff (what `git diff` prints) and its
/// diffstat.
pub fn patch(root: &Path, base_commit: &str, commit: &str) -> Result<(String, String), RepoError> {
    let repo = open(root)?;
    let old = tree_of(&repo, base_commit)?;
    let new = tree_of(&repo, commit)?;
    let diff = repo
        .diff_tree_to_tree(Some(&old), Some(&new), None)
        .map_err(|e| RepoError::git("diff the change", e))?;
    let mut text = Vec::new();
    diff.print(git2::DiffFormat::Patch, |_, _, line| {
        if matches!(line.origin(), '+' | '-' | ' ') {
            text.push(line.origin() as u8);
        }
        text.extend_from_slice(line.content());
        true
    })
    .map_err(|e| RepoError::git("write the change as a patch", e))?;
    let stat = diff
        .stats()
        .and_then(|s| s.to_buf(git2::DiffStatsFormat::FULL, 80))
        .map_err(|e| RepoError::git("count the change", e))?;
    Ok((
        String::from_utf8_lossy(&text).into_owned(),
        String::from_utf8_lossy(&stat).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_and_its_diffstat() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let signature = git2::Signature::now("T", "t@example.com").unwrap();
        let commit = |text: &str, parent: Option<Oid>| {
            std::fs::write(dir.path().join("a.txt"), text).unwrap();
            let mut index = repo.index().unwrap();
            index.add_path(Path::new("a.txt")).unwrap();
            let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
            let parents: Vec<git2::Commit<'_>> = parent
                .map(|p| repo.find_commit(p).unwrap())
                .into_iter()
                .collect();
            let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            repo.commit(None, &signature, &signature, "m", &tree, &refs)
                .unwrap()
        };
        let base = commit("one\ntwo\n", None);
        let head = commit("one\nTWO\n", Some(base));
        let (patch, stat) = patch(dir.path(), &base.to_string(), &head.to_string()).unwrap();
        assert!(patch.starts_with("diff --git a/a.txt b/a.txt\n"), "{patch}");
        assert!(patch.contains("\n-two\n+TWO\n"), "{patch}");
        assert!(
            stat.contains("1 file changed, 1 insertion(+), 1 deletion(-)"),
            "{stat}"
        );
    }
}
