//! A change between two commits, read with git2: every changed file's content at the base and at
//! the head, and which lines the change added and removed. The one shape the evaluation (metrics
//! before and after) and the local review (checks of the added lines) both read.

use std::collections::BTreeSet;
use std::path::Path;

use git2::{DiffOptions, Oid, Repository};

use super::RepoError;

/// One changed file. Binary files and files that are not UTF-8 have no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    /// The path at the head (or at the base, for a deleted file), relative to the repository.
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// 1-based line numbers at the head that the change added or modified.
    pub added_lines: BTreeSet<u32>,
    pub removed: u32,
    /// 1-based line numbers at the base that the change removed or modified.
    pub removed_lines: BTreeSet<u32>,
}

impl ChangedFile {
    /// The change from `before` to `after` of one file, diffed line by line (for changes that
    /// are not commits: benchmarks and tests).
    pub fn from_sides(path: &str, before: Option<&str>, after: Option<&str>) -> Self {
        let mut file = Self::empty(path, before.map(str::to_owned), after.map(str::to_owned));
        let mut options = DiffOptions::new();
        options.context_lines(0);
        let patch = git2::Patch::from_buffers(
            before.unwrap_or_default().as_bytes(),
            Some(Path::new(path)),
            after.unwrap_or_default().as_bytes(),
            Some(Path::new(path)),
            Some(&mut options),
        );
        if let Ok(patch) = patch {
            file.collect_lines(&patch);
        }
        file
    }

    fn empty(path: &str, before: Option<String>, after: Option<String>) -> Self {
        Self {
            path: path.to_owned(),
            before,
            after,
            added_lines: BTreeSet::new(),
            removed: 0,
            removed_lines: BTreeSet::new(),
        }
    }

    fn collect_lines(&mut self, patch: &git2::Patch<'_>) {
        for hunk in 0..patch.num_hunks() {
            let lines = patch.num_lines_in_hunk(hunk).unwrap_or(0);
            for line in 0..lines {
                let Ok(line) = patch.line_in_hunk(hunk, line) else {
                    continue;
                };
                match line.origin() {
                    '+' => {
                        self.added_lines.extend(line.new_lineno());
                    }
                    '-' => {
                        self.removed += 1;
                        self.removed_lines.extend(line.old_lineno());
                    }
                    _ => {}
                }
            }
        }
    }

    pub fn added(&self) -> u32 {
        u32::try_from(self.added_lines.len()).unwrap_or(u32::MAX)
    }

    /// The added lines' text, in order.
    pub fn added_text(&self) -> Vec<&str> {
        self.added_with_numbers()
            .into_iter()
            .map(|(_, text)| text)
            .collect()
    }

    /// The added lines as (line number at the head, text), in order.
    pub fn added_with_numbers(&self) -> Vec<(u32, &str)> {
        self.head_text()
            .lines()
            .zip(1u32..)
            .filter(|(_, line)| self.added_lines.contains(line))
            .map(|(text, line)| (line, text))
            .collect()
    }

    /// The whole file at the head; empty when deleted, binary or not UTF-8.
    pub fn head_text(&self) -> &str {
        self.after.as_deref().unwrap_or_default()
    }

    /// Whether the change added line `line` (at the head).
    pub fn is_added(&self, line: u32) -> bool {
        self.added_lines.contains(&line)
    }

    /// Whether the change added any line in `start..=end` (at the head).
    pub fn touches(&self, start: u32, end: u32) -> bool {
        self.added_lines.range(start..=end).next().is_some()
    }
}

/// Every file that differs between `base` and `head` (commits or other revisions) in the
/// repository at `repo`.
pub fn changed_files(repo: &Path, base: &str, head: &str) -> Result<Vec<ChangedFile>, RepoError> {
    let repository = Repository::open(repo)
        .map_err(|e| RepoError::git(format!("open {}", repo.display()), e))?;
    let tree_of = |rev: &str| -> Result<git2::Tree<'_>, RepoError> {
        repository
            .revparse_single(rev)
            .and_then(|object| object.peel_to_tree())
            .map_err(|e| RepoError::git(format!("find commit {rev}"), e))
    };
    let (base_tree, head_tree) = (tree_of(base)?, tree_of(head)?);
    let mut options = DiffOptions::new();
    options.context_lines(0);
    let diff = repository
        .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut options))
        .map_err(|e| RepoError::git(format!("diff {base}..{head}"), e))?;

    let mut files = Vec::new();
    for (index, delta) in diff.deltas().enumerate() {
        let path = delta
            .new_file()
            .path()
            .or_else(|| delta.old_file().path())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut file = ChangedFile::empty(
            &path,
            blob_text(&repository, delta.old_file().id()),
            blob_text(&repository, delta.new_file().id()),
        );
        if let Ok(Some(patch)) = git2::Patch::from_diff(&diff, index) {
            file.collect_lines(&patch);
        }
        files.push(file);
    }
    Ok(files)
}

fn blob_text(repository: &Repository, id: Oid) -> Option<String> {
    if id.is_zero() {
        return None;
    }
    let blob = repository.find_blob(id).ok()?;
    if blob.is_binary() {
        return None;
    }
    String::from_utf8(blob.content().to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::test_git::git;

    #[test]
    fn reads_both_sides_and_the_added_and_removed_lines_of_each_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        std::fs::write(root.join("a.txt"), "one\ntwo\nthree\n").unwrap();
        std::fs::write(root.join("gone.txt"), "bye\n").unwrap();
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "base"]);
        std::fs::write(root.join("a.txt"), "one\n2\nthree\nfour\n").unwrap();
        std::fs::remove_file(root.join("gone.txt")).unwrap();
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "head"]);

        let files = changed_files(root, "HEAD~1", "HEAD").unwrap();
        assert_eq!(files.len(), 2, "{files:?}");
        let a = &files[0];
        assert_eq!(a.path, "a.txt");
        assert_eq!(a.added_with_numbers(), vec![(2, "2"), (4, "four")]);
        assert_eq!(a.removed_lines, BTreeSet::from([2]));
        assert!(a.is_added(4) && !a.is_added(3));
        assert!(a.touches(3, 5) && !a.touches(3, 3));
        let gone = &files[1];
        assert_eq!(
            (gone.path.as_str(), gone.after.as_deref()),
            ("gone.txt", None)
        );
        assert_eq!(gone.head_text(), "");
        assert!(gone.added_with_numbers().is_empty());
        assert!(changed_files(root, "HEAD", "no-such-rev").is_err());
    }

    #[test]
    fn sides_given_as_text_are_diffed_the_same_way() {
        let file = ChangedFile::from_sides("m.py", Some("a\nb\n"), Some("a\nc\nd\n"));
        assert_eq!(file.added_text(), vec!["c", "d"]);
        assert_eq!((file.added(), file.removed), (2, 1));
    }
}
