//! The work branch is held with a lease: before a push, the remote branch's head is read, and
//! what goes out is worked out against it so that nothing anyone else pushed is lost.
//!
//! The run's new change is one commit `C` on the current base. The remote branch may hold the
//! commit this project pushed last, and commits others added (a maintainer's fix, GitHub's
//! "Update branch" merge). Others' commits are the branch's commits whose committer is not the
//! committer of `C`. The tree the branch should have is `C` with others' commits replayed on top
//! (each as a three-way cherry-pick; one that no longer changes anything is dropped):
//! - the remote already has that tree and the base did not move: nothing is pushed
//!   (`Unchanged`), so a pull request's CI does not re-run for nothing;
//! - no one else's commits: `C` replaces the branch (the base moved: the branch is rebased);
//! - others' commits and the same base: a new commit with that tree goes on top of the remote
//!   head (a fast-forward: their commits stay as they are);
//! - others' commits and a base that moved: `C` with their commits replayed (rebased);
//! - a replay that conflicts, or a branch whose history no longer holds what this project
//!   pushed: the update is skipped, with the reason.
//!
//! The push itself is a compare-and-swap: it goes through only if the remote head is still the
//! one the decision was made on ([`super::push::push_over`]).

use std::path::Path;

use git2::{Commit, Oid, Repository, Sort};

use super::RepoError;

/// What the lease decided for the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Push `commit` over `expected` (None: the branch does not exist on the remote).
    Push {
        commit: String,
        expected: Option<String>,
        how: Update,
    },
    /// The remote branch already holds this change on this base; nothing to push.
    Unchanged { head: String },
    /// The update cannot be made without losing someone's work; nothing is pushed.
    Skip { head: String, reason: String },
}

/// How a push changes the branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// The branch is new on the remote.
    New,
    /// The branch held only this project's commits; it is replaced.
    Replace,
    /// A commit on top of others' commits (a fast-forward).
    OnTop,
    /// Onto a base that moved, others' commits replayed on top.
    Rebased,
}

impl Update {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Replace => "replaced",
            Self::OnTop => "on top of others' commits",
            Self::Rebased => "rebased onto the new base",
        }
    }
}

/// What the decision is made from: the clone (holding `commit`, `base` and the remote head's
/// objects), and what the store says was pushed last.
#[derive(Debug, Clone, Copy)]
pub struct LeaseInput<'a> {
    pub clone: &'a Path,
    /// The run's change: one commit whose parent is `base`.
    pub commit: &'a str,
    pub base: &'a str,
    /// The remote branch's head, None when the branch is not there.
    pub remote_head: Option<&'a str>,
    /// The commit this project pushed last, as the store recorded it.
    pub pushed_before: Option<&'a str>,
}

/// Decides what to push; may create commits in the clone (never moves its branches).
pub fn decide(input: &LeaseInput<'_>) -> Result<Decision, RepoError> {
    let repo = Repository::open(input.clone)
        .map_err(|e| RepoError::git(format!("open repository {}", input.clone.display()), e))?;
    let ours = find(&repo, input.commit)?;
    let Some(head_text) = input.remote_head else {
        return Ok(Decision::Push {
            commit: input.commit.to_owned(),
            expected: None,
            how: Update::New,
        });
    };
    let head = find(&repo, head_text)?;
    let base = find(&repo, input.base)?;
    let skip = |reason: String| Decision::Skip {
        head: head_text.to_owned(),
        reason,
    };
    if head.id() == ours.id() {
        return Ok(Decision::Unchanged {
            head: head_text.to_owned(),
        });
    }
    if let Some(pushed) = input.pushed_before.filter(|p| *p != head_text) {
        let kept = Oid::from_str(pushed)
            .ok()
            .is_some_and(|p| repo.graph_descendant_of(head.id(), p).unwrap_or(false));
        if !kept {
            return Ok(skip(format!(
                "the branch was rewritten by someone else: its head {} no longer contains {}, the commit this project pushed last",
                short(head_text),
                short(pushed)
            )));
        }
    }
    let others = others_commits(&repo, &head, &base, &ours)?;
    let base_moved = !(head.id() == base.id()
        || repo
            .graph_descendant_of(head.id(), base.id())
            .map_err(|e| RepoError::git("compare the branch with the base", e))?);
    if others.is_empty() {
        if !base_moved && head.tree_id() == ours.tree_id() {
            return Ok(Decision::Unchanged {
                head: head_text.to_owned(),
            });
        }
        return Ok(Decision::Push {
            commit: input.commit.to_owned(),
            expected: Some(head_text.to_owned()),
            how: if base_moved {
                Update::Rebased
            } else {
                Update::Replace
            },
        });
    }
    let mut tip = ours.clone();
    for theirs in &others {
        match replay(&repo, &tip, theirs)? {
            Replayed::Commit(next) => tip = next,
            Replayed::Empty => {}
            Replayed::Conflict(paths) => {
                return Ok(skip(format!(
                    "the change no longer applies under the commit {} ({}) pushed by {}: conflicts in {}",
                    short(&theirs.id().to_string()),
                    theirs.summary().unwrap_or_default(),
                    theirs.author().name().unwrap_or("someone"),
                    paths.join(", ")
                )))
            }
        }
    }
    if !base_moved {
        if tip.tree_id() == head.tree_id() {
            return Ok(Decision::Unchanged {
                head: head_text.to_owned(),
            });
        }
        let tree = tip
            .tree()
            .map_err(|e| RepoError::git("read the combined tree", e))?;
        let on_top = repo
            .commit(
                None,
                &ours.author(),
                &ours.committer(),
                ours.message().unwrap_or_default(),
                &tree,
                &[&head],
            )
            .map_err(|e| RepoError::git("commit the change on top of the branch", e))?;
        return Ok(Decision::Push {
            commit: on_top.to_string(),
            expected: Some(head_text.to_owned()),
            how: Update::OnTop,
        });
    }
    Ok(Decision::Push {
        commit: tip.id().to_string(),
        expected: Some(head_text.to_owned()),
        how: Update::Rebased,
    })
}

