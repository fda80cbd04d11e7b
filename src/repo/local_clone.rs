//! What a phase that never goes on the network reads of a clone besides its files: whether it is
//! a repository, and its `origin` URL. Both without libgit2 where they can: libgit2's first use
//! in a process loads OpenSSL's whole CA bundle (about 20 ms of CPU, a third of am-context's
//! on a small repository, `bench/context.md`), which reading a clone never needs. libgit2 still
//! answers when the cheap way cannot, so the answers are libgit2's.

use std::path::{Path, PathBuf};

/// Whether `path` is a git repository: a work tree whose `.git` is a directory or a `gitdir:`
/// file (a linked work tree, a submodule), or a bare repository. Judged from its files first
/// (a `HEAD` file, `objects` and `refs` directories, through `commondir` when there is one, as
/// libgit2 checks them); libgit2 decides when they say no.
pub fn is_repository(path: &Path) -> bool {
    looks_like_repository(path) || git2::Repository::open(path).is_ok()
}

fn looks_like_repository(path: &Path) -> bool {
    let dot_git = path.join(".git");
    let git_dir = if dot_git.is_dir() {
        dot_git
    } else if dot_git.is_file() {
        match linked_git_dir(&dot_git) {
            Some(dir) => dir,
            None => return false,
        }
    } else {
        path.to_path_buf()
    };
    is_git_dir(&git_dir)
}

/// The directory a `.git` file (`gitdir: <path>`) names.
fn linked_git_dir(file: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(file).ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    if target.is_empty() {
        return None;
    }
    Some(relative_to(file.parent()?, target))
}

fn is_git_dir(dir: &Path) -> bool {
    if !dir.join("HEAD").is_file() {
        return false;
    }
    let common = match std::fs::read_to_string(dir.join("commondir")) {
        Ok(text) if !text.trim().is_empty() => relative_to(dir, text.trim()),
        _ => dir.to_path_buf(),
    };
    common.join("objects").is_dir() && common.join("refs").is_dir()
}

fn relative_to(base: &Path, target: &str) -> PathBuf {
    let target = Path::new(target);
    if target.is_absolute() {
        target.to_path_buf()
    } else {
        base.join(target)
    }
}

/// The URL of the clone's `origin` remote, `url.<base>.insteadOf` applied (as libgit2 reads
/// it): through `git remote get-url` where git is installed, libgit2 when there is no git or
/// git says no (no such remote, or a failure).
pub fn origin_url(clone: &Path) -> Option<String> {
    if let Some(git) = super::git_cli::program() {
        let url = super::git_cli::local_output(&git, clone, &["remote", "get-url", "origin"])
            .ok()
            .and_then(|out| String::from_utf8(out).ok())
            .map(|text| text.trim_end_matches(['\n', '\r']).to_owned())
            .filter(|url| !url.is_empty());
        if url.is_some() {
            return url;
        }
    }
    origin_url_with_libgit2(clone)
}

fn origin_url_with_libgit2(clone: &Path) -> Option<String> {
    let repo = git2::Repository::open(clone).ok()?;
    let remote = repo.find_remote("origin").ok()?;
    remote.url().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::test_git::git;

    #[test]
    fn knows_work_trees_linked_work_trees_and_bare_repositories_as_libgit2_does() {
        let dir = tempfile::tempdir().unwrap();
        let kinds = crate::repo::test_git::repositories_of_every_kind(dir.path());
        for (path, opens) in &kinds {
            assert_eq!(is_repository(path), *opens, "{}", path.display());
        }
        // The files alone say yes to the work tree, its git directory, the linked work tree and
        // the bare repository; no to the rest (libgit2 is asked only then).
        let looks: Vec<&str> = kinds
            .iter()
            .filter(|(path, _)| looks_like_repository(path))
            .filter_map(|(path, _)| path.file_name()?.to_str())
            .collect();
        assert_eq!(looks, ["main", ".git", "linked", "bare.git"]);
    }

    #[test]
    fn reads_the_origin_url_as_libgit2_does() {
        let dir = tempfile::tempdir().unwrap();
        let clone = dir.path();
        git(clone, &["init", "-q"]);
        assert_eq!(origin_url(clone), None);
        git(
            clone,
            &["remote", "add", "origin", "https://example.com/o/r.git"],
        );
        git(
            clone,
            &[
                "config",
                "url.https://mirror.example.com/.insteadOf",
                "https://example.com/",
            ],
        );
        let url = origin_url(clone);
        assert_eq!(url.as_deref(), Some("https://mirror.example.com/o/r.git"));
        assert_eq!(url, origin_url_with_libgit2(clone));
    }
}
