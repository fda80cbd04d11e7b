//! Running a linter as a child process against a deadline: its output goes to anonymous
//! temporary files (so a chatty linter cannot block on a full pipe while we wait), it gets none
//! of our secrets (the linted repository's build scripts and configs run in it), and on timeout
//! its whole process group is killed, so a compiler it started does not outlive it.

use std::io::{Read, Seek, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
}

/// Whether `program args` runs and exits 0 (a linter's `--version`, say).
pub fn succeeds(program: &Path, args: &[&str], dir: &Path) -> bool {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
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