/// The branch's commits (from the base to `head`, oldest first) that `ours`'s committer did
/// not make.
fn others_commits<'r>(
    repo: &'r Repository,
    head: &Commit<'r>,
    base: &Commit<'r>,
    ours: &Commit<'r>,
) -> Result<Vec<Commit<'r>>, RepoError> {
    let fail = |e| RepoError::git("list the branch's commits", e);
    let mut walk = repo.revwalk().map_err(fail)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(fail)?;
    walk.push(head.id()).map_err(fail)?;
    walk.hide(base.id()).map_err(fail)?;
    let me = ours.committer();
    let mut others = Vec::new();
    for oid in walk {
        let commit = repo.find_commit(oid.map_err(fail)?).map_err(fail)?;
        let by = commit.committer();
        let mine = by.name_bytes() == me.name_bytes() && by.email_bytes() == me.email_bytes();
        drop(by);
        if !mine {
            others.push(commit);
        }
    }
    Ok(others)
}

enum Replayed<'r> {
    Commit(Commit<'r>),
    /// The commit changes nothing any more (its change is in the tip already).
    Empty,
    Conflict(Vec<String>),
}

/// Cherry-picks `theirs` (against its first parent) onto `tip`, keeping its author, committer
/// and message.
fn replay<'r>(
    repo: &'r Repository,
    tip: &Commit<'r>,
    theirs: &Commit<'r>,
) -> Result<Replayed<'r>, RepoError> {
    let fail = |e| RepoError::git(format!("replay commit {}", theirs.id()), e);
    let parent = theirs.parent(0).map_err(fail)?;
    let ancestor = parent.tree().map_err(fail)?;
    let mut index = repo
        .merge_trees(
            &ancestor,
            &tip.tree().map_err(fail)?,
            &theirs.tree().map_err(fail)?,
            None,
        )
        .map_err(fail)?;
    if index.has_conflicts() {
        let mut paths: Vec<String> = index
            .conflicts()
            .map_err(fail)?
            .flatten()
            .filter_map(|c| c.our.or(c.their).or(c.ancestor))
            .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
            .collect();
        paths.sort();
        paths.dedup();
        return Ok(Replayed::Conflict(paths));
    }
    let tree_id = index.write_tree_to(repo).map_err(fail)?;
    if tree_id == tip.tree_id() {
        return Ok(Replayed::Empty);
    }
    let tree = repo.find_tree(tree_id).map_err(fail)?;
    let oid = repo
        .commit(
            None,
            &theirs.author(),
            &theirs.committer(),
            theirs.message().unwrap_or_default(),
            &tree,
            &[tip],
        )
        .map_err(fail)?;
    Ok(Replayed::Commit(repo.find_commit(oid).map_err(fail)?))
}

fn find<'r>(repo: &'r Repository, id: &str) -> Result<Commit<'r>, RepoError> {
    Oid::from_str(id)
        .and_then(|oid| repo.find_commit(oid))
        .map_err(|e| RepoError::git(format!("find commit {id}"), e))
}

