//! Pushing the work branch to a remote (git2), always to the URL (or path) the run was given,
//! never to a remote named in the clone's config (which the repository's own content could have
//! changed). A token, when there is one, travels only through the credential callback: never
//! into `.git/config`, never into a remote URL.
//!
//! A push is a compare-and-swap on the remote branch: it goes through only when the branch's
//! head is still the one the run decided on (`expected`), as `git push --force-with-lease`
//! does. The remote's head is checked in the push negotiation, and the receiving side checks it
//! again as it updates the ref.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use git2::{Direction, FetchOptions, Oid, PushOptions, Repository};

use crate::secrets::Secret;

/// Where the remote head is fetched to in the clone, and pushed from.
const LEASE_REFS: &str = "refs/automaintainer";

/// Why a push failed; messages read after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("open the clone at {path}")]
    Open {
        path: String,
        #[source]
        source: git2::Error,
    },
    #[error("reach {target} to read the branch {branch}")]
    Read {
        branch: String,
        target: String,
        #[source]
        source: git2::Error,
    },
    #[error("push {branch} to {target}")]
    Push {
        branch: String,
        target: String,
        #[source]
        source: git2::Error,
    },
    #[error("push {branch} to {target}: the remote refused it: {reason}")]
    Rejected {
        branch: String,
        target: String,
        reason: String,
    },
    /// Someone pushed to the branch after the run read it; nothing was overwritten.
    #[error("push {branch} to {target}: the branch moved to {found} while this run worked on {expected} (nothing was overwritten)")]
    Moved {
        branch: String,
        target: String,
        expected: String,
        found: String,
    },
}

/// The commit `branch` has on the remote at `url`, fetched into the clone so its history can be
/// read; None when the remote has no such branch.
pub fn remote_head(
    clone: &Path,
    url: &str,
    branch: &str,
    token: Option<&Secret>,
) -> Result<Option<String>, PushError> {
    let repo = open(clone)?;
    let read = |source| PushError::Read {
        branch: branch.to_owned(),
        target: url.to_owned(),
        source,
    };
    let mut remote = repo.remote_anonymous(url).map_err(read)?;
    let wanted = format!("refs/heads/{branch}");
    let head = {
        let connection = remote
            .connect_auth(
                Direction::Fetch,
                Some(super::credentials::callbacks(token)),
                None,
            )
            .map_err(read)?;
        let listed = connection.list().map_err(read)?;
        listed.iter().find(|r| r.name() == wanted).map(|r| r.oid())
    };
    let Some(head) = head else {
        return Ok(None);
    };
    let mut options = FetchOptions::new();
    options.remote_callbacks(super::credentials::callbacks(token));
    let refspec = format!("+{wanted}:{LEASE_REFS}/remote/{branch}");
    remote
        .fetch(&[refspec.as_str()], Some(&mut options), None)
        .map_err(read)?;
    Ok(Some(head.to_string()))
}

