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
