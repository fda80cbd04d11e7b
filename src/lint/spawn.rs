//! The one way the lint module runs a linter or formatter (the repository's code may run in it:
//! build scripts, configuration files, plugins): against a deadline, its output in anonymous
//! temporary files (so a chatty linter cannot block on a full pipe while we wait), none of our
//! secrets in its environment, and on timeout its whole process group killed, so a compiler it
//! started does not outlive it. Every tool of `crate::lint` spawns through [`run`] or [`output`].

use std::io::{Read, Seek, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::tool::{Ctx, Failure};

/// What a finished linter left.
#[derive(Debug)]
pub struct Ran {
    pub success: bool,
    /// The exit code; None when a signal ended it.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// The last non-empty lines of stderr, for saying why a linter failed.
    pub fn stderr_tail(&self) -> String {
        tail(&self.stderr, 3)
    }

    /// The first line that says what went wrong (one naming an error, else the first non-empty
    /// line of stderr, then stdout), for "what crashed".
    pub fn first_error_line(&self) -> String {
        let lines = || {
            self.stderr
                .lines()
                .chain(self.stdout.lines())
                .map(str::trim)
                .filter(|l| !l.is_empty())
        };
        let line = lines()
            .find(|l| l.to_ascii_lowercase().contains("error"))
            .or_else(|| lines().next())
            .unwrap_or("no output");
        line.chars().take(300).collect()
    }
}

/// Whether `program args` runs and exits 0 (a linter's `--version`, say).
pub fn succeeds(program: &Path, args: &[&str], dir: &Path) -> bool {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    run(
        command,
        None,
        Instant::now() + Duration::from_secs(60),
        "a version query",
    )
    .is_ok_and(|ran| ran.success)
}

/// Runs `command` to its end or until `timeout`, off the async runtime's threads.
pub async fn output(command: Command, timeout: Duration, what: &str) -> Result<Ran, String> {
    let what = what.to_owned();
    let deadline = Instant::now() + timeout;
    tokio::task::spawn_blocking(move || run(command, None, deadline, &what))
        .await
        .map_err(|e| format!("the linter's worker failed: {e}"))?
}

/// Runs a tool (`program args` in `ctx.root`, with `env` added) within the context's timeout: a
/// program that cannot start is missing, one that runs out of time crashed.
pub async fn tool(
    ctx: &Ctx,
    program: impl AsRef<std::ffi::OsStr>,
    args: &[String],
    env: &[(&str, &str)],
    what: &str,
) -> Result<Ran, Failure> {
    let mut command = Command::new(program);
    command.args(args).current_dir(&ctx.root);
    for (key, value) in env {
        command.env(key, value);
    }
    output(command, ctx.timeout, what).await.map_err(|e| {
        if e.starts_with("start ") {
            Failure::Missing(e)
        } else if e.ends_with("ran out of time") {
            Failure::Crashed(format!("{e} (limit {}s)", ctx.timeout.as_secs()))
        } else {
            Failure::Crashed(e)
        }
    })
}

/// Owned arguments from string slices.
pub fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The first line of `program args` (a `--version`), None when it does not run.
pub fn version(program: &Path, args: &[&str], dir: &Path) -> Option<String> {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    let ran = run(
        command,
        None,
        Instant::now() + Duration::from_secs(60),
        "a version query",
    )
    .ok()?;
    if !ran.success {
        return None;
    }
    let text = if ran.stdout.trim().is_empty() {
        &ran.stderr
    } else {
        &ran.stdout
    };
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

/// Runs `command` (fed `input` on stdin) to its end or until `deadline`; Err when it cannot
/// start or runs out of time.
pub fn run(
    mut command: Command,
    input: Option<&str>,
    deadline: Instant,
    what: &str,
) -> Result<Ran, String> {
    let stdout = tempfile::tempfile().map_err(|e| format!("create a temporary file: {e}"))?;
    let stderr = tempfile::tempfile().map_err(|e| format!("create a temporary file: {e}"))?;
    let clone = |file: &std::fs::File| {
        file.try_clone()
            .map_err(|e| format!("share a temporary file: {e}"))
    };
    command
        .stdout(clone(&stdout)?)
        .stderr(clone(&stderr)?)
        .process_group(0);
    match input {
        Some(text) => {
            let mut file =
                tempfile::tempfile().map_err(|e| format!("create a temporary file: {e}"))?;
            file.write_all(text.as_bytes())
                .and_then(|()| file.rewind())
                .map_err(|e| format!("write {what}'s input: {e}"))?;
            command.stdin(file);
        }
        None => {
            command.stdin(Stdio::null());
        }
    }
    for variable in crate::secrets::SECRET_VARIABLES {
        command.env_remove(variable);
    }
    let mut child = command.spawn().map_err(|e| format!("start {what}: {e}"))?;
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| format!("wait for {what}: {e}"))?
        {
            break status;
        }
        if Instant::now() >= deadline {
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what} ran out of time"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Ran {
        success: status.success(),
        code: status.code(),
        stdout: read_back(stdout)?,
        stderr: read_back(stderr)?,
    })
}

fn read_back(mut file: std::fs::File) -> Result<String, String> {
    let mut bytes = Vec::new();
    file.rewind()
        .and_then(|()| file.read_to_end(&mut bytes))
        .map_err(|e| format!("read a linter's output back: {e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Kills the linter's process group (cargo's rustc children, eslint's workers).
fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last `lines` non-empty lines of `text`, joined with " / ", at most 400 characters.
pub fn tail(text: &str, lines: usize) -> String {
    let kept: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let joined = kept[kept.len().saturating_sub(lines)..].join(" / ");
    let count = joined.chars().count();
    if count > 400 {
        joined.chars().skip(count - 400).collect()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_output_and_exit_code() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo out; echo err >&2; exit 3"]);
        let ran = run(
            command,
            None,
            Instant::now() + Duration::from_secs(30),
            "sh",
        )
        .unwrap();
        assert_eq!((ran.success, ran.code), (false, Some(3)));
        assert_eq!(
            (ran.stdout.as_str(), ran.stderr_tail()),
            ("out\n", "err".to_owned())
        );
    }

    #[test]
    fn feeds_stdin() {
        let ran = run(
            Command::new("cat"),
            Some("const a = 1;\n"),
            Instant::now() + Duration::from_secs(30),
            "cat",
        )
        .unwrap();
        assert_eq!(ran.stdout, "const a = 1;\n");
    }

    #[test]
    fn kills_what_runs_past_the_deadline() {
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 30 & sleep 30"]);
        let started = Instant::now();
        let error = run(
            command,
            None,
            Instant::now() + Duration::from_millis(200),
            "sh",
        )
        .unwrap_err();
        assert!(error.contains("ran out of time"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_program_is_an_error_not_a_panic() {
        let error = run(
            Command::new("/nonexistent/linter"),
            None,
            Instant::now() + Duration::from_secs(5),
            "the linter",
        )
        .unwrap_err();
        assert!(error.starts_with("start the linter"), "{error}");
    }
}
