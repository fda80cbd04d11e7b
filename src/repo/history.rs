//! Recent history of the clone: the last commits, and the files that changed most in them.
//!
//! The walk follows first parents from HEAD without sorting, so the cost is proportional to what
//! is shown, not to the repository's age (a time-sorted walk parses every commit first). A merge
//! is read as one change against its first parent, the way `git log --first-parent` shows the
//! mainline. Where `git` is installed it does the reading (`git log --first-parent -n`): its tree
//! diffs skip unchanged directories, where libgit2's walk every entry of both trees (on
//! rust-lang/cargo, 3,000 files, the 200 diffs were a quarter of am-context's warm CPU).
//! libgit2 reads the same when there is no git (or `AM_GIT=libgit2`), or git fails.

use std::collections::HashMap;
use std::path::Path;

use git2::Repository;

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

/// Reads the first-parent history of HEAD, newest first; a merge counts the files it brought
/// into the mainline.
pub fn read(root: &Path, limits: HistoryLimits) -> Result<History, RepoError> {
    if let Some(git) = super::git_cli::program() {
        match read_with_git(&git, root, limits) {
            Ok(history) => return Ok(history),
            Err(e) => tracing::debug!("git log failed, reading the history with libgit2: {e}"),
        }
    }
    read_with_libgit2(root, limits)
}

/// The history through `git log`: one record per commit (`\x1e`, fields split by `\x1f`), its
/// header ended by a NUL, then its files, each ended by a NUL.
fn read_with_git(git: &Path, root: &Path, limits: HistoryLimits) -> Result<History, RepoError> {
    let count = limits.scanned.max(limits.commits).to_string();
    let out = super::git_cli::local_output(
        git,
        root,
        &[
            "-c",
            "core.quotePath=false",
            "-c",
            "log.showRoot=true",
            "-c",
            "log.showSignature=false",
            "log",
            "--first-parent",
            "--diff-merges=first-parent",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--name-only",
            "-z",
            "--format=%x1e%H%x1f%ct%x1f%an%x1f%s",
            "-n",
            &count,
            "HEAD",
            "--",
        ],
    )?;
    let text = String::from_utf8_lossy(&out);
    let mut recent_commits = Vec::new();
    let mut changes: HashMap<String, u32> = HashMap::new();
    for record in text.split('\x1e').filter(|r| !r.is_empty()) {
        let mut parts = record.split('\0');
        let header = parts.next().unwrap_or_default();
        let mut fields = header.splitn(4, '\x1f');
        let (Some(id), Some(time), Some(author), Some(summary)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(RepoError::git(
                "read git log",
                git2::Error::from_str("a record without its fields"),
            ));
        };
        if recent_commits.len() < limits.commits {
            recent_commits.push(CommitSummary {
                id: id.to_owned(),
                summary: summary.to_owned(),
                author: author.to_owned(),
                time: time.parse().unwrap_or_default(),
            });
        }
        for path in parts
            .map(|p| p.trim_start_matches('\n'))
            .filter(|p| !p.is_empty())
        {
            *changes.entry(path.to_owned()).or_default() += 1;
        }
    }
    Ok(History {
        recent_commits,
        hot_files: hottest(changes, limits.hot_files),
    })
}

/// The most changed files, most first (by path among equals).
fn hottest(changes: HashMap<String, u32>, count: usize) -> Vec<HotFile> {
    let mut hot_files: Vec<HotFile> = changes
        .into_iter()
        .map(|(path, changes)| HotFile { path, changes })
        .collect();
    hot_files.sort_by(|a, b| b.changes.cmp(&a.changes).then_with(|| a.path.cmp(&b.path)));
    hot_files.truncate(count);
    hot_files
}

