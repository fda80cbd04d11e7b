//! Running the repository's check commands (from `.automaintainer.yml`, or detected from its build
//! files; never anything a model wrote) with a timeout and a cap on the output kept.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::artifacts::CheckRun;
use crate::runner::{self, Request, RunError};
use crate::secrets::Redactor;

/// Bytes of a check's output kept while it runs (the end of it).
const OUTPUT_CAP: usize = 64 * 1024;
/// What of that goes into implementation.json and the next prompt.
const TAIL_LINES: usize = 80;
const TAIL_CHARS: usize = 6000;

/// The checks of a repository: the configured ones, else those its build files imply.
pub fn commands_for(root: &Path, configured: &[String]) -> Vec<String> {
    if configured.is_empty() {
        crate::repo::checks::detect(root)
    } else {
        configured.to_vec()
    }
}

/// Runs `command` with `sh -c` in `root` through the runner (clean environment, sandbox); killed
/// (with its children) after `timeout`.
pub async fn run(
    root: &Path,
    command: &str,
    timeout: Duration,
    attempt: u32,
    redactor: &Redactor,
) -> CheckRun {
    let started = Instant::now();
    let outcome = run_capped(root, command, timeout).await;
    let (exit_code, timed_out, output) = match outcome {
        Ok(outcome) => outcome,
        Err(e) => (None, false, format!("the check could not be started: {e}")),
    };
    let passed = exit_code == Some(0) && !timed_out;
    let mut tail = tail(&output);
    if timed_out {
        tail.push_str(&format!("\n[killed after {}s]", timeout.as_secs()));
    }
    tracing::info!(command, passed, exit_code, timed_out, "check finished");
    CheckRun {
        command: command.to_owned(),
        exit_code,
        passed,
        duration_secs: started.elapsed().as_secs_f64(),
        timed_out,
        output_tail: redactor.redact(&tail),
        attempt,
    }
}

async fn run_capped(
    root: &Path,
    command: &str,
    timeout: Duration,
) -> Result<(Option<i32>, bool, String), RunError> {
    // One stream in the order it was written, as a terminal shows it.
    let request = Request::shell(command, root)
        .timeout(timeout)
        .merge_stderr()
        .output_cap(OUTPUT_CAP);
    let ran = runner::run_async(request).await?;
    Ok((ran.code, ran.timed_out, ran.stdout))
}

/// The last lines of `output`, within the character cap.
fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let mut text = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
    let count = text.chars().count();
    if count > TAIL_CHARS {
        text = text.chars().skip(count - TAIL_CHARS).collect();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_exit_status_and_combined_output() {
        let dir = tempfile::tempdir().unwrap();
        let redactor = Redactor::new(vec!["hunter2-secret".to_owned()]);
        let run = run(
            dir.path(),
            "echo out; echo err >&2; echo hunter2-secret; exit 3",
            Duration::from_secs(10),
            2,
            &redactor,
        )
        .await;
        assert_eq!(run.exit_code, Some(3));
        assert!(!run.passed && !run.timed_out);
        assert_eq!(run.output_tail, "out\nerr\n[redacted]");
        assert_eq!(run.attempt, 2);
    }

    #[tokio::test]
    async fn kills_a_check_that_runs_too_long() {
        let dir = tempfile::tempdir().unwrap();
        let run = run(
            dir.path(),
            "echo started; sleep 30",
            Duration::from_millis(300),
            1,
            &Redactor::default(),
        )
        .await;
        assert!(run.timed_out && !run.passed);
        assert_eq!(run.exit_code, None);
        assert!(
            run.output_tail.starts_with("started"),
            "{}",
            run.output_tail
        );
    }

    #[test]
    fn tail_keeps_the_end() {
        let long: String = (0..500).map(|i| format!("line {i}\n")).collect();
        let t = tail(&long);
        assert!(t.ends_with("line 499"));
        assert_eq!(t.lines().count(), TAIL_LINES);
    }
}
