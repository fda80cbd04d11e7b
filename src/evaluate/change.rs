//! The change being evaluated, read from git with git2: every changed file's content at the base
//! and at the head commit, and which lines the change added.

use std::collections::BTreeSet;
use std::path::Path;

use git2::{DiffOptions, Oid, Repository};

use crate::error::Error;

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
        let mut file = Self {
            path: path.to_owned(),
            before: before.map(str::to_owned),
            after: after.map(str::to_owned),
            added_lines: BTreeSet::new(),
            removed: 0,
            removed_lines: BTreeSet::new(),
        };
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
        let Some(after) = &self.after else {
            return Vec::new();
        };
        after
            .lines()
            .enumerate()
            .filter(|(i, _)| {
                u32::try_from(i + 1).is_ok_and(|line| self.added_lines.contains(&line))
            })
            .map(|(_, text)| text)
            .collect()
    }
}

/// Every file that differs between `base` and `head` in the repository at `repo`.
pub fn changed_files(repo: &Path, base: &str, head: &str) -> Result<Vec<ChangedFile>, Error> {
    let fail = |what: String| move |e: git2::Error| Error::step(what, e.message().to_owned());
    let repository = Repository::open(repo).map_err(fail(format!("open {}", repo.display())))?;
    let tree_of = |rev: &str| -> Result<git2::Tree<'_>, Error> {
        let object = repository
            .revparse_single(rev)
            .map_err(fail(format!("find commit {rev}")))?;
        object
            .peel_to_tree()
            .map_err(fail(format!("read the tree of {rev}")))
    };
    let (base_tree, head_tree) = (tree_of(base)?, tree_of(head)?);
    let mut options = DiffOptions::new();
    options.context_lines(0);
    let diff = repository
        .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut options))
        .map_err(fail(format!("diff {base}..{head}")))?;

    let mut files = Vec::new();
    for (index, delta) in diff.deltas().enumerate() {
        let path = delta
            .new_file()
            .path()
            .or_else(|| delta.old_file().path())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut file = ChangedFile {
            path,
            before: blob_text(&repository, delta.old_file().id()),
            after: blob_text(&repository, delta.new_file().id()),
            added_lines: BTreeSet::new(),
            removed: 0,
            removed_lines: BTreeSet::new(),
        };
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
