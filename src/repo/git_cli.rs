//! The mirror's fetch and the clone through the `git` program, where it is installed: git indexes
//! a pack on all cores and checks out in a fraction of libgit2's time and memory (tokio, cold:
//! `bench/setup.sh`). libgit2 remains the way when there is no `git`, or when `AM_GIT=libgit2`
//! says so.
//!
//! The token never reaches git's configuration files or its command line: a credential helper
//! scoped to `https://<GitHub host>` is given through `GIT_CONFIG_*` environment variables, and
//! it reads the token from the environment of that one git process. No other URL, and no plain
//! http, is ever answered with it; git never prompts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::error::RepoError;
use crate::secrets::Secret;

/// Where the credential helper finds the token (this process's child only).
const PASSWORD_VARIABLE: &str = "AM_GIT_PASSWORD";

/// The `git` program to use, unless libgit2 is asked for or there is none.
pub(crate) fn program() -> Option<PathBuf> {
    if std::env::var("AM_GIT").is_ok_and(|v| v.eq_ignore_ascii_case("libgit2")) {
        return None;
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("git"))
        .find(|candidate| candidate.is_file())
}

/// A git command in `dir`, with the token offered only to the GitHub host over https.
fn command(git: &Path, dir: &Path, token: Option<&Secret>) -> Command {
    let mut command = Command::new(git);
    command
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .env("LC_ALL", "C")
        .env_remove(PASSWORD_VARIABLE);
    // Secrets of ours have no business in git's environment.
    for name in crate::secrets::SECRET_VARIABLES {
        command.env_remove(name);
    }
    if let Some(token) = token {
        let scope = format!("credential.https://{}.helper", crate::github::git_host());
        let helper = format!(
            "!f() {{ test \"$1\" = get && printf 'username=x-access-token\\npassword=%s\\n' \"${PASSWORD_VARIABLE}\"; }}; f"
        );
        command
            .env("GIT_CONFIG_COUNT", "2")
            // An empty helper first clears any helper configured for that host.
            .env("GIT_CONFIG_KEY_0", &scope)
            .env("GIT_CONFIG_VALUE_0", "")
            .env("GIT_CONFIG_KEY_1", &scope)
            .env("GIT_CONFIG_VALUE_1", helper)
            .env(PASSWORD_VARIABLE, token.expose());
    }
    command
}

/// Runs git with `args` in `dir`; Err classified from its message when it fails.
fn run(
    git: &Path,
    dir: &Path,
    args: &[&str],
    token: Option<&Secret>,
    url: &str,
) -> Result<Output, RepoError> {
    let output = command(git, dir, token)
        .args(args)
        .output()
        .map_err(|e| RepoError::io("run git", e))?;
    if output.status.success() {
        return Ok(output);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .map(str::trim)
        .rfind(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .unwrap_or_else(|| stderr.lines().last().unwrap_or("git failed"));
    // git never sees the token but through its helper; should it echo it, it goes no further.
    let message = match token {
        Some(token) if !token.expose().is_empty() => line.replace(token.expose(), "[redacted]"),
        _ => line.to_owned(),
    };
    Err(classify(
        url,
        args.first().copied().unwrap_or("git"),
        &message,
    ))
}

fn classify(url: &str, verb: &str, message: &str) -> RepoError {
    let source = git2::Error::from_str(message);
    let lower = message.to_ascii_lowercase();
    let url = url.to_owned();
    if lower.contains("authentication failed")
        || lower.contains("could not read username")
        || lower.contains("could not read password")
        || lower.contains("terminal prompts disabled")
    {
        RepoError::Auth { url, source }
    } else if lower.contains("could not resolve host")
        || lower.contains("connection refused")
        || lower.contains("does not appear to be a git repository")
        || lower.contains("repository not found")
        || lower.contains("not found")
        || lower.contains("unable to access")
    {
        RepoError::Unreachable { url, source }
    } else {
        RepoError::git(format!("{verb} {url}"), source)
    }
}

/// The standard output of `git args` in the local repository `dir` (no remote, no token).
pub(crate) fn local_output(git: &Path, dir: &Path, args: &[&str]) -> Result<Vec<u8>, RepoError> {
    Ok(run(git, dir, args, None, &dir.display().to_string())?.stdout)
}

/// The branch the remote's HEAD names, if it says.
pub(crate) fn remote_head(
    git: &Path,
    dir: &Path,
    url: &str,
    token: Option<&Secret>,
) -> Result<Option<String>, RepoError> {
    let output = run(
        git,
        dir,
        &["ls-remote", "--symref", url, "HEAD"],
        token,
        url,
    )?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix("ref: ")?;
            let (target, name) = rest.split_once('\t')?;
            (name.trim() == "HEAD").then(|| target.trim().to_owned())
        }))
}

