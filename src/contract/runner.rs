//! The one `main` every task binary shares: arguments, input, the task, outputs, exit code.

use std::future::Future;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::input::{read_input, InputSource, Validate};
use super::logging::{self, LogFormat};
use super::protocol::{Metric, Protocol};
use crate::error::Error;
use crate::secrets::Secrets;

/// Exit code for a finished task, including "nothing to do".
pub const EXIT_OK: u8 = 0;
/// Exit code for any failure that is not bad input.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for bad input.
pub const EXIT_BAD_INPUT: u8 = 2;

/// A phase of the daily run, as a binary: one JSON input, one JSON output object.
pub trait Task {
    /// The binary's name, `am-...`.
    const NAME: &'static str;
    /// One line for `--help`.
    const ABOUT: &'static str;
    type Input: DeserializeOwned + JsonSchema + Validate;
    type Output: Serialize + JsonSchema;

    fn run(input: Self::Input, env: &TaskEnv) -> impl Future<Output = Result<Self::Output, Error>>;
}

/// What a running task gets besides its input: secrets and the protocol writer for metrics.
#[derive(Debug, Clone)]
pub struct TaskEnv {
    pub secrets: Secrets,
    pub protocol: Protocol,
}

impl TaskEnv {
    pub fn metric(&self, metric: Metric) {
        self.protocol.metrics(&[metric]);
    }
}

#[derive(Debug, Parser)]
struct Args {
    /// The input JSON document: a file, or `-` for stdin.
    #[arg(long, value_name = "FILE", required_unless_present = "schema")]
    input: Option<String>,
    /// Print the input and output JSON Schemas and exit.
    #[arg(long)]
    schema: bool,
}

/// The input and output schemas of a task, as `--schema` prints them and `schemas/` holds them.
pub fn schema_of<T: Task>() -> serde_json::Value {
    serde_json::json!({
        "task": T::NAME,
        "input": schemars::schema_for!(T::Input),
        "output": schemars::schema_for!(T::Output),
    })
}

/// Runs a task binary to completion and returns its exit code. Every `tasks/am-*.rs` is this call.
pub fn main<T: Task>() -> ExitCode {
    let command = <Args as clap::CommandFactory>::command()
        .name(T::NAME)
        .about(T::ABOUT);
    let args = match command.try_get_matches() {
        Ok(matches) => match <Args as clap::FromArgMatches>::from_arg_matches(&matches) {
            Ok(args) => args,
            Err(e) => return usage_error(e),
        },
        Err(e) => return usage_error(e),
    };
    let secrets = Secrets::from_env();
    let protocol = Protocol::stdout(secrets.redactor());
    if args.schema {
        let text = serde_json::to_string_pretty(&schema_of::<T>()).unwrap_or_default();
        // A reader that stops early (`--schema | head`) closes the pipe: not worth a panic.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}").and_then(|()| out.flush());
        return ExitCode::from(EXIT_OK);
    }
    logging::init(LogFormat::from_env(), protocol.clone());
    let env = TaskEnv { secrets, protocol };
    let source = InputSource::from_arg(args.input.as_deref().unwrap_or("-"));
    let code = execute::<T>(&source, &env);
    ExitCode::from(code)
}

fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::from(EXIT_OK);
    }
    let _ = writeln!(
        std::io::stderr(),
        "{}",
        e.to_string().lines().next().unwrap_or("bad arguments")
    );
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Reads the input, runs the task, prints outputs or the error; returns the exit code.
pub fn execute<T: Task>(source: &InputSource, env: &TaskEnv) -> u8 {
    let redactor = env.secrets.redactor();
    let started = std::time::Instant::now();
    let result = read_input::<T::Input>(source)
        .map_err(Error::from)
        .and_then(|input| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| Error::io("start the async runtime", e))?;
            runtime.block_on(T::run(input, env))
        });
    match result {
        Ok(output) => {
            env.protocol.outputs(&output);
            env.metric(
                Metric::timer("duration", started.elapsed().as_secs_f64()).tag("task", T::NAME),
            );
            EXIT_OK
        }
        Err(error) => {
            report(T::NAME, &error, &redactor);
            error.exit_code()
        }
    }
}

/// One line saying what failed, then the cause chain, all on stderr and redacted.
pub fn report(name: &str, error: &Error, redactor: &crate::secrets::Redactor) {
    // A closed stderr leaves nobody to tell; the exit code still says what happened.
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "{}",
        redactor.redact(&format!("{name}: {}", error.headline()))
    );
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let _ = writeln!(err, "  caused by: {}", redactor.redact(&cause.to_string()));
        source = cause.source();
    }
}
