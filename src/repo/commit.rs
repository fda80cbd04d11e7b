//! Committing exactly the files a change touched, with a configurable author.

use std::path::Path;

use git2::{Repository, Signature};

use super::RepoError;

/// Who a commit is by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub email: String,
}

impl Default for Author {
    fn default() -> Self {
        Self {
            name: "AutoMaintainer".to_owned(),
            email: "automaintainer@users.noreply.github.com".to_owned(),
        }
    }
}

impl Author {
    /// `AM_GIT_AUTHOR_NAME` / `AM_GIT_AUTHOR_EMAIL`, each overridden by an explicit value.
    pub fn resolve(name: Option<&str>, email: Option<&str>) -> Self {
        let default = Self::default();
        let pick = |explicit: Option<&str>, var: &str, fallback: String| {
            explicit
                .map(str::to_owned)
                .or_else(|| std::env::var(var).ok())
                .filter(|v| !v.trim().is_empty())
                .unwrap_or(fallback)
        };
        Self {
            name: pick(name, "AM_GIT_AUTHOR_NAME", default.name),
            email: pick(email, "AM_GIT_AUTHOR_EMAIL", default.email),
        }
    }
}

/// Stages `paths` (additions, changes and deletions) and commits them on the checked-out branch;
/// returns the commit id. Files the change did not touch (build output, lock files a check
/// created) stay out of the commit. When `reuse` names a commit with the same parent and the
/// same tree (the same change made by an earlier run), the branch points at it again instead of
/// at a new commit, so a repeated run changes nothing that was already pushed.
pub fn commit_paths(
    root: &Path,
    paths: &[String],
    message: &str,
    author: &Author,
    reuse: Option<&str>,
) -> Result<String, RepoError> {
    let repo = Repository::open(root)
        .map_err(|e| RepoError::git(format!("open repository {}", root.display()), e))?;
    let mut index = repo
        .index()
        .map_err(|e| RepoError::git("read the index", e))?;
    for path in paths {
        let relative = Path::new(path);
        let result = if root.join(relative).exists() {
            index.add_path(relative)
        } else {
            index.remove_path(relative)
        };
        result.map_err(|e| RepoError::git(format!("stage {path}"), e))?;
    }
    index
        .write()
        .map_err(|e| RepoError::git("write the index", e))?;
    let tree_id = index
        .write_tree()
        .map_err(|e| RepoError::git("write the tree", e))?;
    let tree = repo
        .find_tree(tree_id)
        .map_err(|e| RepoError::git("read the tree", e))?;
    let parent = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| RepoError::git("read HEAD", e))?;
    if let Some(earlier) = reuse
        .and_then(|id| git2::Oid::from_str(id).ok())
        .and_then(|oid| repo.find_commit(oid).ok())
        .filter(|c| c.tree_id() == tree_id && c.parent_ids().eq([parent.id()]))
    {
        repo.reset(earlier.as_object(), git2::ResetType::Mixed, None)
            .map_err(|e| RepoError::git("point the branch at the earlier identical commit", e))?;
        return Ok(earlier.id().to_string());
    }
    let signature = Signature::now(&author.name, &author.email)
        .map_err(|e| RepoError::git("make the commit signature", e))?;
    let oid = repo
        .commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &[&parent],
        )
        .map_err(|e| RepoError::git("commit", e))?;
    Ok(oid.to_string())
}
