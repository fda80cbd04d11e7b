//! A linter's output on a working tree, kept, so the same question is not asked twice: the
//! context lints the base, the offline fixer asks the same of the same base, the review lints the
//! head the fixer already linted, and a daily run on an unchanged base asks what yesterday's run
//! asked. An answer is kept under the tool, its version line, its arguments and the working
//! tree's id (`crate::repo::worktree_id`: every file's content, untracked ones too, so a
//! `Cargo.lock` cargo wrote counts), and only where the tool ran to a usable end.
//!
//! Where it lives. In a run whose build is kept (`crate::runner::build_dir`), beside that build:
//! `<cache>/builds/cargo/<repository's hash>.memo`, under the builds root the sandbox masks, so
//! only the product reads and writes it, and it goes when the kept build is swept. Otherwise in
//! the run directory (hidden too), for the run's own phases. Outside a run nothing is kept.
//!
//! What it is worth trusting with. An answer is what the repository's own code made the tool say
//! (a proc macro can emit any diagnostic); it is read back for the same repository and the same
//! files only, as cargo replays the diagnostics it keeps in the target directory, so it says
//! nothing the repository could not make the tool say again. Entries are written whole (a file
//! renamed into place) and checked against their full key when read.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What an answer is kept under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Key {
    tool: String,
    /// The tool's version line (`clippy 0.1.95 (…)`).
    version: String,
    args: Vec<String>,
    /// The working tree's id.
    worktree: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry<T> {
    key: Key,
    value: T,
}

/// One question about one working tree.
#[derive(Debug, Clone)]
pub(crate) struct Memo {
    file: PathBuf,
    key: Key,
}

impl Memo {
    /// The question `tool` (at `version`) with `args` asks of the working tree at `root`, as
    /// it is now; None outside a run or when the tree cannot be read (then nothing is kept).
    pub(crate) fn of(root: &Path, tool: &str, version: &str, args: &[String]) -> Option<Self> {
        Self::in_dir(crate::runner::lint_memo_dir()?, root, tool, version, args)
    }

    fn in_dir(
        dir: PathBuf,
        root: &Path,
        tool: &str,
        version: &str,
        args: &[String],
    ) -> Option<Self> {
        let worktree = crate::runner::worktree_id(root)?;
        let key = Key {
            tool: tool.to_owned(),
            version: version.to_owned(),
            args: args.to_vec(),
            worktree,
        };
        let digest = Sha256::digest(serde_json::to_vec(&key).ok()?);
        let file = dir.join(format!("{tool}-{}.json", hex::encode(&digest[..16])));
        Some(Self { file, key })
    }

    /// The kept answer, when there is one for exactly this question.
    pub(crate) fn get<T: DeserializeOwned>(&self) -> Option<T> {
        let bytes = std::fs::read(&self.file).ok()?;
        let entry: Entry<T> = serde_json::from_slice(&bytes)
            .map_err(|e| tracing::debug!("an unreadable memo {}: {e}", self.file.display()))
            .ok()?;
        if entry.key != self.key {
            return None;
        }
        tracing::debug!(tool = %self.key.tool, "the answer comes from the memo");
        // Used now: the prune goes by the last use.
        let _ = std::fs::File::options()
            .write(true)
            .open(&self.file)
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        Some(entry.value)
    }

    /// Keeps `value` as the answer; a failure is logged, never fatal.
    pub(crate) fn put<T: Serialize>(&self, value: &T) {
        let entry = Entry {
            key: self.key.clone(),
            value,
        };
        if let Err(e) = crate::runner::write_json(&self.file, &entry) {
            tracing::warn!("could not keep {}'s answer: {e}", self.key.tool);
        }
    }
}

/// Removes the answers in `dir` not used for longer than `max_age`; returns how many went.
pub(crate) fn prune(dir: &Path, max_age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let stale = meta.is_file()
            && meta
                .modified()
                .ok()
                .and_then(|used| now.duration_since(used).ok())
                .is_some_and(|age| age > max_age);
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::test_git::git_as;

    fn repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        git_as(dir.path(), "Ann", &["init", "-q", "-b", "main"]);
        std::fs::write(dir.path().join("lib.rs"), "fn a() {}\n").unwrap();
        git_as(dir.path(), "Ann", &["add", "-A"]);
        git_as(dir.path(), "Ann", &["commit", "-qm", "one"]);
        dir
    }

    #[test]
    fn an_answer_serves_the_same_question_on_the_same_files_only() {
        let repo = repository();
        let memos = tempfile::tempdir().unwrap();
        let ask = |version: &str, args: &[&str]| {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            Memo::in_dir(memos.path().into(), repo.path(), "clippy", version, &args).unwrap()
        };
        let memo = ask("clippy 1", &["--all-targets"]);
        assert_eq!(memo.get::<String>(), None);
        memo.put(&"two warnings".to_owned());
        assert_eq!(
            ask("clippy 1", &["--all-targets"])
                .get::<String>()
                .as_deref(),
            Some("two warnings")
        );
        // Another version, other arguments or other files: another question.
        assert_eq!(ask("clippy 2", &["--all-targets"]).get::<String>(), None);
        assert_eq!(ask("clippy 1", &["--lib"]).get::<String>(), None);
        std::fs::write(repo.path().join("lib.rs"), "fn a() { }\n").unwrap();
        assert_eq!(ask("clippy 1", &["--all-targets"]).get::<String>(), None);
        // The same files again, however they came back.
        std::fs::write(repo.path().join("lib.rs"), "fn a() {}\n").unwrap();
        assert!(ask("clippy 1", &["--all-targets"])
            .get::<String>()
            .is_some());
    }

    #[test]
    fn a_damaged_or_foreign_entry_is_no_answer_and_stale_ones_are_pruned() {
        let repo = repository();
        let memos = tempfile::tempdir().unwrap();
        let memo = Memo::in_dir(memos.path().into(), repo.path(), "rustfmt", "1", &[]).unwrap();
        std::fs::write(&memo.file, b"{\"key\":").unwrap();
        assert_eq!(memo.get::<Vec<String>>(), None);
        // An entry whose key is another question's, under this file name.
        let other = Memo::in_dir(memos.path().into(), repo.path(), "rustfmt", "2", &[]).unwrap();
        other.put(&vec!["a.rs".to_owned()]);
        std::fs::copy(&other.file, &memo.file).unwrap();
        assert_eq!(memo.get::<Vec<String>>(), None);

        let day = std::time::Duration::from_secs(86_400);
        std::fs::File::options()
            .write(true)
            .open(&other.file)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - 20 * day)
            .unwrap();
        assert_eq!(prune(memos.path(), 14 * day), 1);
        assert!(!other.file.exists() && memo.file.exists());
    }
}
