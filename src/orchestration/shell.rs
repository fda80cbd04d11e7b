//! Executing a step as Kestra's Process runner does: the commands in `sh` with `set -e`, in the
//! working directory, with the task's environment; the `::{"outputs":...}::` lines on stdout are
//! the step's outputs, and a non-zero exit fails it with what the binary said on stderr.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::pipeline::{PreparedStep, StepExecutor};

/// Runs steps as shell commands. `bin_dir` goes first on `PATH`, so `am-setup` is this build's.
#[derive(Debug, Clone, Default)]
pub struct ShellExecutor {
    pub bin_dir: Option<PathBuf>,
    /// Extra variables for every step (after the task's own), e.g. `DATABASE_URL` in tests.
    pub env: Vec<(String, String)>,
}

impl StepExecutor for ShellExecutor {
    async fn execute(&self, step: &PreparedStep<'_>) -> Result<Map<String, Value>, String> {
        let script = format!("set -e\n{}", step.commands.join("\n"));
        let mut command = tokio::process::Command::new("sh");
        command
            .arg("-c")
            .arg(&script)
            .current_dir(step.working_dir)
            .envs(&step.env)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("WORKING_DIR", step.working_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(bin_dir) = &self.bin_dir {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs = vec![bin_dir.clone()];
            dirs.extend(std::env::split_paths(&path));
            if let Ok(joined) = std::env::join_paths(dirs) {
                command.env("PATH", joined);
            }
        }
        let running = command.output();
        let output = match step.timeout {
            Some(limit) => tokio::time::timeout(limit, running)
                .await
                .map_err(|_| format!("timed out after {}s", limit.as_secs()))?,
            None => running.await,
        }
        .map_err(|e| format!("start sh: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(failure_message(
                &String::from_utf8_lossy(&output.stderr),
                output.status.code(),
            ));
        }
        Ok(protocol_outputs(&stdout))
    }
}

/// Every `outputs` object on Kestra's protocol lines, merged in order.
pub fn protocol_outputs(stdout: &str) -> Map<String, Value> {
    static LINE: OnceLock<Option<Regex>> = OnceLock::new();
    let mut outputs = Map::new();
    let Some(line_pattern) = LINE.get_or_init(|| Regex::new(r"^::(\{.*\})::$").ok()) else {
        return outputs;
    };
    for line in stdout.lines() {
        let Some(captures) = line_pattern.captures(line.trim_end()) else {
            continue;
        };
        if let Ok(Value::Object(mut payload)) = serde_json::from_str::<Value>(&captures[1]) {
            if let Some(Value::Object(values)) = payload.remove("outputs") {
                outputs.extend(values);
            }
        }
    }
    outputs
}

fn failure_message(stderr: &str, code: Option<i32>) -> String {
    let text = stderr.trim();
    if text.is_empty() {
        return match code {
            Some(code) => format!("exit code {code}"),
            None => "killed by a signal".to_owned(),
        };
    }
    // The binaries' one line saying what failed, with its causes under it.
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(20)..];
    tail.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn step<'a>(commands: &'a [String], dir: &'a std::path::Path) -> PreparedStep<'a> {
        PreparedStep {
            id: "t",
            commands,
            env: BTreeMap::from([("GREETING".to_owned(), "hello".to_owned())]),
            working_dir: dir,
            timeout: Some(std::time::Duration::from_secs(30)),
        }
    }

    #[tokio::test]
    async fn outputs_come_from_protocol_lines_and_env_reaches_the_commands() {
        let dir = tempfile::tempdir().unwrap();
        let commands = vec![
            "echo plain text".to_owned(),
            r#"echo "::{\"outputs\":{\"a\":1,\"g\":\"$GREETING\"}}::""#.to_owned(),
            r#"echo '::{"outputs":{"b":"x"}}::'"#.to_owned(),
        ];
        let outputs = ShellExecutor::default()
            .execute(&step(&commands, dir.path()))
            .await
            .unwrap();
        assert_eq!(
            Value::Object(outputs),
            serde_json::json!({"a": 1, "g": "hello", "b": "x"})
        );
    }

    #[tokio::test]
    async fn a_failing_command_stops_the_step_with_its_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let commands = vec![
            "echo 'am-x: failed to do it' >&2; exit 1".to_owned(),
            "touch should-not-exist".to_owned(),
        ];
        let e = ShellExecutor::default()
            .execute(&step(&commands, dir.path()))
            .await
            .unwrap_err();
        assert_eq!(e, "am-x: failed to do it");
        assert!(!dir.path().join("should-not-exist").exists());
    }
}
