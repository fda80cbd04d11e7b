//! Whether a branch's change reached the base, however it got there: a merge commit or a
//! fast-forward (the branch's head is in the base's history), a rebase (each of the branch's
//! commits has a commit of the same patch id in the base), a squash (one base commit has the
//! patch id of the branch's whole change); or the base has the change some other way (applying
//! it to the base changes nothing: the PR is superseded).

use chrono::{DateTime, TimeZone, Utc};
use git2::{Commit, Oid, Repository, Sort};

use super::RepoError;

/// How far back the base's history is searched for the branch's change.
const MAX_BASE_COMMITS: usize = 2_000;

/// What became of a branch's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// The change is in the base; `how` is `merge`, `fast-forward`, `rebase` or `squash`; `at`
    /// is when the base commit that brought it was committed.
    Merged {
        how: &'static str,
        at: Option<DateTime<Utc>>,
    },
    /// The base already has everything the change does, by other commits.
    Superseded,
    /// Still a change of its own.
    Pending,
}

/// The fate of the branch whose head is `head`, against the base's tip `base`.
pub fn fate(repo: &Repository, head: Oid, base: Oid) -> Result<Fate, RepoError> {
    let fail = |e| RepoError::git("compare the branch with its base", e);
    let head_commit = repo.find_commit(head).map_err(fail)?;
    let base_commit = repo.find_commit(base).map_err(fail)?;
    if head == base || repo.graph_descendant_of(base, head).map_err(fail)? {
        let bringer = first_parent_bringer(repo, &base_commit, head)?;
        let how = if bringer.as_ref().is_some_and(|c| c.parent_count() > 1) {
            "merge"
        } else {
            "fast-forward"
        };
        return Ok(Fate::Merged {
            how,
            at: bringer.as_ref().map(commit_time),
        });
    }
    let fork = repo.merge_base(head, base).map_err(fail)?;
    let branch_commits = commits_between(repo, head, fork)?;
    if branch_commits.is_empty() {
        return Ok(Fate::Superseded);
    }
    let base_commits = commits_between(repo, base, fork)?;
    let mut base_ids = Vec::with_capacity(base_commits.len());
    for commit in base_commits.iter().take(MAX_BASE_COMMITS) {
        if commit.parent_count() == 1 {
            base_ids.push((patch_id(repo, commit)?, commit));
        }
    }
    let whole = {
        let fork_tree = repo
            .find_commit(fork)
            .and_then(|c| c.tree())
            .map_err(fail)?;
        let diff = repo
            .diff_tree_to_tree(
                Some(&fork_tree),
                Some(&head_commit.tree().map_err(fail)?),
                None,
            )
            .map_err(fail)?;
        diff.patchid(None).map_err(fail)?
    };
    if let Some((_, commit)) = base_ids.iter().find(|(id, _)| *id == whole) {
        // A rebased commit keeps its author's time and message; a squash makes a new one.
        let replayed = |original: &Commit<'_>| {
            original.author().when() == commit.author().when()
                && original.message_bytes() == commit.message_bytes()
        };
        let how = match branch_commits.as_slice() {
            [only] if replayed(only) => "rebase",
            _ => "squash",
        };
        return Ok(Fate::Merged {
            how,
            at: Some(commit_time(commit)),
        });
    }
    let mut latest: Option<&Commit<'_>> = None;
    let mut all_found = true;
    for commit in &branch_commits {
        let id = patch_id(repo, commit)?;
        match base_ids.iter().find(|(base_id, _)| *base_id == id) {
            Some((_, found)) => {
                if latest.is_none_or(|l| commit_time(found) > commit_time(l)) {
                    latest = Some(found);
                }
            }
            None => {
                all_found = false;
                break;
            }
        }
    }
    if all_found {
        return Ok(Fate::Merged {
            how: "rebase",
            at: latest.map(commit_time),
        });
    }
    // Applied to the base, does the change still change anything?
    let fork_tree = repo
        .find_commit(fork)
        .and_then(|c| c.tree())
        .map_err(fail)?;
    let merged = repo
        .merge_trees(
            &fork_tree,
            &base_commit.tree().map_err(fail)?,
            &head_commit.tree().map_err(fail)?,
            None,
        )
        .map_err(fail)?;
    if !merged.has_conflicts() {
        let mut merged = merged;
        let tree = merged.write_tree_to(repo).map_err(fail)?;
        if tree == base_commit.tree_id() {
            return Ok(Fate::Superseded);
        }
    }
    Ok(Fate::Pending)
}

