//! A scratch checkout of the change for linters that need the whole project (clippy builds the
//! crate, golangci-lint type-checks the packages): the base commit's tree is written out with
//! git2, linted, then advanced to the head commit by rewriting only the paths the change touched.
//! Reusing one directory keeps the unchanged files' timestamps, so the second build is
//! incremental; the clone itself and its `.git` are never touched.

use std::path::{Component, Path, PathBuf};

use git2::{Delta, FileMode, ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

/// A directory holding one commit of the repository at a time.
pub struct Checkout {
    repository: Repository,
    /// Canonical, so paths tools print can be made relative to it.
    dir: PathBuf,
    commit: Oid,
}

impl std::fmt::Debug for Checkout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkout")
            .field("dir", &self.dir)
            .field("commit", &self.commit)
            .finish()
    }
}

impl Checkout {
    /// Writes the tree of `commit` of the repository at `clone` into `dir` (created if missing).
    pub fn create(clone: &Path, commit: &str, dir: &Path) -> Result<Self, String> {
        let repository = Repository::open(clone)
            .map_err(|e| format!("open {}: {}", clone.display(), e.message()))?;
        let commit = resolve(&repository, commit)?;
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("resolve {}: {e}", dir.display()))?;
        let tree = repository
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| format!("read the tree of {commit}: {}", e.message()))?;
        write_tree(&repository, &tree, &dir)?;
        drop(tree);
        Ok(Self {
            repository,
            dir,
            commit,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The full id of the commit the checkout holds.
    pub fn commit(&self) -> String {
        self.commit.to_string()
    }

    /// Moves the checkout to `commit`: the paths that differ are rewritten or removed.
    pub fn advance(&mut self, commit: &str) -> Result<(), String> {
        let target = resolve(&self.repository, commit)?;
        let tree_of = |id: Oid| {
            self.repository
                .find_commit(id)
                .and_then(|c| c.tree())
                .map_err(|e| format!("read the tree of {id}: {}", e.message()))
        };
        let (from, to) = (tree_of(self.commit)?, tree_of(target)?);
        let diff = self
            .repository
            .diff_tree_to_tree(Some(&from), Some(&to), None)
            .map_err(|e| format!("diff {}..{target}: {}", self.commit, e.message()))?;
        for delta in diff.deltas() {
            // Without rename detection a rename is a deletion and an addition.
            if delta.status() == Delta::Deleted {
                if let Some(old) = delta.old_file().path() {
                    remove(&self.dir, &old.to_string_lossy())?;
                }
                continue;
            }
            let new = delta.new_file();
            let Some(path) = new.path() else { continue };
            let mode = match new.mode() {
                FileMode::BlobExecutable => 0o100755,
                FileMode::Link => 0o120000,
                FileMode::Blob | FileMode::BlobGroupWritable => 0o100644,
                // Submodules and trees have no content here.
                _ => continue,
            };
            write_entry(
                &self.repository,
                &self.dir,
                &path.to_string_lossy(),
                new.id(),
                mode,
            )?;
        }
        self.commit = target;
        Ok(())
    }

    /// `path` (as a tool printed it, absolute or relative to `base`) relative to the checkout.
    pub fn relative(&self, base: &Path, path: &str) -> Option<String> {
        let joined = base.join(path);
        let relative = joined.strip_prefix(&self.dir).ok()?;
        let mut parts = Vec::new();
        for component in relative.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop()?;
                }
                _ => return None,
            }
        }
        Some(parts.join("/"))
    }
}

/// Writes every file of `tree` under `dir` (submodules have no content here and stay out).
fn write_tree(repository: &Repository, tree: &git2::Tree<'_>, dir: &Path) -> Result<(), String> {
    let mut failure = None;
    tree.walk(TreeWalkMode::PreOrder, |root, entry| {
        if entry.kind() != Some(ObjectType::Blob) {
            return TreeWalkResult::Ok;
        }
        let Some(name) = entry.name() else {
            return TreeWalkResult::Ok;
        };
        let path = format!("{root}{name}");
        match write_entry(repository, dir, &path, entry.id(), entry.filemode()) {
            Ok(()) => TreeWalkResult::Ok,
            Err(e) => {
                failure = Some(e);
                TreeWalkResult::Abort
            }
        }
    })
    .ok();
    failure.map_or(Ok(()), Err)
}

fn resolve(repository: &Repository, rev: &str) -> Result<Oid, String> {
    repository
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| format!("find commit {rev}: {}", e.message()))
}

/// The place of `path` under `dir`, None for a path that would leave it (absolute, `..`, `.git`)
/// or pass through a symbolic link the checkout holds.
fn target(dir: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path);
    let mut target = dir.to_path_buf();
    for component in relative.components() {
        let Component::Normal(part) = component else {
            return None;
        };
        if part == ".git" {
            return None;
        }
        if target != dir
            && std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink())
        {
            return None;
        }
        target.push(part);
    }
    (target != dir).then_some(target)
}

