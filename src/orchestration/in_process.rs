//! Executing a step in this process: each command `am-<phase> --input FILE` becomes a call of
//! that phase's `Task::run` with the file parsed into its input type, exactly as the binary would
//! parse it, so `automaintainer run` and the flow hand the phases the same documents.

use serde_json::{Map, Value};

use super::pipeline::{PreparedStep, StepExecutor};
use crate::contract::{parse_input, Task, TaskEnv};
use crate::error::Error;

/// Runs steps by calling the phases' library code.
#[derive(Debug, Clone)]
pub struct InProcessExecutor {
    pub env: TaskEnv,
}

impl StepExecutor for InProcessExecutor {
    async fn execute(&self, step: &PreparedStep<'_>) -> Result<Map<String, Value>, String> {
        let mut outputs = Map::new();
        for command in step.commands {
            let (binary, file) = parse_command(command)?;
            let path = step.working_dir.join(&file);
            let input = std::fs::read_to_string(&path)
                .map_err(|e| format!("{binary}: bad input: cannot read {}: {e}", path.display()))?;
            let running = run_binary(&binary, &input, &self.env);
            let result = match step.timeout {
                Some(limit) => tokio::time::timeout(limit, running)
                    .await
                    .map_err(|_| format!("{binary}: timed out after {}s", limit.as_secs()))?,
                None => running.await,
            };
            let values = result.map_err(|error| describe(&binary, &error))?;
            let redacted = self
                .env
                .secrets
                .redactor()
                .redact_json(&Value::Object(values));
            if let Value::Object(values) = redacted {
                outputs.extend(values);
            }
        }
        Ok(outputs)
    }
}

/// `am-x --input FILE` as (binary, file); anything else cannot run in-process.
fn parse_command(command: &str) -> Result<(String, String), String> {
    let words = shlex::split(command).unwrap_or_default();
    match words.as_slice() {
        [binary, flag, file] if flag == "--input" => Ok((binary.clone(), file.clone())),
        _ => Err(format!(
            "`{command}` is not `am-<phase> --input FILE`, the only command run in-process"
        )),
    }
}

/// The binaries this build runs in-process, by name.
pub fn built_in() -> Vec<&'static str> {
    crate::schemas::all()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

async fn run_binary(binary: &str, input: &str, env: &TaskEnv) -> Result<Map<String, Value>, Error> {
    use crate::phases;
    match binary {
        "am-setup" => run_task::<phases::setup::Setup>(input, env).await,
        "am-context" => run_task::<phases::context::ContextPhase>(input, env).await,
        "am-select" => run_task::<phases::select::Select>(input, env).await,
        "am-implement" => run_task::<phases::implement::Implement>(input, env).await,
        "am-open-pr" => run_task::<phases::open_pr::OpenPr>(input, env).await,
        "am-review" => run_task::<phases::review::ReviewPhase>(input, env).await,
        "am-evaluate" => run_task::<phases::evaluate::Evaluate>(input, env).await,
        "am-persist" => run_task::<phases::persist::Persist>(input, env).await,
        "am-reflect" => run_task::<phases::reflect::Reflect>(input, env).await,
        "am-cleanup" => run_task::<phases::cleanup::Cleanup>(input, env).await,
        other => Err(Error::step(
            "find the phase",
            format!("{other} is not built into this automaintainer"),
        )),
    }
}

async fn run_task<T: Task>(input: &str, env: &TaskEnv) -> Result<Map<String, Value>, Error> {
    let input: T::Input = parse_input(input)?;
    let output = T::run(input, env).await?;
    match serde_json::to_value(&output)
        .map_err(|e| Error::json(format!("write {}'s outputs", T::NAME), e))?
    {
        Value::Object(values) => Ok(values),
        _ => Err(Error::step(
            format!("read {}'s outputs", T::NAME),
            "they are not a JSON object",
        )),
    }
}

/// What a failed phase says, as its binary would print it: the headline, then the causes.
fn describe(binary: &str, error: &Error) -> String {
    let mut text = format!("{binary}: {}", error.headline());
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_phase_commands_run_in_process() {
        assert_eq!(
            parse_command("am-setup --input setup.input.json").unwrap(),
            ("am-setup".to_owned(), "setup.input.json".to_owned())
        );
        assert!(parse_command("echo hi").is_err());
    }
}
