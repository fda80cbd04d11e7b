//! The work branch of a task: named deterministically from the task, so a retried or repeated
//! run lands on the same branch (and the same pull request), created from the base, and reset to
//! the base when an attempt is abandoned.

use std::path::Path;

use git2::{build::CheckoutBuilder, BranchType, Oid, Repository, ResetType};
use sha2::{Digest, Sha256};

use super::RepoError;
use crate::artifacts::TaskSpec;

/// Every work branch lives under this prefix.
pub const PREFIX: &str = "automaintainer/";

/// `automaintainer/<kind>-<slug of the title>-<8 hex of the task's identity>`. The identity is
/// the kind, the title, the sorted target files and the issue, so the same task always gets the
/// same name and different tasks with similar titles do not collide.
pub fn name_for(task: &TaskSpec) -> String {
    let mut files = task.target_files.clone();
    files.sort();
    let identity = format!(
        "{}\n{}\n{}\n{}",
        task.kind.as_str(),
        task.title.trim(),
        files.join("\n"),
        task.issue.map(|n| n.to_string()).unwrap_or_default()
    );
    let hash = hex::encode(Sha256::digest(identity.as_bytes()));
    let slug = slug(&task.title, 40);
    let kind = task.kind.as_str().replace('_', "-");
    if slug.is_empty() {
        format!("{PREFIX}{kind}-{}", &hash[..8])
    } else {
        format!("{PREFIX}{kind}-{slug}-{}", &hash[..8])
    }
}

/// Lowercase ASCII letters and digits joined by single dashes, at most `max` characters, cut at a
/// word boundary.
fn slug(text: &str, max: usize) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut out = String::new();
    for word in words {
        let extra = if out.is_empty() {
            word.len()
        } else {
            word.len() + 1
        };
        if out.len() + extra > max {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word);
    }
    out
}

/// The base of a work branch: its name and commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub branch: String,
    pub commit: String,
}

/// Finds the base branch's commit: the local branch, else `origin/<branch>`. With no name given,
/// the branch checked out (unless it is a work branch), else origin's default, else `main`.
pub fn resolve_base(root: &Path, branch: Option<&str>) -> Result<Base, RepoError> {
    let repo = open(root)?;
    let name = match branch {
        Some(name) => name.to_owned(),
        None => default_base(&repo),
    };
    let oid = repo
        .find_branch(&name, BranchType::Local)
        .or_else(|_| repo.find_branch(&format!("origin/{name}"), BranchType::Remote))
        .and_then(|b| b.get().peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| RepoError::git(format!("find the base branch `{name}`"), e))?;
    Ok(Base {
        branch: name,
        commit: oid.to_string(),
    })
}

fn default_base(repo: &Repository) -> String {
    if let Ok(head) = repo.head() {
        if let Some(name) = head
            .shorthand()
            .filter(|n| head.is_branch() && !n.starts_with(PREFIX))
        {
            return name.to_owned();
        }
    }
    repo.find_reference("refs/remotes/origin/HEAD")
        .ok()
        .and_then(|r| r.symbolic_target().map(str::to_owned))
        .and_then(|t| t.strip_prefix("refs/remotes/origin/").map(str::to_owned))
        .unwrap_or_else(|| "main".to_owned())
}

/// Points `branch` at the base commit (creating it, or resetting a branch left by an earlier
/// attempt), checks it out and cleans the working tree, untracked files included. Returns the
/// commit the branch pointed at before, if it existed, so an identical change can reuse it.
pub fn start(root: &Path, branch: &str, base: &Base) -> Result<Option<String>, RepoError> {
    let repo = open(root)?;
    let commit = base_commit(&repo, base)?;
    let previous = repo
        .find_branch(branch, BranchType::Local)
        .ok()
        .and_then(|b| b.get().target())
        .map(|oid| oid.to_string());
    // A branch that is checked out cannot be moved; step off it first (a retried run).
    if repo
        .head()
        .ok()
        .and_then(|h| h.shorthand().map(str::to_owned))
        .as_deref()
        == Some(branch)
    {
        repo.set_head_detached(commit.id())
            .map_err(|e| RepoError::git("detach HEAD", e))?;
    }
    repo.branch(branch, &commit, true)
        .map_err(|e| RepoError::git(format!("create branch {branch}"), e))?;
    repo.set_head(&format!("refs/heads/{branch}"))
        .map_err(|e| RepoError::git(format!("check out {branch}"), e))?;
    reset_hard(&repo, &commit, root)?;
    Ok(previous)
}

