//! The change under review, from git (git2): the lines each file gained between two commits, and
//! the files' contents at the head.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{DiffOptions, Oid, Repository};

use crate::forge::ForgeError;

/// A file the change added lines to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: String,
    /// (line number at the head, text without the newline), in order.
    pub added: Vec<(u32, String)>,
    /// The whole file at the head; empty for binary or unreadable files.
    pub content: String,
}

impl ChangedFile {
    pub fn is_added(&self, line: u32) -> bool {
        self.added.iter().any(|(n, _)| *n == line)
    }

    pub fn touches(&self, start: u32, end: u32) -> bool {
        self.added.iter().any(|(n, _)| (start..=end).contains(n))
    }
}

/// The files with added lines between `base` and `head` (commits or other revisions).
pub fn added_lines(clone: &Path, base: &str, head: &str) -> Result<Vec<ChangedFile>, ForgeError> {
    let repo = Repository::open(clone)
        .map_err(|e| ForgeError::git(format!("open the clone at {}", clone.display()), e))?;
    let tree_of = |rev: &str| {
        repo.revparse_single(rev)
            .and_then(|object| object.peel_to_tree())
            .map_err(|e| ForgeError::git(format!("find commit {rev}"), e))
    };
    let base_tree = tree_of(base)?;
    let head_tree = tree_of(head)?;
    let mut options = DiffOptions::new();
    options.context_lines(0);
    let diff = repo
        .diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut options))
        .map_err(|e| ForgeError::git(format!("diff {base}..{head}"), e))?;

    let mut files: BTreeMap<String, (Oid, Vec<(u32, String)>)> = BTreeMap::new();
    diff.foreach(
        &mut |_, _| true,
        None,
        None,
        Some(&mut |delta, _hunk, line| {
            if line.origin() == '+' {
                if let (Some(path), Some(number)) = (
                    delta
                        .new_file()
                        .path()
                        .map(|p| p.to_string_lossy().into_owned()),
                    line.new_lineno(),
                ) {
                    let text = String::from_utf8_lossy(line.content())
                        .trim_end_matches(['\n', '\r'])
                        .to_owned();
                    files
                        .entry(path)
                        .or_insert_with(|| (delta.new_file().id(), Vec::new()))
                        .1
                        .push((number, text));
                }
            }
            true
        }),
    )
    .map_err(|e| ForgeError::git(format!("read the diff {base}..{head}"), e))?;

    Ok(files
        .into_iter()
        .map(|(path, (blob, added))| {
            let content = repo
                .find_blob(blob)
                .ok()
                .filter(|b| !b.is_binary())
                .map(|b| String::from_utf8_lossy(b.content()).into_owned())
                .unwrap_or_default();
            ChangedFile {
                path,
                added,
                content,
            }
        })
        .collect())
}
