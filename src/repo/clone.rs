//! The run's working copy: cloned from the up-to-date mirror onto the base branch, with `origin`
//! pointing at the real remote (never with credentials in it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::Repository;

use super::cache;
use super::error::RepoError;
use super::location::Location;
use super::mirror::{self, Mirror};
use super::mirror_lock::MirrorLock;
use crate::contract::InputError;
use crate::error::Error;
use crate::secrets::Secret;

/// What to clone, and where.
#[derive(Debug)]
pub struct CloneRequest<'a> {
    pub location: &'a Location,
    /// The branch to check out; the remote's default branch when None.
    pub base_branch: Option<&'a str>,
    pub destination: &'a Path,
    pub cache_dir: &'a Path,
    pub token: Option<&'a Secret>,
    /// How long to wait for another run of the same repository to release the mirror.
    pub mirror_wait: Duration,
}

/// A finished clone.
#[derive(Debug)]
pub struct Cloned {
    pub path: PathBuf,
    pub default_branch: String,
    pub base_branch: String,
    pub head_commit: String,
    pub mirror: Mirror,
}

/// Updates the mirror, then clones from it, holding the mirror's lock throughout. An existing
/// destination (a retried setup) is replaced; a clone that fails is removed, so nothing
/// half-cloned is left.
pub fn clone(request: &CloneRequest<'_>) -> Result<Cloned, Error> {
    let mirrors = cache::mirrors_dir(request.cache_dir);
    let _lock = MirrorLock::acquire(
        &cache::locks_dir(request.cache_dir),
        &mirror::mirror_path(&mirrors, request.location),
        request.mirror_wait,
    )?;
    let mirror = mirror::update(&mirrors, request.location, request.token)?;
    let base = request
        .base_branch
        .map(str::to_owned)
        .unwrap_or_else(|| mirror.default_branch.clone());
    check_branch(&mirror.path, &base, request.location)?;
    remove_if_present(request.destination)?;
    match clone_from_mirror(&mirror.path, &base, request) {
        Ok(head_commit) => Ok(Cloned {
            path: request.destination.to_path_buf(),
            default_branch: mirror.default_branch.clone(),
            base_branch: base,
            head_commit,
            mirror,
        }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(request.destination);
            Err(e.into())
        }
    }
}

fn check_branch(mirror: &Path, branch: &str, location: &Location) -> Result<(), Error> {
    let repo = Repository::open_bare(mirror)
        .map_err(|e| RepoError::git(format!("open the mirror {}", mirror.display()), e))?;
    if repo
        .find_reference(&format!("refs/heads/{branch}"))
        .is_err()
    {
        return Err(InputError::field(
            "base_branch",
            format!(
                "a branch of {} (there is no `{branch}`)",
                location.fetch_url()
            ),
        )
        .into());
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<(), RepoError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(RepoError::io(
            format!("remove the old clone {}", path.display()),
            e,
        )),
    }
}

fn clone_from_mirror(
    mirror: &Path,
    base: &str,
    request: &CloneRequest<'_>,
) -> Result<String, RepoError> {
    let repo = match super::git_cli::program() {
        Some(git) => {
            super::git_cli::clone_local(&git, mirror, base, request.destination)?;
            Repository::open(request.destination).map_err(|e| {
                RepoError::git(
                    format!("open the clone {}", request.destination.display()),
                    e,
                )
            })?
        }
        None => git2::build::RepoBuilder::new()
            .branch(base)
            .clone(&mirror.display().to_string(), request.destination)
            .map_err(|e| {
                RepoError::git(format!("clone into {}", request.destination.display()), e)
            })?,
    };
    repo.remote_set_url("origin", &request.location.fetch_url())
        .map_err(|e| RepoError::git("point origin at the remote", e))?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| RepoError::git("read the cloned HEAD", e))?;
    Ok(head.id().to_string())
}
