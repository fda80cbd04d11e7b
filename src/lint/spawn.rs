//! The one way the lint module runs a linter or formatter (the repository's code may run in it:
//! build scripts, configuration files, plugins): through `crate::runner` against a deadline — a
//! clean environment with none of our secrets, the sandbox, capped output, and on timeout its
//! whole process group killed, so a compiler it started does not outlive it. Every tool of
//! `crate::lint` spawns through [`run`], [`output`] or [`tool`].

use std::path::Path;
use std::time::{Duration, Instant};

use super::tool::{Ctx, Failure};
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

/// Whether a version query (`program args`: a linter's `--version`, say) runs, exits 0 and
/// says something; asked once per run, as [`version`] is.
pub fn succeeds(program: &Path, args: &[&str], dir: &Path) -> bool {
    version(program, args, dir).is_some()
}

/// Runs `request` to its end or until `timeout`, off the async runtime's threads.
pub async fn output(request: Request, timeout: Duration, what: &str) -> Result<Ran, String> {
    let what = what.to_owned();
    let deadline = Instant::now() + timeout;
    tokio::task::spawn_blocking(move || run(request, None, deadline, &what))
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
    let mut request = Request::new(program, &ctx.root).args(args);
    for (key, value) in env {
        request = request.env(key, value);
    }
    output(request, ctx.timeout, what).await.map_err(|e| {
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

/// The first line of `program args` (a `--version`), None when it does not run; asked once per
/// run (`super::versions`).
pub fn version(program: &Path, args: &[&str], dir: &Path) -> Option<String> {
    super::versions::cached(program, args, dir, || ask_version(program, args, dir))
}

fn ask_version(program: &Path, args: &[&str], dir: &Path) -> Option<String> {
    let request = Request::new(program, dir).args(args).output_cap(64 * 1024);
    let ran = run(
        request,
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