/// Throws away every change in the working tree and points the checked-out branch at the base
/// commit: nothing of an abandoned attempt survives.
pub fn reset_to_base(root: &Path, base: &Base) -> Result<(), RepoError> {
    let repo = open(root)?;
    let commit = base_commit(&repo, base)?;
    reset_hard(&repo, &commit, root)
}

/// Puts `paths` back as they are in the base commit (files the base lacks are removed).
pub fn restore_paths(root: &Path, base: &Base, paths: &[String]) -> Result<(), RepoError> {
    let repo = open(root)?;
    let commit = base_commit(&repo, base)?;
    let tree = commit
        .tree()
        .map_err(|e| RepoError::git("read the base tree", e))?;
    for path in paths {
        if tree.get_path(Path::new(path)).is_err() {
            let _ = std::fs::remove_file(root.join(path));
        }
    }
    let mut checkout = CheckoutBuilder::new();
    checkout.force();
    for path in paths {
        checkout.path(path);
    }
    repo.checkout_tree(commit.as_object(), Some(&mut checkout))
        .map_err(|e| RepoError::git("restore files from the base", e))
}

fn base_commit<'r>(repo: &'r Repository, base: &Base) -> Result<git2::Commit<'r>, RepoError> {
    Oid::from_str(&base.commit)
        .and_then(|oid| repo.find_commit(oid))
        .map_err(|e| RepoError::git(format!("find base commit {}", base.commit), e))
}

fn reset_hard(repo: &Repository, commit: &git2::Commit<'_>, root: &Path) -> Result<(), RepoError> {
    let mut checkout = CheckoutBuilder::new();
    checkout.force().remove_untracked(true);
    repo.reset(commit.as_object(), ResetType::Hard, Some(&mut checkout))
        .map_err(|e| RepoError::git(format!("reset {} to {}", root.display(), commit.id()), e))?;
    remove_untracked(repo, root)
}

/// Deletes what the checks left behind (a lock file, say) after the change is committed, so the
/// clone holds exactly the work branch.
pub fn clean(root: &Path) -> Result<(), RepoError> {
    remove_untracked(&open(root)?, root)
}

/// Deletes files that are neither tracked nor ignored (new files of an attempt, a lock file a
/// check wrote); ignored build output stays, as `git clean -fd` would leave it.
fn remove_untracked(repo: &Repository, root: &Path) -> Result<(), RepoError> {
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    let statuses = repo
        .statuses(Some(&mut options))
        .map_err(|e| RepoError::git("list untracked files", e))?;
    for entry in statuses.iter().filter(|e| e.status().is_wt_new()) {
        let Some(path) = entry.path() else { continue };
        let absolute = root.join(path);
        std::fs::remove_file(&absolute)
            .map_err(|e| RepoError::io(format!("remove {}", absolute.display()), e))?;
        remove_empty_parents(root, &absolute);
    }
    Ok(())
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(current) = dir.filter(|d| *d != root && d.starts_with(root)) {
        if std::fs::remove_dir(current).is_err() {
            break;
        }
        dir = current.parent();
    }
}