/// The first 8 characters of a commit id, for messages.
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::test_git::git_as as git;

    fn commit(dir: &Path, who: &str, file: &str, text: &str) -> String {
        std::fs::write(dir.join(file), text).unwrap();
        git(dir, who, &["add", "-A"]);
        git(
            dir,
            who,
            &["commit", "-q", "-m", &format!("{who} edits {file}")],
        );
        git(dir, who, &["rev-parse", "HEAD"])
    }

    struct Repo {
        _tmp: tempfile::TempDir,
        dir: std::path::PathBuf,
        base: String,
    }

    fn repo() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        git(&dir, "m", &["init", "-q", "-b", "main"]);
        std::fs::write(dir.join("b.txt"), "b\n").unwrap();
        let base = commit(&dir, "m", "a.txt", "one\ntwo\nthree\n");
        Repo {
            _tmp: tmp,
            dir,
            base,
        }
    }

    fn ours_on(r: &Repo, base: &str, text: &str) -> String {
        git(&r.dir, "bot", &["checkout", "-q", "--detach", base]);
        commit(&r.dir, "bot", "a.txt", text)
    }

    fn decide_for(
        r: &Repo,
        commit: &str,
        base: &str,
        head: Option<&str>,
        pushed: Option<&str>,
    ) -> Decision {
        decide(&LeaseInput {
            clone: &r.dir,
            commit,
            base,
            remote_head: head,
            pushed_before: pushed,
        })
        .unwrap()
    }

    #[test]
    fn the_same_change_on_the_same_base_is_unchanged() {
        let r = repo();
        let before = ours_on(&r, &r.base, "ONE\ntwo\nthree\n");
        // A new run makes the same change again: a new commit, the same tree.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let again = ours_on(&r, &r.base, "ONE\ntwo\nthree\n");
        assert_ne!(before, again);
        assert_eq!(
            decide_for(&r, &again, &r.base, Some(&before), Some(&before)),
            Decision::Unchanged {
                head: before.clone()
            }
        );
        let different = ours_on(&r, &r.base, "ONE\nTWO\nthree\n");
        assert!(matches!(
            decide_for(&r, &different, &r.base, Some(&before), Some(&before)),
            Decision::Push {
                how: Update::Replace,
                ..
            }
        ));
        assert!(matches!(
            decide_for(&r, &different, &r.base, None, None),
            Decision::Push {
                how: Update::New,
                expected: None,
                ..
            }
        ));
    }

    #[test]
    fn a_maintainers_commit_stays_and_the_new_work_goes_on_top() {
        let r = repo();
        let pushed = ours_on(&r, &r.base, "ONE\ntwo\nthree\n");
        let theirs = commit(&r.dir, "maintainer", "b.txt", "b by hand\n");
        // The same change again: the remote has it all.
        let same = ours_on(&r, &r.base, "ONE\ntwo\nthree\n");
        assert_eq!(
            decide_for(&r, &same, &r.base, Some(&theirs), Some(&pushed)),
            Decision::Unchanged {
                head: theirs.clone()
            }
        );
        // A bigger change: one commit on top of the maintainer's.
        let more = ours_on(&r, &r.base, "ONE\ntwo\nTHREE\n");
        let Decision::Push {
            commit,
            expected,
            how,
        } = decide_for(&r, &more, &r.base, Some(&theirs), Some(&pushed))
        else {
            panic!("expected a push");
        };
        assert_eq!(
            (expected.as_deref(), how),
            (Some(theirs.as_str()), Update::OnTop)
        );
        assert_eq!(
            git(&r.dir, "m", &["rev-parse", &format!("{commit}^")]),
            theirs
        );
        assert_eq!(
            git(&r.dir, "m", &["show", &format!("{commit}:b.txt")]),
            "b by hand"
        );
        assert_eq!(
            git(&r.dir, "m", &["show", &format!("{commit}:a.txt")]),
            "ONE\ntwo\nTHREE"
        );
    }

    #[test]
    fn a_moved_base_rebases_and_keeps_others_commits() {
        let r = repo();
        let pushed = ours_on(&r, &r.base, "ONE\ntwo\nthree\n");
        let theirs = commit(&r.dir, "maintainer", "b.txt", "b by hand\n");
        git(&r.dir, "m", &["checkout", "-q", "--detach", &r.base]);
        let moved = commit(&r.dir, "m", "c.txt", "new on main\n");
        let ours = ours_on(&r, &moved, "ONE\ntwo\nthree\n");
        let Decision::Push { commit, how, .. } =
            decide_for(&r, &ours, &moved, Some(&theirs), Some(&pushed))
        else {
            panic!("expected a push");
        };
        assert_eq!(how, Update::Rebased);
        assert_eq!(
            git(&r.dir, "m", &["rev-parse", &format!("{commit}^")]),
            ours
        );
        assert_eq!(
            git(&r.dir, "m", &["show", &format!("{commit}:b.txt")]),
            "b by hand"
        );
        assert_eq!(
            git(&r.dir, "m", &["log", "-1", "--format=%an", &commit]),
            "maintainer"
        );
    }

    #[test]
    fn conflicts_and_rewritten_history_skip_the_update() {
        let r = repo();
        let pushed = ours_on(&r, &r.base, "ONE\ntwo\nthree\n");
        let theirs = commit(&r.dir, "maintainer", "a.txt", "One!\ntwo\nthree\n");
        let other = ours_on(&r, &r.base, "uno\ntwo\nthree\n");
        let Decision::Skip { reason, .. } =
            decide_for(&r, &other, &r.base, Some(&theirs), Some(&pushed))
        else {
            panic!("expected a skip");
        };
        assert!(reason.contains("conflicts in a.txt"), "{reason}");
        assert!(reason.contains("maintainer"), "{reason}");
        // Someone force-pushed a branch that no longer holds what was pushed.
        git(&r.dir, "x", &["checkout", "-q", "--detach", &r.base]);
        let rewritten = commit(&r.dir, "x", "b.txt", "rewritten\n");
        let Decision::Skip { reason, .. } =
            decide_for(&r, &other, &r.base, Some(&rewritten), Some(&pushed))
        else {
            panic!("expected a skip");
        };
        assert!(reason.contains("rewritten"), "{reason}");
    }
}