fn write_entry(
    repository: &Repository,
    dir: &Path,
    path: &str,
    id: Oid,
    mode: i32,
) -> Result<(), String> {
    let Some(target) = target(dir, path) else {
        tracing::debug!("left {path} out of the scratch checkout");
        return Ok(());
    };
    let blob = repository
        .find_blob(id)
        .map_err(|e| format!("read {path}: {}", e.message()))?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("create {}: {e}", parent.display()))?;
    }
    // Never write through what is there: a symbolic link would send the content elsewhere.
    if std::fs::symlink_metadata(&target).is_ok_and(|m| !m.is_dir()) {
        std::fs::remove_file(&target).map_err(|e| format!("replace {path}: {e}"))?;
    }
    let fail = |e: std::io::Error| format!("write {path}: {e}");
    if mode == 0o120000 {
        let link = String::from_utf8_lossy(blob.content()).into_owned();
        return std::os::unix::fs::symlink(link, &target).map_err(fail);
    }
    std::fs::write(&target, blob.content()).map_err(fail)?;
    if mode == 0o100755 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).map_err(fail)?;
    }
    Ok(())
}

fn remove(dir: &Path, path: &str) -> Result<(), String> {
    let Some(target) = target(dir, path) else {
        return Ok(());
    };
    match std::fs::symlink_metadata(&target) {
        Ok(m) if !m.is_dir() => {
            std::fs::remove_file(&target).map_err(|e| format!("remove {path}: {e}"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// `git ARGS` in `dir` with a fixed identity and no user configuration; its trimmed stdout.
    /// Shared with the linters' tests, which build small repositories too.
    pub(in crate::evaluate::lint) fn git(dir: &Path, args: &[&str]) -> String {
        crate::repo::test_git::git_as(dir, "t", args)
    }

    fn commit(repo: &Path, files: &[(&str, Option<&str>)]) -> String {
        for (path, content) in files {
            let path = repo.join(path);
            match content {
                Some(text) => {
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(path, text).unwrap();
                }
                None => std::fs::remove_file(path).unwrap(),
            }
        }
        git(repo, &["add", "-A"]);
        git(repo, &["commit", "-qm", "c"]);
        git(repo, &["rev-parse", "HEAD"])
    }

    #[test]
    fn writes_the_base_then_only_what_the_head_changed() {
        let repo = tempfile::tempdir().unwrap();
        git(repo.path(), &["init", "-q"]);
        let base = commit(
            repo.path(),
            &[
                ("a.txt", Some("a\n")),
                ("keep/b.txt", Some("b\n")),
                ("gone.txt", Some("x\n")),
            ],
        );
        std::os::unix::fs::symlink("a.txt", repo.path().join("link")).unwrap();
        let base_with_link = commit(repo.path(), &[]);
        let head = commit(
            repo.path(),
            &[
                ("a.txt", Some("a2\n")),
                ("gone.txt", None),
                ("new/c.txt", Some("c\n")),
            ],
        );
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("checkout");
        let mut checkout = Checkout::create(repo.path(), &base, &dir).unwrap();
        let read = |p: &str| std::fs::read_to_string(dir.join(p)).ok();
        assert_eq!(read("a.txt").as_deref(), Some("a\n"));
        assert!(!dir.join(".git").exists());
        checkout.advance(&base_with_link).unwrap();
        assert_eq!(
            std::fs::read_link(dir.join("link")).unwrap(),
            Path::new("a.txt")
        );
        let untouched = std::fs::metadata(dir.join("keep/b.txt"))
            .unwrap()
            .modified()
            .unwrap();
        checkout.advance(&head).unwrap();
        assert_eq!(read("a.txt").as_deref(), Some("a2\n"));
        assert_eq!(read("new/c.txt").as_deref(), Some("c\n"));
        assert_eq!(read("gone.txt"), None);
        let after = std::fs::metadata(dir.join("keep/b.txt"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(untouched, after, "an unchanged file is not rewritten");
        assert_eq!(
            checkout.relative(&dir.join("new"), "../a.txt").as_deref(),
            Some("a.txt")
        );
        assert_eq!(checkout.relative(&dir, "/elsewhere/a.txt"), None);
    }

    #[test]
    fn paths_that_would_leave_the_checkout_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(target(dir.path(), "../x").is_none());
        assert!(target(dir.path(), "/etc/passwd").is_none());
        assert!(target(dir.path(), ".git/config").is_none());
        std::os::unix::fs::symlink("/tmp", dir.path().join("out")).unwrap();
        assert!(target(dir.path(), "out/x").is_none());
        assert!(target(dir.path(), "in/x").is_some());
    }
}
