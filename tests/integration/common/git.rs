//! Real git repositories for tests, built with the git command line in temporary directories.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs git in `dir` with a fixed identity and dates; panics with git's output on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Fixture")
        .env("GIT_AUTHOR_EMAIL", "fixture@example.com")
        .env("GIT_COMMITTER_NAME", "Fixture")
        .env("GIT_COMMITTER_EMAIL", "fixture@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Writes `files` (path, content) under `dir`, creating parent directories.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// A new repository at `dir` on branch `main` with `files` in one commit.
pub fn init_repo(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    write_files(dir, files);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "initial commit"]);
    dir.to_path_buf()
}

/// Adds and commits `files` in `repo`; returns the new commit id.
pub fn commit_files(repo: &Path, files: &[(&str, &str)], message: &str) -> String {
    write_files(repo, files);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

/// A bare clone of `source` at `dir`, as a local remote.
pub fn bare_clone(source: &Path, dir: &Path) -> PathBuf {
    let parent = dir.parent().unwrap();
    std::fs::create_dir_all(parent).unwrap();
    git(
        parent,
        &[
            "clone",
            "-q",
            "--bare",
            source.to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
    );
    dir.to_path_buf()
}

/// A small Rust crate with a passing test, as a repository with a bare remote: (work, remote).
pub fn rust_fixture(root: &Path) -> (PathBuf, PathBuf) {
    let work = init_repo(
        &root.join("work"),
        &[
            ("Cargo.toml", "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"),
            ("src/lib.rs", "//! A fixture crate.\n\n/// Adds two numbers.\npub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {\n        assert_eq!(super::add(2, 2), 4);\n    }\n}\n"),
            (".gitignore", "target/\n"),
        ],
    );
    let remote = bare_clone(&work, &root.join("remote.git"));
    (work, remote)
}

/// Commits `files` in `work` and pushes the branch to `remote`; returns the new commit id.
pub fn commit_and_push(
    work: &Path,
    remote: &Path,
    branch: &str,
    files: &[(&str, &str)],
    message: &str,
) -> String {
    let id = commit_files(work, files, message);
    git(
        work,
        &[
            "push",
            "-q",
            remote.to_str().unwrap(),
            &format!("HEAD:refs/heads/{branch}"),
        ],
    );
    id
}

/// Every file under `dir`, recursively, as paths relative to it (empty when `dir` is missing).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn visit(root: &Path, dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                visit(root, &path, found);
            } else {
                found.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut found = Vec::new();
    visit(dir, dir, &mut found);
    found.sort();
    found
}

/// A small Rust crate whose test passes but which clippy warns about (a needless `return`,
/// redundant field names) and rustfmt would change, as a repository with a bare remote:
/// (work, remote).
pub fn rust_fixture_with_lint(root: &Path) -> (PathBuf, PathBuf) {
    let work = init_repo(
        &root.join("work"),
        &[
            ("Cargo.toml", "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"),
            ("src/lib.rs", "//! A fixture crate.\n\n/// A point.\npub struct Point {\n    pub x: i32,\n    pub y: i32,\n}\n\n/// Makes a point.\npub fn point(x: i32, y: i32) -> Point {\n    Point { x: x, y: y }\n}\n\n/// Adds two numbers.\npub fn add(a: i32, b: i32) -> i32 {\n    return a + b;\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {\n        assert_eq!(super::add(2, 2), 4);\n        assert_eq!(super::point(1, 2).y, 2);\n    }\n}\n"),
            (".gitignore", "target/\n"),
        ],
    );
    let remote = bare_clone(&work, &root.join("remote.git"));
    (work, remote)
}

/// Runs git in `dir` as `who` (author and committer), as a maintainer working beside the project
/// would; panics with git's output on failure.
pub fn git_as(who: &str, dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", who)
        .env("GIT_AUTHOR_EMAIL", format!("{who}@example.com"))
        .env("GIT_COMMITTER_NAME", who)
        .env("GIT_COMMITTER_EMAIL", format!("{who}@example.com"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// `who` clones `remote`, commits `files` on `branch` and pushes it back; returns the commit.
pub fn push_as(
    who: &str,
    remote: &Path,
    branch: &str,
    files: &[(&str, &str)],
    message: &str,
) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let work = scratch.path().join("work");
    git_as(
        who,
        scratch.path(),
        &[
            "clone",
            "-q",
            "-b",
            branch,
            remote.to_str().unwrap(),
            "work",
        ],
    );
    write_files(&work, files);
    git_as(who, &work, &["add", "-A"]);
    git_as(who, &work, &["commit", "-q", "-m", message]);
    git_as(who, &work, &["push", "-q", "origin", branch]);
    git_as(who, &work, &["rev-parse", "HEAD"])
}