fn open(root: &Path) -> Result<Repository, RepoError> {
    Repository::open(root)
        .map_err(|e| RepoError::git(format!("open repository {}", root.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::TaskKind;

    fn task(title: &str, files: &[&str]) -> TaskSpec {
        TaskSpec {
            kind: TaskKind::BugFix,
            title: title.to_owned(),
            rationale: String::new(),
            target_files: files.iter().map(|f| (*f).to_owned()).collect(),
            acceptance_criteria: vec![],
            issue: Some(12),
            pull_request: None,
            tool: None,
            rules: Vec::new(),
        }
    }

    /// What a phase killed mid-way leaves in the clone: a half-made commit on the work branch,
    /// an edited tracked file, a staged new file, an untracked file and a new directory. The
    /// next attempt's start puts the branch back on the base and the tree exactly at it, and
    /// says which commit the branch held.
    #[test]
    fn the_next_attempt_starts_from_a_clean_base_whatever_a_killed_one_left() {
        use super::super::test_git::git;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        std::fs::write(root.join("lib.rs"), "fn a() {}\n").unwrap();
        std::fs::write(root.join(".gitignore"), "/target\n").unwrap();
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "base"]);
        let base = Base {
            branch: "main".to_owned(),
            commit: git(root, &["rev-parse", "HEAD"]),
        };
        let branch = "automaintainer/lint-x";
        assert_eq!(start(root, branch, &base).unwrap(), None);

        // The killed attempt.
        std::fs::write(root.join("lib.rs"), "fn a() { half }\n").unwrap();
        git(root, &["commit", "-q", "-am", "half-made"]);
        let half = git(root, &["rev-parse", "HEAD"]);
        std::fs::write(root.join("lib.rs"), "fn a() { more }\n").unwrap();
        std::fs::write(root.join("staged.rs"), "x\n").unwrap();
        git(root, &["add", "staged.rs"]);
        std::fs::write(root.join("untracked.rs"), "y\n").unwrap();
        std::fs::create_dir_all(root.join("new/deeper")).unwrap();
        std::fs::write(root.join("new/deeper/file.rs"), "z\n").unwrap();
        std::fs::create_dir_all(root.join("target")).unwrap();
        std::fs::write(root.join("target/build.out"), "ignored build output\n").unwrap();

        assert_eq!(start(root, branch, &base).unwrap(), Some(half));
        assert_eq!(git(root, &["rev-parse", "HEAD"]), base.commit);
        assert_eq!(git(root, &["symbolic-ref", "--short", "HEAD"]), branch);
        assert_eq!(git(root, &["status", "--porcelain"]), "", "a clean tree");
        assert_eq!(
            std::fs::read_to_string(root.join("lib.rs")).unwrap(),
            "fn a() {}\n"
        );
        assert!(!root.join("untracked.rs").exists() && !root.join("new").exists());
        assert!(
            root.join("target/build.out").exists(),
            "ignored build output stays, as git clean -fd would leave it"
        );
    }

    #[test]
    fn names_are_stable_readable_and_distinct() {
        let a = name_for(&task("Fix the off-by-one in `parse()`!", &["b.rs", "a.rs"]));
        let again = name_for(&task("Fix the off-by-one in `parse()`!", &["a.rs", "b.rs"]));
        assert_eq!(a, again, "file order does not change the name");
        assert!(
            a.starts_with("automaintainer/bug-fix-fix-the-off-by-one-in-parse-"),
            "{a}"
        );
        assert_eq!(
            a.len(),
            "automaintainer/bug-fix-fix-the-off-by-one-in-parse-".len() + 8
        );
        assert_ne!(
            a,
            name_for(&task("Fix the off-by-one in `parse()`!", &["c.rs"]))
        );
        assert!(git2::Reference::is_valid_name(&format!("refs/heads/{a}")));
        let long = name_for(&task(&"word ".repeat(50), &[]));
        assert!(long.len() < PREFIX.len() + 8 + 40 + 10, "{long}");
        assert!(name_for(&task("!!!", &[])).starts_with("automaintainer/bug-fix-"));
    }
}
