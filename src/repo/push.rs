//! Pushing the work branch to a remote (git2). A token, when there is one, travels only through
//! the credential callback: never into `.git/config`, never into a remote URL.

use std::cell::Cell;
use std::path::Path;

use git2::{PushOptions, Repository};

use crate::secrets::Secret;

/// Why a push failed; messages read after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("open the clone at {path}")]
    Open {
        path: String,
        #[source]
        source: git2::Error,
    },
    #[error("find the push target {target}")]
    Remote {
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
}

/// Where to push: a remote configured in the clone (`origin`), or a URL or path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushTarget {
    Named(String),
    Url(String),
}

impl PushTarget {
    /// `origin` when unset; a value with a slash or colon is a location, anything else a
    /// remote's name.
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            None => Self::Named("origin".to_owned()),
            Some(v) if v.contains('/') || v.contains(':') || v.contains('\\') => {
                Self::Url(v.to_owned())
            }
            Some(name) => Self::Named(name.to_owned()),
        }
    }

    fn describe(&self) -> &str {
        match self {
            Self::Named(name) | Self::Url(name) => name,
        }
    }
}

/// The URL `target` stands for in the clone at `clone`, for messages and remote lookups.
pub fn target_url(clone: &Path, target: &PushTarget) -> Result<String, PushError> {
    match target {
        PushTarget::Url(url) => Ok(url.clone()),
        PushTarget::Named(name) => {
            let repo = open(clone)?;
            let remote = repo.find_remote(name).map_err(|source| PushError::Remote {
                target: name.clone(),
                source,
            })?;
            Ok(remote.url().unwrap_or_default().to_owned())
        }
    }
}

/// Force-pushes `branch` from the clone to `target`. The work branch belongs to this task alone,
/// so a retried implementation that rewrote it replaces what an earlier attempt pushed.
pub fn push_branch(
    clone: &Path,
    target: &PushTarget,
    branch: &str,
    token: Option<&Secret>,
) -> Result<(), PushError> {
    let repo = open(clone)?;
    let describe = target.describe().to_owned();
    let mut remote = match target {
        PushTarget::Named(name) => repo.find_remote(name),
        PushTarget::Url(url) => repo.remote_anonymous(url),
    }
    .map_err(|source| PushError::Remote {
        target: describe.clone(),
        source,
    })?;

    let rejection: std::rc::Rc<Cell<Option<String>>> = Default::default();
    // The same callback as for fetches: the token once for https, the SSH agent for ssh.
    let mut callbacks = super::credentials::callbacks(token);
    let seen = rejection.clone();
    callbacks.push_update_reference(move |_refname, status| {
        if let Some(reason) = status {
            seen.set(Some(reason.to_owned()));
        }
        Ok(())
    });
    let mut options = PushOptions::new();
    options.remote_callbacks(callbacks);
    let refspec = format!("+refs/heads/{branch}:refs/heads/{branch}");
    remote
        .push(&[refspec.as_str()], Some(&mut options))
        .map_err(|source| PushError::Push {
            branch: branch.to_owned(),
            target: describe.clone(),
            source,
        })?;
    match rejection.take() {
        Some(reason) => Err(PushError::Rejected {
            branch: branch.to_owned(),
            target: describe,
            reason,
        }),
        None => Ok(()),
    }
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
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    #[test]
    fn pushes_the_branch_and_force_replaces_it_without_touching_config() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        std::fs::write(work.join("a.txt"), "a\n").unwrap();
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "one"]);
        let bare = tmp.path().join("remote.git");
        git(
            tmp.path(),
            &["clone", "-q", "--bare", "work", bare.to_str().unwrap()],
        );
        git(&work, &["remote", "add", "origin", bare.to_str().unwrap()]);
        git(&work, &["checkout", "-q", "-b", "am/task"]);
        std::fs::write(work.join("a.txt"), "b\n").unwrap();
        git(&work, &["commit", "-q", "-am", "two"]);
        let config_before = std::fs::read_to_string(work.join(".git/config")).unwrap();

        let token = Secret::new("tok-never-written-123");
        let target = PushTarget::Named("origin".into());
        push_branch(&work, &target, "am/task", Some(&token)).unwrap();
        let head = git(&work, &["rev-parse", "HEAD"]);
        assert_eq!(git(&bare, &["rev-parse", "am/task"]), head);

        // A rewritten branch (a retried implementation) replaces the pushed one.
        git(&work, &["commit", "-q", "--amend", "-m", "two again"]);
        push_branch(&work, &target, "am/task", Some(&token)).unwrap();
        let amended = git(&work, &["rev-parse", "HEAD"]);
        assert_ne!(amended, head);
        assert_eq!(git(&bare, &["rev-parse", "am/task"]), amended);

        let config_after = std::fs::read_to_string(work.join(".git/config")).unwrap();
        assert_eq!(config_before, config_after);
        assert!(!config_after.contains("tok-never-written-123"));
    }
}
