//! Bare mirrors of target repositories, kept in the cache between runs so that a run fetches only
//! what changed since the last one.

use std::path::{Path, PathBuf};

use git2::{AutotagOption, FetchOptions, FetchPrune, Repository};
use sha2::{Digest, Sha256};

use super::credentials;
use super::error::RepoError;
use super::location::Location;
use crate::secrets::Secret;

/// Every branch and tag, as they are on the remote.
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// A mirror brought up to date.
#[derive(Debug)]
pub struct Mirror {
    pub path: PathBuf,
    /// The remote's default branch (its HEAD), short name.
    pub default_branch: String,
    /// Objects received by this fetch: 0 when nothing changed.
    pub received_objects: usize,
    pub received_bytes: usize,
}

/// The mirror directory for a repository: its short name and a hash of its identity, so every
/// spelling of one repository shares one mirror (and one lock).
pub fn mirror_path(mirrors: &Path, location: &Location) -> PathBuf {
    let digest = Sha256::digest(super::identity::identity(&location.fetch_url()).as_bytes());
    let key = hex::encode(&digest[..8]);
    mirrors.join(format!("{}-{key}.git", location.short_name()))
}

/// Creates the mirror when it is missing and fetches into it. A mirror created by a fetch that
/// failed is removed again, so nothing half-made stays in the cache.
pub fn update(
    mirrors: &Path,
    location: &Location,
    token: Option<&Secret>,
) -> Result<Mirror, RepoError> {
    let path = mirror_path(mirrors, location);
    let created = !path.exists();
    if created {
        std::fs::create_dir_all(mirrors)
            .map_err(|e| RepoError::io(format!("create {}", mirrors.display()), e))?;
    }
    let result = match super::git_cli::program() {
        Some(git) => fetch_with_git(&git, &path, created, location, token),
        None => open_or_init(&path).and_then(|repo| fetch(&repo, location, token)),
    };
    match result {
        Ok((default_branch, received_objects, received_bytes)) => Ok(Mirror {
            path,
            default_branch,
            received_objects,
            received_bytes,
        }),
        Err(e) => {
            if created {
                let _ = std::fs::remove_dir_all(&path);
            }
            Err(e)
        }
    }
}

fn open_or_init(path: &Path) -> Result<Repository, RepoError> {
    if path.exists() {
        Repository::open_bare(path)
            .map_err(|e| RepoError::git(format!("open the mirror {}", path.display()), e))
    } else {
        Repository::init_bare(path)
            .map_err(|e| RepoError::git(format!("create the mirror {}", path.display()), e))
    }
}

/// As [`fetch`], through the `git` program: the remote's HEAD asked first, then every branch
/// and tag fetched by URL (nothing of it stored in the mirror's config).
fn fetch_with_git(
    git: &Path,
    path: &Path,
    created: bool,
    location: &Location,
    token: Option<&Secret>,
) -> Result<(String, usize, usize), RepoError> {
    let url = location.fetch_url();
    // The token goes only over https to the GitHub host (said in the log when it does not).
    let host = crate::github::git_host();
    let token = token.filter(|_| credentials::token_may_go_to(&url, &host));
    if created {
        super::git_cli::init_bare(git, path)?;
    }
    let before = (objects_size(path), super::git_cli::object_count(git, path));
    let advertised = super::git_cli::remote_head(git, path, &url, token)?;
    let received = super::git_cli::fetch(git, path, &url, &REFSPECS, token)?;
    let bytes = objects_size(path).saturating_sub(before.0);
    // git's own count where it printed one; else what the object store gained.
    let objects = if received > 0 {
        received
    } else {
        super::git_cli::object_count(git, path).saturating_sub(before.1)
    };
    let repo = Repository::open_bare(path)
        .map_err(|e| RepoError::git(format!("open the mirror {}", path.display()), e))?;
    let head = match advertised.filter(|head| repo.find_reference(head).is_ok()) {
        Some(head) => head,
        None => fallback_head(&repo, &url)?,
    };
    repo.set_head(&head)
        .map_err(|e| RepoError::git(format!("point the mirror at {head}"), e))?;
    let short = head.strip_prefix("refs/heads/").unwrap_or(&head).to_owned();
    Ok((short, objects, bytes as usize))
}

/// The bytes of the mirror's object store (what a fetch added, told apart before and after).
fn objects_size(path: &Path) -> u64 {
    fn walk(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| match entry.file_type() {
                Ok(t) if t.is_dir() => walk(&entry.path()),
                Ok(_) => entry.metadata().map_or(0, |m| m.len()),
                Err(_) => 0,
            })
            .sum()
    }
    walk(&path.join("objects"))
}

/// Fetches every branch and tag through an anonymous remote (so the URL is not even written to
/// the mirror's config) and points the mirror's HEAD at the remote's default branch.
fn fetch(
    repo: &Repository,
    location: &Location,
    token: Option<&Secret>,
) -> Result<(String, usize, usize), RepoError> {
    let url = location.fetch_url();
    let mut remote = repo
        .remote_anonymous(&url)
        .map_err(|e| RepoError::git(format!("set up a fetch from {url}"), e))?;
    let mut options = FetchOptions::new();
    options
        .remote_callbacks(credentials::callbacks(token))
        .prune(FetchPrune::On)
        .download_tags(AutotagOption::None);
    remote
        .fetch(&REFSPECS, Some(&mut options), None)
        .map_err(|e| RepoError::fetch(&url, e))?;
    let stats = remote.stats();
    let (objects, bytes) = (stats.received_objects(), stats.received_bytes());
    let advertised = remote
        .default_branch()
        .ok()
        .and_then(|head| head.as_str().map(str::to_owned));
    let head = match advertised.filter(|head| repo.find_reference(head).is_ok()) {
        Some(head) => head,
        None => fallback_head(repo, &url)?,
    };
    repo.set_head(&head)
        .map_err(|e| RepoError::git(format!("point the mirror at {head}"), e))?;
    let short = head.strip_prefix("refs/heads/").unwrap_or(&head).to_owned();
    Ok((short, objects, bytes))
}

/// The default branch when the remote's HEAD names no branch it has (a dangling HEAD, say
/// `master` in a repository whose only branch is `main`): its only branch, else `main`, else
/// `master`. Said in the log, since the remote should be fixed.
fn fallback_head(repo: &Repository, url: &str) -> Result<String, RepoError> {
    let branches: Vec<String> = repo
        .references_glob("refs/heads/*")
        .map_err(|e| RepoError::git("list the mirror's branches", e))?
        .flatten()
        .filter_map(|r| r.name().map(str::to_owned))
        .collect();
    let chosen = match branches.as_slice() {
        [only] => Some(only.clone()),
        _ => ["refs/heads/main", "refs/heads/master"]
            .into_iter()
            .find(|name| branches.iter().any(|b| b == name))
            .map(str::to_owned),
    };
    let Some(chosen) = chosen else {
        return Err(RepoError::git(
            format!(
                "choose the default branch of {url}: its HEAD names no branch it has, and it has {} branches, none of them main or master (give base_branch)",
                branches.len()
            ),
            git2::Error::from_str("dangling HEAD"),
        ));
    };
    tracing::warn!(
        "the HEAD of {url} names no branch it has; using {} as its default branch",
        chosen.trim_start_matches("refs/heads/")
    );
    Ok(chosen)
}
