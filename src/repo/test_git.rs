//! The git command line for the repo module's unit tests: repositories set up as a person would,
//! with a fixed identity and no user or system configuration in the way.

use std::path::Path;
use std::process::Command;

/// Runs `git args` in `dir` as "T"; its trimmed stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    git_as(dir, "T", args)
}

/// Runs `git args` in `dir` as author and committer `who`; its trimmed stdout.
pub(crate) fn git_as(dir: &Path, who: &str, args: &[&str]) -> String {
    let email = format!("{}@example.com", who.to_lowercase());
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", who)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_COMMITTER_NAME", who)
        .env("GIT_COMMITTER_EMAIL", &email)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Repositories of every kind under `root`, for tests that judge "is this a repository" as
/// libgit2 does: `main` (a work tree with one commit and a `sub` directory), `linked` (a linked
/// work tree of it), `bare.git`, `broken` (a `.git` file naming nowhere), `half.git` (a HEAD
/// and refs, no objects), `plain` (an `objects` directory and nothing else), and `missing`
/// (not there). Returns each path with whether libgit2 opens it.
pub(crate) fn repositories_of_every_kind(root: &Path) -> Vec<(std::path::PathBuf, bool)> {
    let main = root.join("main");
    std::fs::create_dir_all(main.join("sub")).unwrap();
    git(&main, &["init", "-q", "-b", "main"]);
    std::fs::write(main.join("a.txt"), "a\n").unwrap();
    git(&main, &["add", "a.txt"]);
    git(&main, &["commit", "-q", "-m", "a"]);
    git(&main, &["worktree", "add", "-q", "../linked", "-b", "b"]);
    git(root, &["clone", "-q", "--bare", "main", "bare.git"]);
    let broken = root.join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join(".git"), "gitdir: ../nowhere\n").unwrap();
    let half = root.join("half.git");
    std::fs::create_dir_all(half.join("refs")).unwrap();
    std::fs::write(half.join("HEAD"), "ref: refs/heads/main\n").unwrap();
    let plain = root.join("plain");
    std::fs::create_dir_all(plain.join("objects")).unwrap();
    [
        main.clone(),
        main.join(".git"),
        main.join("sub"),
        root.join("linked"),
        root.join("bare.git"),
        broken,
        half,
        plain,
        root.join("missing"),
    ]
    .into_iter()
    .map(|path| {
        let opens = git2::Repository::open(&path).is_ok();
        (path, opens)
    })
    .collect()
}
