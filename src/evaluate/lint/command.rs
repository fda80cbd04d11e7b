//! Running a linter through the runner against a deadline: a clean environment (the linted
//! repository's build scripts and configs run in it, and get none of our secrets), the sandbox,
//! capped output, and on timeout its whole process group killed, so a compiler it started does
//! not outlive it.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::runner::{self, Request};

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
    let request = Request::new(program, dir)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output_cap(4096);
    runner::run(&request).is_ok_and(|ran| ran.success())
}

/// Runs `request` (fed `input` on stdin) to its end or until `deadline`; Err when it cannot
/// start or runs out of time.
pub fn run(
    request: Request,
    input: Option<&str>,
    deadline: Instant,
    what: &str,
) -> Result<Ran, String> {
    let mut request = request.deadline(deadline).label(what);
    if let Some(text) = input {
        request = request.stdin(text);
    }
    let ran = runner::run(&request).map_err(|e| format!("start {what}: {e}"))?;
    if ran.timed_out {
        return Err(format!("{what} ran out of time"));
    }
    Ok(Ran {
        success: ran.success(),
        code: ran.code,
        stdout: ran.stdout,
        stderr: ran.stderr,
    })
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
        let command = Request::new("sh", "/")
            .read_only_dir()
            .args(["-c", "echo out; echo err >&2; exit 3"]);
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
            Request::new("cat", "/").read_only_dir(),
            Some("const a = 1;\n"),
            Instant::now() + Duration::from_secs(30),
            "cat",
        )
        .unwrap();
        assert_eq!(ran.stdout, "const a = 1;\n");
    }

    #[test]
    fn kills_what_runs_past_the_deadline() {
        let command = Request::new("sh", "/")
            .read_only_dir()
            .args(["-c", "sleep 30 & sleep 30"]);
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
            Request::new("/nonexistent/linter", "/"),
            None,
            Instant::now() + Duration::from_secs(5),
            "the linter",
        )
        .unwrap_err();
        assert!(error.starts_with("start the linter"), "{error}");
    }
}
