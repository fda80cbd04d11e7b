//! What to run ([`Request`]) and what came of it ([`Ran`]).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::policy::Policy;

/// Bytes of each output stream kept by default (the end of it).
pub const DEFAULT_OUTPUT_CAP: usize = 32 * 1024 * 1024;
/// The longest a command may ever run, whatever it asks for: no deadline arithmetic overflows.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// One command of the target repository's, with everything that bounds it.
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) program: OsString,
    pub(crate) args: Vec<OsString>,
    /// The working directory; writable unless `dir_writable` is false.
    pub(crate) dir: PathBuf,
    pub(crate) dir_writable: bool,
    /// Variables set on top of the allowlisted environment.
    pub(crate) env: Vec<(String, OsString)>,
    pub(crate) stdin: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) output_cap: usize,
    /// stderr joins stdout, in the order written (one stream, as a terminal shows it).
    pub(crate) merge_stderr: bool,
    /// Network allowed: only for preparing dependencies, never for the repository's own code.
    pub(crate) network: bool,
    /// Directories the command may write besides `dir` (a shared cargo target directory, a
    /// scratch directory).
    pub(crate) writable: Vec<PathBuf>,
    /// What the log calls it.
    pub(crate) label: String,
    /// The policy to use instead of the process's (tests).
    pub(crate) policy: Option<Arc<Policy>>,
}

impl Request {
    /// `program` in `dir`, with the defaults: 10 minutes, 32 MiB of each stream, no network.
    pub fn new(program: impl AsRef<OsStr>, dir: impl AsRef<Path>) -> Self {
        let program = program.as_ref().to_os_string();
        let label = Path::new(&program)
            .file_name()
            .map_or_else(|| program.to_string_lossy(), |n| n.to_string_lossy())
            .into_owned();
        Self {
            program,
            args: Vec::new(),
            dir: dir.as_ref().to_path_buf(),
            dir_writable: true,
            env: Vec::new(),
            stdin: None,
            timeout: Duration::from_secs(600),
            output_cap: DEFAULT_OUTPUT_CAP,
            merge_stderr: false,
            network: false,
            writable: Vec::new(),
            label,
            policy: None,
        }
    }

    /// `sh -c script` in `dir` (a check command line from the configuration).
    pub fn shell(script: &str, dir: impl AsRef<Path>) -> Self {
        let mut request = Self::new("sh", dir).args(["-c", script]);
        request.label = script.to_owned();
        request
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// A variable of the caller's (never a secret: names that look like one are dropped).
    pub fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((name.to_owned(), value.as_ref().to_os_string()));
        self
    }

    pub fn stdin(mut self, text: impl Into<String>) -> Self {
        self.stdin = Some(text.into());
        self
    }

    /// At most `timeout` (clamped to [`MAX_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.min(MAX_TIMEOUT);
        self
    }

    /// Until `deadline` (none left: it is killed at once).
    pub fn deadline(self, deadline: Instant) -> Self {
        let left = deadline.saturating_duration_since(Instant::now());
        self.timeout(left)
    }

    pub fn output_cap(mut self, bytes: usize) -> Self {
        self.output_cap = bytes.max(1);
        self
    }

    pub fn merge_stderr(mut self) -> Self {
        self.merge_stderr = true;
        self
    }

    pub(crate) fn network(mut self) -> Self {
        self.network = true;
        self
    }

    /// The working directory is only read (a version query run in `/`).
    pub fn read_only_dir(mut self) -> Self {
        self.dir_writable = false;
        self
    }

    pub fn writable(mut self, dir: impl AsRef<Path>) -> Self {
        self.writable.push(dir.as_ref().to_path_buf());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn policy(mut self, policy: Arc<Policy>) -> Self {
        self.policy = Some(policy);
        self
    }

    pub(crate) fn program_name(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }
}

/// A command that ran, to its end or until it was killed.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    /// The exit code; None when a signal ended it (or it was killed).
    pub code: Option<i32>,
    pub timed_out: bool,
    /// The end of stdout (with stderr when merged), at most the cap.
    pub stdout: String,
    pub stderr: String,
    /// Whether a stream was cut to the cap.
    pub truncated: bool,
    pub duration: Duration,
    /// Whether it ran inside bubblewrap.
    pub sandboxed: bool,
}

impl Ran {
    pub fn success(&self) -> bool {
        self.code == Some(0) && !self.timed_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_timeouts_are_clamped_and_past_deadlines_are_zero() {
        let request = Request::new("true", "/").timeout(Duration::MAX);
        assert_eq!(request.timeout, MAX_TIMEOUT);
        let past = Instant::now()
            .checked_sub(Duration::from_secs(1))
            .unwrap_or_else(Instant::now);
        assert_eq!(
            Request::new("true", "/").deadline(past).timeout,
            Duration::ZERO
        );
    }
}
