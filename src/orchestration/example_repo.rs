//! The bundled example repository (`examples/demo-repo`, compiled into the binary so it works
//! from any directory): a tiny Rust crate whose test passes but which clippy warns about and
//! rustfmt would change, set up as a git repository with a local bare remote to push to.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The example's files, path and content.
pub const FILES: [(&str, &str); 6] = [
    (
        "Cargo.toml",
        include_str!("../../examples/demo-repo/Cargo.toml"),
    ),
    (
        "Cargo.lock",
        include_str!("../../examples/demo-repo/Cargo.lock"),
    ),
    (
        ".gitignore",
        include_str!("../../examples/demo-repo/.gitignore"),
    ),
    (
        "README.md",
        include_str!("../../examples/demo-repo/README.md"),
    ),
    (
        "rustfmt.toml",
        include_str!("../../examples/demo-repo/rustfmt.toml"),
    ),
    (
        "src/lib.rs",
        include_str!("../../examples/demo-repo/src/lib.rs"),
    ),
];

/// The branch the example starts on.
pub const BRANCH: &str = "main";

/// Where [`create`] put the example.
#[derive(Debug, Clone)]
pub struct ExampleRepo {
    /// A working copy with one commit on `main`.
    pub work: PathBuf,
    /// A bare clone of it, the remote the run clones from and pushes to.
    pub remote: PathBuf,
}

/// The example under `root`, created on first use and reused after, so that runs on it share
/// one repository: its pull requests and learnings carry over from one run to the next.
pub fn ensure(root: &Path) -> Result<ExampleRepo, Error> {
    let existing = ExampleRepo {
        work: root.join("work"),
        remote: root.join("remote.git"),
    };
    if git2::Repository::open_bare(&existing.remote).is_ok() {
        return Ok(existing);
    }
    if root.exists() {
        // A half-made example (an interrupted first run): start it again.
        std::fs::remove_dir_all(root)
            .map_err(|e| Error::io(format!("remove {}", root.display()), e))?;
    }
    create(root)
}

/// Writes the example under `root` as `root/work` (one commit) and `root/remote.git` (bare).
pub fn create(root: &Path) -> Result<ExampleRepo, Error> {
    let work = root.join("work");
    for (path, content) in FILES {
        let path = work.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(format!("create {}", parent.display()), e))?;
        }
        std::fs::write(&path, content)
            .map_err(|e| Error::io(format!("write {}", path.display()), e))?;
    }
    commit_all(&work).map_err(|e| git_error("commit the example repository", e))?;
    let remote = root.join("remote.git");
    git2::build::RepoBuilder::new()
        .bare(true)
        .clone(&work.to_string_lossy(), &remote)
        .map_err(|e| git_error("make the example's bare remote", e))?;
    Ok(ExampleRepo { work, remote })
}

fn commit_all(dir: &Path) -> Result<(), git2::Error> {
    let mut options = git2::RepositoryInitOptions::new();
    options.initial_head(BRANCH);
    let repo = git2::Repository::init_opts(dir, &options)?;
    let mut index = repo.index()?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    // A fixed author and date, so every copy of the example has the same commit id.
    let signature = git2::Signature::new(
        "AutoMaintainer example",
        "example@automaintainer.invalid",
        &git2::Time::new(1_735_689_600, 0),
    )?;
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        "An inventory crate with a test",
        &tree,
        &[],
    )?;
    Ok(())
}

fn git_error(action: &str, error: git2::Error) -> Error {
    Error::step(action, error.message().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_is_a_committed_repository_with_a_bare_remote() {
        let root = tempfile::tempdir().unwrap();
        let example = create(root.path()).unwrap();
        let remote = git2::Repository::open_bare(&example.remote).unwrap();
        let head = remote.find_branch(BRANCH, git2::BranchType::Local).unwrap();
        let tree = head.get().peel_to_tree().unwrap();
        assert!(tree.get_path(Path::new("src/lib.rs")).is_ok());
        assert!(tree.get_path(Path::new("Cargo.lock")).is_ok());
        // The same commit every time.
        let again = create(&root.path().join("again")).unwrap();
        let again = git2::Repository::open_bare(&again.remote).unwrap();
        assert_eq!(
            again
                .find_branch(BRANCH, git2::BranchType::Local)
                .unwrap()
                .get()
                .target(),
            head.get().target()
        );
    }
}
