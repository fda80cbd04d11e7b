//! One name for what a working tree holds: the files git tracks or would track (untracked files
//! not ignored), each by path, mode and content id, hashed together. Two trees with the same
//! files have the same id however they got there (a commit checked out, the same edits made by a
//! tool, a `Cargo.lock` cargo wrote), so a linter's output on one serves the other
//! (`crate::lint::memo`). Unchanged files are read from the index, whose stat cache git2 checks;
//! only the files that differ from it are hashed.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use git2::{ObjectType, Oid, Repository, Status, StatusOptions};
use sha2::{Digest, Sha256};

/// The working tree's id at `root` (hex); Err when it is no git working tree or a file cannot be
/// read.
#[cfg(test)]
pub(crate) fn of(root: &Path) -> Result<String, git2::Error> {
    of_assuming(root, &[])
}

/// [`of`], with each of `absent` (a path and a content id) counted as there when no file is at
/// that path and git tracks none: a file a tool writes again, the same, on its next command
/// (the `Cargo.lock` cargo writes for a repository that commits none, which the clone's reset
/// removes like every untracked file).
pub(crate) fn of_assuming(root: &Path, absent: &[(&str, Oid)]) -> Result<String, git2::Error> {
    let repo = Repository::open(root)?;
    let mut files: BTreeMap<Vec<u8>, (u32, Oid)> = repo
        .index()?
        .iter()
        .filter(|e| (e.flags >> 12) & 0x3 == 0)
        .map(|e| (e.path, (e.mode, e.id)))
        .collect();
    let tracked: std::collections::HashSet<Vec<u8>> = files.keys().cloned().collect();
    let mut options = StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true);
    for entry in repo.statuses(Some(&mut options))?.iter() {
        let status = entry.status();
        let path = entry.path_bytes().to_vec();
        if status.contains(Status::WT_DELETED) {
            files.remove(&path);
        } else if status.intersects(Status::WT_NEW | Status::WT_MODIFIED | Status::WT_TYPECHANGE) {
            let file = root.join(std::ffi::OsStr::from_bytes(&path));
            files.insert(path, content(&file)?);
        }
    }
    for (path, id) in absent {
        let file = root.join(path);
        let untracked = !tracked.contains(path.as_bytes()) && !files.contains_key(path.as_bytes());
        if untracked && std::fs::symlink_metadata(&file).is_err() {
            files.insert(path.as_bytes().to_vec(), (0o100_644, *id));
        }
    }
    let mut hasher = Sha256::new();
    for (path, (mode, id)) in &files {
        hasher.update(format!("{mode:o} ").as_bytes());
        hasher.update(path);
        hasher.update([0]);
        hasher.update(id.as_bytes());
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A file's mode as git records it and its blob id.
fn content(file: &Path) -> Result<(u32, Oid), git2::Error> {
    let io = |e: std::io::Error| git2::Error::from_str(&format!("{}: {e}", file.display()));
    let meta = std::fs::symlink_metadata(file).map_err(io)?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(file).map_err(io)?;
        let id = Oid::hash_object(ObjectType::Blob, target.as_os_str().as_bytes())?;
        return Ok((0o120_000, id));
    }
    let mode = if meta.permissions().mode() & 0o111 != 0 {
        0o100_755
    } else {
        0o100_644
    };
    Ok((mode, Oid::hash_file(ObjectType::Blob, file)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::test_git::git_as;

    fn repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git_as(root, "Ann", &["init", "-q", "-b", "main"]);
        std::fs::write(root.join("a.rs"), "fn a() {}\n").unwrap();
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/b.rs"), "fn b() {}\n").unwrap();
        std::fs::write(root.join(".gitignore"), "/target\n").unwrap();
        git_as(root, "Ann", &["add", "-A"]);
        git_as(root, "Ann", &["commit", "-qm", "one"]);
        dir
    }

    #[test]
    fn the_same_files_have_the_same_id_however_they_got_there() {
        let dir = repository();
        let root = dir.path();
        let clean = of(root).unwrap();
        // Ignored files do not count.
        std::fs::create_dir(root.join("target")).unwrap();
        std::fs::write(root.join("target/x"), "built").unwrap();
        assert_eq!(of(root).unwrap(), clean);

        // An edit, an untracked file and a deletion each change it...
        std::fs::write(root.join("a.rs"), "fn a() { }\n").unwrap();
        let edited = of(root).unwrap();
        assert_ne!(edited, clean);
        std::fs::write(root.join("Cargo.lock"), "# lock\n").unwrap();
        let with_lock = of(root).unwrap();
        assert_ne!(with_lock, edited);
        std::fs::remove_file(root.join("src/b.rs")).unwrap();
        let deleted = of(root).unwrap();
        assert_ne!(deleted, with_lock);
        std::fs::write(root.join("src/b.rs"), "fn b() {}\n").unwrap();
        assert_eq!(of(root).unwrap(), with_lock);

        // ...and committing the edit leaves it as it was: the same files.
        git_as(root, "Ann", &["commit", "-qam", "two"]);
        assert_eq!(of(root).unwrap(), with_lock);
        std::fs::remove_file(root.join("Cargo.lock")).unwrap();
        let committed = of(root).unwrap();
        assert_ne!(committed, clean);

        // Undoing the edit by hand comes back to the first id.
        std::fs::write(root.join("a.rs"), "fn a() {}\n").unwrap();
        assert_eq!(of(root).unwrap(), clean);
    }

    #[test]
    fn an_absent_file_a_tool_writes_again_counts_as_there() {
        let dir = repository();
        let root = dir.path();
        std::fs::write(root.join("Cargo.lock"), "# lock\n").unwrap();
        let with_lock = of(root).unwrap();
        let lock = Oid::hash_object(ObjectType::Blob, b"# lock\n").unwrap();
        let other = Oid::hash_object(ObjectType::Blob, b"# other\n").unwrap();
        assert_eq!(
            of_assuming(root, &[("Cargo.lock", other)]).unwrap(),
            with_lock,
            "there: as it is"
        );
        std::fs::remove_file(root.join("Cargo.lock")).unwrap();
        assert_eq!(
            of_assuming(root, &[("Cargo.lock", lock)]).unwrap(),
            with_lock
        );
        assert_ne!(
            of_assuming(root, &[("Cargo.lock", other)]).unwrap(),
            with_lock
        );
        // A tracked file that was deleted is not stood in for.
        std::fs::remove_file(root.join("a.rs")).unwrap();
        let a = Oid::hash_object(ObjectType::Blob, b"fn a() {}\n").unwrap();
        assert_ne!(
            of_assuming(root, &[("a.rs", a)]).unwrap(),
            of(repository().path()).unwrap()
        );
    }

    #[test]
    fn a_mode_change_changes_it_and_no_repository_is_an_error() {
        let dir = repository();
        let root = dir.path();
        let clean = of(root).unwrap();
        let file = root.join("a.rs");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_ne!(of(root).unwrap(), clean);
        let elsewhere = tempfile::tempdir().unwrap();
        assert!(of(elsewhere.path()).is_err());
    }
}