fn read_with_libgit2(root: &Path, limits: HistoryLimits) -> Result<History, RepoError> {
    let repo = Repository::open(root)
        .map_err(|e| RepoError::git(format!("open {}", root.display()), e))?;
    let mut walk = repo
        .revwalk()
        .map_err(|e| RepoError::git("walk history", e))?;
    walk.simplify_first_parent()
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
    Ok(History {
        recent_commits,
        hot_files: hottest(changes, limits.hot_files),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Oid, Signature, Time};

    fn commit(repo: &Repository, file: &str, message: &str, parents: &[Oid], time: i64) -> Oid {
        let sig = Signature::new("t", "t@example.com", &Time::new(time, 0)).unwrap();
        let parents: Vec<_> = parents
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let mut index = repo.index().unwrap();
        if let Some(parent) = parents.first() {
            index.read_tree(&parent.tree().unwrap()).unwrap();
        }
        let blob = repo.blob(message.as_bytes()).unwrap();
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: blob,
            flags: 0,
            flags_extended: 0,
            path: file.as_bytes().to_vec(),
        };
        index.add(&entry).unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let refs: Vec<_> = parents.iter().collect();
        repo.commit(None, &sig, &sig, message, &tree, &refs)
            .unwrap()
    }

    #[test]
    fn follows_the_mainline_and_counts_what_a_merge_brought() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let base = commit(&repo, "a.rs", "base", &[], 100);
        let main = commit(&repo, "a.rs", "main work", &[base], 200);
        // The side branch's commit is newer than the merge's first parent, so a time sort would
        // put it on the mainline.
        let side = commit(&repo, "b.rs", "side work", &[base], 300);
        let merge = commit(&repo, "b.rs", "merge side", &[main, side], 400);
        repo.reference("refs/heads/main", merge, true, "test")
            .unwrap();
        repo.set_head("refs/heads/main").unwrap();

        let history = read(dir.path(), HistoryLimits::default()).unwrap();
        let summaries: Vec<_> = history
            .recent_commits
            .iter()
            .map(|c| c.summary.as_str())
            .collect();
        assert_eq!(summaries, ["merge side", "main work", "base"]);
        let counts: Vec<_> = history
            .hot_files
            .iter()
            .map(|f| (f.path.as_str(), f.changes))
            .collect();
        assert_eq!(counts, [("a.rs", 2), ("b.rs", 1)]);
    }

    #[test]
    fn reads_no_further_than_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut head = commit(&repo, "f0.rs", "c0", &[], 0);
        for i in 1..30 {
            head = commit(&repo, &format!("f{i}.rs"), &format!("c{i}"), &[head], i);
        }
        repo.reference("refs/heads/main", head, true, "test")
            .unwrap();
        repo.set_head("refs/heads/main").unwrap();
        let limits = HistoryLimits {
            commits: 3,
            scanned: 5,
            hot_files: 100,
        };
        let history = read(dir.path(), limits).unwrap();
        assert_eq!(history.recent_commits.len(), 3);
        assert_eq!(history.recent_commits[0].summary, "c29");
        assert_eq!(history.hot_files.len(), 5, "only the scanned commits count");
    }

    /// What `git log --first-parent` shows: the commits listed, and for the counts each commit's
    /// files against its first parent (`-m`: a merge against the mainline it joined).
    fn git_log(dir: &std::path::Path, limits: HistoryLimits) -> (Vec<String>, Vec<(String, u32)>) {
        use crate::repo::test_git::git;
        let listed = git(
            dir,
            &[
                "log",
                "--first-parent",
                "-n",
                &limits.commits.to_string(),
                "--format=%H",
            ],
        );
        let names = git(
            dir,
            &[
                "log",
                "--first-parent",
                "-m",
                "--no-renames",
                "--name-only",
                "--format=",
                "-n",
                &limits.scanned.to_string(),
            ],
        );
        let mut counts: HashMap<String, u32> = HashMap::new();
        for name in names.lines().filter(|l| !l.is_empty()) {
            *counts.entry(name.to_owned()).or_default() += 1;
        }
        let mut counts: Vec<(String, u32)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts.truncate(limits.hot_files);
        (listed.lines().map(str::to_owned).collect(), counts)
    }

    #[test]
    fn git_and_libgit2_read_what_git_log_first_parent_shows_on_a_history_of_merges() {
        use crate::repo::test_git::git;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        let commit = |message: &str| {
            git(root, &["add", "-A"]);
            git(root, &["commit", "-q", "-m", message]);
        };
        write("src/lib.rs", "0");
        commit("base");
        for round in 0..6 {
            git(root, &["checkout", "-q", "-b", &format!("side{round}")]);
            write(&format!("src/side{round}.rs"), "side");
            write("src/shared.rs", &format!("side {round}"));
            commit(&format!("side {round}"));
            git(root, &["checkout", "-q", "main"]);
            write("src/lib.rs", &format!("main {round}"));
            commit(&format!("main {round}"));
            git(
                root,
                &[
                    "merge",
                    "-q",
                    "--no-ff",
                    "-m",
                    &format!("merge side {round}"),
                    &format!("side{round}"),
                ],
            );
            if round % 2 == 0 {
                write("README.md", &format!("round {round}"));
                commit(&format!("readme {round}"));
            }
        }
        for limits in [
            HistoryLimits::default(),
            HistoryLimits {
                commits: 4,
                scanned: 7,
                hot_files: 3,
            },
        ] {
            let (listed, counts) = git_log(root, limits);
            let git = crate::repo::git_cli::program().expect("git is installed");
            let through_git = read_with_git(&git, root, limits).unwrap();
            let through_libgit2 = read_with_libgit2(root, limits).unwrap();
            assert_eq!(through_git, through_libgit2);
            let ids: Vec<String> = through_git
                .recent_commits
                .iter()
                .map(|c| c.id.clone())
                .collect();
            assert_eq!(ids, listed);
            let hot: Vec<(String, u32)> = through_git
                .hot_files
                .iter()
                .map(|f| (f.path.clone(), f.changes))
                .collect();
            assert_eq!(hot, counts);
        }
    }
}