/// Pushes `commit` to `branch` at `url`, over `expected` (None: the branch must not exist).
pub fn push_over(
    clone: &Path,
    url: &str,
    branch: &str,
    commit: &str,
    expected: Option<&str>,
    token: Option<&Secret>,
) -> Result<(), PushError> {
    let repo = open(clone)?;
    let push_error = |source| PushError::Push {
        branch: branch.to_owned(),
        target: url.to_owned(),
        source,
    };
    let oid = Oid::from_str(commit).map_err(push_error)?;
    let expected_oid = match expected {
        Some(id) => Oid::from_str(id).map_err(push_error)?,
        None => Oid::zero(),
    };
    let source_ref = format!("{LEASE_REFS}/push/{branch}");
    repo.reference(&source_ref, oid, true, "the commit to push")
        .map_err(push_error)?;
    if let Some(checkout) = local_checkout(url) {
        let result = push_into_checkout(&checkout, clone, &source_ref, branch, oid, expected_oid)
            .map_err(|e| match e {
                Checkout::Moved(found) => PushError::Moved {
                    branch: branch.to_owned(),
                    target: url.to_owned(),
                    expected: expected.map_or_else(|| "nothing".to_owned(), str::to_owned),
                    found: found.to_string(),
                },
                Checkout::Refused(reason) => PushError::Rejected {
                    branch: branch.to_owned(),
                    target: url.to_owned(),
                    reason,
                },
                Checkout::Git(source) => push_error(source),
            });
        let _ = repo
            .find_reference(&source_ref)
            .and_then(|mut r| r.delete());
        return result;
    }
    let mut remote = repo.remote_anonymous(url).map_err(push_error)?;

    let rejection: Rc<RefCell<Option<String>>> = Rc::default();
    let moved: Rc<RefCell<Option<Oid>>> = Rc::default();
    // The same callback as for fetches: the token once for https, the SSH agent for ssh.
    let mut callbacks = super::credentials::callbacks(token);
    let seen = rejection.clone();
    callbacks.push_update_reference(move |_refname, status| {
        if let Some(reason) = status {
            *seen.borrow_mut() = Some(reason.to_owned());
        }
        Ok(())
    });
    let found = moved.clone();
    callbacks.push_negotiation(move |updates| {
        for update in updates {
            if update.src() != expected_oid {
                *found.borrow_mut() = Some(update.src());
                return Err(git2::Error::from_str("the remote branch moved"));
            }
        }
        Ok(())
    });
    let mut options = PushOptions::new();
    options.remote_callbacks(callbacks);
    let refspec = format!("+{source_ref}:refs/heads/{branch}");
    let pushed = remote.push(&[refspec.as_str()], Some(&mut options));
    let _ = repo
        .find_reference(&source_ref)
        .and_then(|mut r| r.delete());
    if let Some(found) = moved.take() {
        return Err(PushError::Moved {
            branch: branch.to_owned(),
            target: url.to_owned(),
            expected: expected.map_or_else(|| "nothing".to_owned(), str::to_owned),
            found: found.to_string(),
        });
    }
    pushed.map_err(push_error)?;
    match rejection.take() {
        Some(reason) => Err(PushError::Rejected {
            branch: branch.to_owned(),
            target: url.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// A repository on this machine with a working tree (a user's own checkout), which libgit2
/// cannot push to; None for a URL or a bare repository.
fn local_checkout(url: &str) -> Option<Repository> {
    let path = url.strip_prefix("file://").unwrap_or(url);
    if path.contains("://") {
        return None;
    }
    Repository::open(path).ok().filter(|repo| !repo.is_bare())
}

enum Checkout {
    Moved(Oid),
    Refused(String),
    Git(git2::Error),
}

impl From<git2::Error> for Checkout {
    fn from(e: git2::Error) -> Self {
        Self::Git(e)
    }
}

/// Delivers `commit` to `branch` of a checkout as a push would: the objects are fetched into it
/// from the clone, then the branch is moved with a compare-and-swap on its current value. The
/// checkout's working tree, index and checked-out branch are not touched; its checked-out branch
/// is never the one moved.
fn push_into_checkout(
    target: &Repository,
    clone: &Path,
    source_ref: &str,
    branch: &str,
    commit: Oid,
    expected: Oid,
) -> Result<(), Checkout> {
    let name = format!("refs/heads/{branch}");
    if target
        .head()
        .ok()
        .and_then(|h| h.name().map(str::to_owned))
        .as_deref()
        == Some(&name)
    {
        return Err(Checkout::Refused(format!(
            "{branch} is the branch checked out there; check out another one"
        )));
    }
    let incoming = format!("{LEASE_REFS}/incoming/{branch}");
    let clone_url = clone.display().to_string();
    let mut remote = target.remote_anonymous(&clone_url)?;
    let mut options = FetchOptions::new();
    options.update_fetchhead(false);
    remote.fetch(
        &[format!("+{source_ref}:{incoming}").as_str()],
        Some(&mut options),
        None,
    )?;
    let _ = target
        .find_reference(&incoming)
        .and_then(|mut r| r.delete());
    let current = target
        .find_reference(&name)
        .ok()
        .and_then(|r| r.target())
        .unwrap_or_else(Oid::zero);
    if current != expected {
        return Err(Checkout::Moved(current));
    }
    let message = "automaintainer: push";
    if expected.is_zero() {
        target.reference(&name, commit, false, message)?;
    } else {
        target.reference_matching(&name, commit, true, expected, message)?;
    }
    Ok(())
}

fn open(clone: &Path) -> Result<Repository, PushError> {
    Repository::open(clone).map_err(|source| PushError::Open {
        path: clone.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::test_git::git;

    #[test]
    fn pushes_to_the_given_url_only_over_the_expected_head() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        std::fs::write(work.join("a.txt"), "a\n").unwrap();
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "one"]);
        let bare = tmp.path().join("remote.git");
        let elsewhere = tmp.path().join("elsewhere.git");
        for target in [&bare, &elsewhere] {
            git(
                tmp.path(),
                &["clone", "-q", "--bare", "work", target.to_str().unwrap()],
            );
        }
        // The clone's config names another remote: it is never used.
        git(
            &work,
            &["remote", "add", "origin", elsewhere.to_str().unwrap()],
        );
        git(&work, &["checkout", "-q", "-b", "am/task"]);
        std::fs::write(work.join("a.txt"), "b\n").unwrap();
        git(&work, &["commit", "-q", "-am", "two"]);
        let config_before = std::fs::read_to_string(work.join(".git/config")).unwrap();
        let url = bare.to_str().unwrap();

        let token = Secret::new("tok-never-written-123");
        assert_eq!(
            remote_head(&work, url, "am/task", Some(&token)).unwrap(),
            None
        );
        let head = git(&work, &["rev-parse", "HEAD"]);
        push_over(&work, url, "am/task", &head, None, Some(&token)).unwrap();
        assert_eq!(git(&bare, &["rev-parse", "am/task"]), head);
        assert!(git(&elsewhere, &["branch", "--list", "am/task"]).is_empty());
        assert_eq!(
            remote_head(&work, url, "am/task", None).unwrap().as_deref(),
            Some(head.as_str())
        );

        // A push that expects the branch to be absent does not overwrite it.
        git(&work, &["commit", "-q", "--amend", "-m", "two again"]);
        let amended = git(&work, &["rev-parse", "HEAD"]);
        let moved = push_over(&work, url, "am/task", &amended, None, None).unwrap_err();
        assert!(matches!(moved, PushError::Moved { .. }), "{moved}");
        assert!(
            moved.to_string().contains("nothing was overwritten"),
            "{moved}"
        );
        assert_eq!(git(&bare, &["rev-parse", "am/task"]), head);
        // Over the head it saw, it replaces it.
        push_over(&work, url, "am/task", &amended, Some(&head), None).unwrap();
        assert_eq!(git(&bare, &["rev-parse", "am/task"]), amended);

        let config_after = std::fs::read_to_string(work.join(".git/config")).unwrap();
        assert_eq!(config_before, config_after);
        assert!(!config_after.contains("tok-never-written-123"));
    }
}