/// The commit on the base's first-parent line that brought `head` in: the oldest one whose
/// history contains it.
fn first_parent_bringer<'r>(
    repo: &'r Repository,
    base: &Commit<'r>,
    head: Oid,
) -> Result<Option<Commit<'r>>, RepoError> {
    let fail = |e| RepoError::git("walk the base's history", e);
    let mut current = base.clone();
    let mut bringer = None;
    for _ in 0..MAX_BASE_COMMITS {
        let contains =
            current.id() == head || repo.graph_descendant_of(current.id(), head).map_err(fail)?;
        if !contains {
            break;
        }
        if current.id() == head {
            bringer = Some(current.clone());
            break;
        }
        bringer = Some(current.clone());
        match current.parent(0) {
            Ok(parent) => current = parent,
            Err(_) => break,
        }
    }
    Ok(bringer)
}

/// Commits reachable from `tip` and not from `stop`, oldest first.
fn commits_between<'r>(
    repo: &'r Repository,
    tip: Oid,
    stop: Oid,
) -> Result<Vec<Commit<'r>>, RepoError> {
    let fail = |e| RepoError::git("list commits", e);
    let mut walk = repo.revwalk().map_err(fail)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(fail)?;
    walk.push(tip).map_err(fail)?;
    walk.hide(stop).map_err(fail)?;
    walk.map(|oid| oid.and_then(|oid| repo.find_commit(oid)).map_err(fail))
        .collect()
}

fn patch_id(repo: &Repository, commit: &Commit<'_>) -> Result<Oid, RepoError> {
    let fail = |e| RepoError::git(format!("compute the patch id of {}", commit.id()), e);
    let parent = commit.parent(0).and_then(|p| p.tree()).map_err(fail)?;
    let diff = repo
        .diff_tree_to_tree(Some(&parent), Some(&commit.tree().map_err(fail)?), None)
        .map_err(fail)?;
    diff.patchid(None).map_err(fail)
}

fn commit_time(commit: &Commit<'_>) -> DateTime<Utc> {
    Utc.timestamp_opt(commit.committer().when().seconds(), 0)
        .single()
        .unwrap_or_else(Utc::now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::test_git::git;
    use std::path::Path;

    /// A repository with `main` (two files) and a branch `pr` changing both in two commits,
    /// while main gained an unrelated commit.
    fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        git(&dir, &["init", "-q", "-b", "main"]);
        std::fs::write(dir.join("a.txt"), "a\n").unwrap();
        std::fs::write(dir.join("b.txt"), "b\n").unwrap();
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-q", "-m", "base"]);
        git(&dir, &["checkout", "-q", "-b", "pr"]);
        std::fs::write(dir.join("a.txt"), "A\n").unwrap();
        git(&dir, &["commit", "-q", "-am", "one"]);
        std::fs::write(dir.join("b.txt"), "B\n").unwrap();
        git(&dir, &["commit", "-q", "-am", "two"]);
        git(&dir, &["checkout", "-q", "main"]);
        std::fs::write(dir.join("c.txt"), "c\n").unwrap();
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-q", "-m", "unrelated"]);
        (tmp, dir)
    }

    fn fate_of(dir: &Path) -> Fate {
        let repo = Repository::open(dir).unwrap();
        let head = Oid::from_str(&git(dir, &["rev-parse", "pr"])).unwrap();
        let base = Oid::from_str(&git(dir, &["rev-parse", "main"])).unwrap();
        fate(&repo, head, base).unwrap()
    }

    fn how(fate: Fate) -> &'static str {
        match fate {
            Fate::Merged { how, at } => {
                assert!(at.is_some());
                how
            }
            other => panic!("not merged: {other:?}"),
        }
    }

    #[test]
    fn every_way_of_merging_is_recognised() {
        let (_t, dir) = setup();
        assert_eq!(fate_of(&dir), Fate::Pending);
        git(&dir, &["merge", "-q", "--no-ff", "-m", "merge pr", "pr"]);
        assert_eq!(how(fate_of(&dir)), "merge");

        let (_t, dir) = setup();
        git(&dir, &["reset", "-q", "--hard", "HEAD~1"]);
        git(&dir, &["merge", "-q", "--ff-only", "pr"]);
        assert_eq!(how(fate_of(&dir)), "fast-forward");

        let (_t, dir) = setup();
        git(&dir, &["cherry-pick", "pr~1", "pr"]);
        assert_eq!(how(fate_of(&dir)), "rebase");

        let (_t, dir) = setup();
        git(&dir, &["merge", "-q", "--squash", "pr"]);
        git(&dir, &["commit", "-q", "-m", "squashed"]);
        assert_eq!(how(fate_of(&dir)), "squash");
    }

    #[test]
    fn a_base_that_has_the_change_otherwise_supersedes_it() {
        let (_t, dir) = setup();
        std::fs::write(dir.join("a.txt"), "A\n").unwrap();
        std::fs::write(dir.join("b.txt"), "B\n").unwrap();
        std::fs::write(dir.join("c.txt"), "c and more\n").unwrap();
        git(&dir, &["commit", "-q", "-am", "the same, and more"]);
        assert_eq!(fate_of(&dir), Fate::Superseded);
    }
}