/// Fetches `refspecs` from `url` into the bare repository at `mirror` (the URL is not stored);
/// returns the objects received.
pub(crate) fn fetch(
    git: &Path,
    mirror: &Path,
    url: &str,
    refspecs: &[&str],
    token: Option<&Secret>,
) -> Result<usize, RepoError> {
    let mut args = vec![
        "fetch",
        "--prune",
        "--no-tags",
        "--progress",
        "--update-head-ok",
        "--no-write-fetch-head",
        url,
    ];
    args.extend_from_slice(refspecs);
    let output = run(git, mirror, &args, token, url)?;
    Ok(received_objects(&String::from_utf8_lossy(&output.stderr)))
}

/// The count of "Receiving objects: 100% (N/N)" (or "Unpacking objects" for a small fetch).
fn received_objects(progress: &str) -> usize {
    progress
        .split(['\r', '\n'])
        .filter(|l| l.contains("Receiving objects:") || l.contains("Unpacking objects:"))
        .filter_map(|l| {
            let inside = l.split_once('(')?.1.split_once(')')?.0;
            inside.split_once('/')?.1.trim().parse().ok()
        })
        .next_back()
        .unwrap_or(0)
}

/// The objects in the repository at `path`, loose and packed (`git count-objects -v`): a local
/// fetch prints no progress to count from.
pub(crate) fn object_count(git: &Path, path: &Path) -> usize {
    let Ok(output) = command(git, path, None)
        .args(["count-objects", "-v"])
        .output()
    else {
        return 0;
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| {
            let (key, value) = l.split_once(':')?;
            matches!(key.trim(), "count" | "in-pack").then(|| value.trim().parse::<usize>().ok())?
        })
        .sum()
}

/// Creates the bare repository at `path`.
pub(crate) fn init_bare(git: &Path, path: &Path) -> Result<(), RepoError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    let target = path.to_string_lossy();
    run(
        git,
        parent,
        &["init", "--bare", "--quiet", &target],
        None,
        &target,
    )
    .map(|_| ())
}

/// Clones `branch` of the local `mirror` into `destination`, copying its objects (never hard
/// links: the repository's code may write in the clone, and must not reach the cached mirror).
pub(crate) fn clone_local(
    git: &Path,
    mirror: &Path,
    branch: &str,
    destination: &Path,
) -> Result<(), RepoError> {
    let source = mirror.to_string_lossy();
    let target = destination.to_string_lossy();
    let parent = destination.parent().unwrap_or(Path::new("."));
    run(
        git,
        parent,
        &[
            "clone",
            "--quiet",
            "--no-hardlinks",
            "--branch",
            branch,
            "--",
            &source,
            &target,
        ],
        None,
        &source,
    )
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_received_objects_from_gits_progress() {
        let progress = "remote: Enumerating objects: 12, done.\rReceiving objects:  50% (6/12)\rReceiving objects: 100% (12/12), 1.2 KiB | 1.2 MiB/s, done.\nResolving deltas: 100% (3/3), done.\n";
        assert_eq!(received_objects(progress), 12);
        assert_eq!(
            received_objects("Unpacking objects: 100% (3/3), 251 bytes"),
            3
        );
        assert_eq!(received_objects(""), 0);
    }

    #[test]
    fn failures_are_told_apart() {
        let auth = classify(
            "https://github.com/o/r",
            "fetch",
            "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
        );
        assert!(matches!(auth, RepoError::Auth { .. }));
        let gone = classify(
            "/nope",
            "fetch",
            "fatal: '/nope' does not appear to be a git repository",
        );
        assert!(matches!(gone, RepoError::Unreachable { .. }));
        let other = classify("/x", "fetch", "fatal: bad object");
        assert!(matches!(other, RepoError::Git { .. }));
    }

    #[test]
    fn the_token_is_in_no_argument_and_scoped_to_the_github_host() {
        let token = Secret::new("ghp_secret_value_123");
        let command = command(Path::new("git"), Path::new("/"), Some(&token));
        assert!(command
            .get_args()
            .all(|a| !a.to_string_lossy().contains("ghp_")));
        let env: Vec<(String, String)> = command
            .get_envs()
            .filter_map(|(k, v)| {
                Some((
                    k.to_string_lossy().into_owned(),
                    v?.to_string_lossy().into_owned(),
                ))
            })
            .collect();
        let get = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        assert_eq!(
            get("GIT_CONFIG_KEY_1"),
            Some(format!("credential.https://{}.helper", crate::github::git_host()).as_str())
        );
        assert!(!get("GIT_CONFIG_VALUE_1").unwrap().contains("ghp_"));
        assert_eq!(get(PASSWORD_VARIABLE), Some("ghp_secret_value_123"));
        assert_eq!(get("GIT_TERMINAL_PROMPT"), Some("0"));
    }
}
