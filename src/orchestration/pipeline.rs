//! Running a flow outside Kestra the way Kestra runs it: the main tasks in order, each `runIf`
//! rendered first, its input files rendered into the working directory, its outputs put where
//! `{{ outputs.<task>.vars.<key> }}` finds them; after a failure the `errors` tasks with
//! `errorLogs()` naming the failed task; the `finally` tasks always. How a step's commands run is
//! the [`StepExecutor`]'s business: in this process, or as commands in a shell.
//!
//! Retries are Kestra's: run locally, a failed step fails the run at once, because waiting out
//! minutes of exponential backoff on a developer's machine helps nobody.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::expressions::{with_error_logs, Renderer};
use super::flow::{Flow, FlowTask, Section};
use crate::contract::InputError;
use crate::error::Error;

/// One flow execution to run.
#[derive(Debug, Clone)]
pub struct FlowRun<'a> {
    pub flow: &'a Flow,
    /// The inputs, typed; [`inputs_with_defaults`] builds them from text.
    pub inputs: Map<String, Value>,
    pub execution_id: String,
    /// Kestra's `workingDir`: where input files are written and commands run.
    pub working_dir: PathBuf,
}

/// A step ready to execute: its commands, the environment they get, where and for how long.
#[derive(Debug, Clone)]
pub struct PreparedStep<'a> {
    pub id: &'a str,
    pub commands: &'a [String],
    pub env: BTreeMap<String, String>,
    pub working_dir: &'a Path,
    pub timeout: Option<Duration>,
}

/// Runs a step's commands and returns the outputs they printed, or why they failed.
pub trait StepExecutor {
    fn execute(
        &self,
        step: &PreparedStep<'_>,
    ) -> impl Future<Output = Result<Map<String, Value>, String>>;
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    Succeeded,
    Skipped,
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct StepReport {
    pub id: String,
    pub section: Section,
    pub outcome: StepOutcome,
    pub outputs: Map<String, Value>,
    pub elapsed: Duration,
}

/// What happened, step by step.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub steps: Vec<StepReport>,
    /// The main task that failed, and its message.
    pub failed: Option<(String, String)>,
}

impl RunReport {
    pub fn step(&self, id: &str) -> Option<&StepReport> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The outputs of a step that succeeded.
    pub fn outputs(&self, id: &str) -> Option<&Map<String, Value>> {
        self.step(id)
            .filter(|s| s.outcome == StepOutcome::Succeeded)
            .map(|s| &s.outputs)
    }

    /// Whether any step failed, error handlers and `finally` included.
    pub fn any_failed(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s.outcome, StepOutcome::Failed(_)))
    }
}

/// What the pipeline tells its observer as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    Started {
        id: &'a str,
        section: Section,
    },
    Finished(&'a StepReport),
    /// The main tasks and error handlers are done; the `finally` tasks come next.
    BeforeFinally,
}

/// Runs the flow to the end; a failure is in the report, never an early return, so the error
/// handlers and `finally` always run.
pub async fn run_flow<E: StepExecutor>(
    run: &FlowRun<'_>,
    executor: &E,
    renderer: &Renderer,
    observe: &mut dyn FnMut(Event<'_>),
) -> RunReport {
    let mut context = json!({
        "inputs": run.inputs,
        "outputs": {},
        "execution": { "id": run.execution_id },
        "flow": { "id": run.flow.id, "namespace": run.flow.namespace },
        "workingDir": run.working_dir.to_string_lossy(),
    });
    let steps = run.flow.steps();
    let mut reports = Vec::new();
    let mut failed: Option<(String, String)> = None;
    for step in steps.iter().filter(|s| s.section == Section::Main) {
        observe(Event::Started {
            id: &step.task.id,
            section: step.section,
        });
        let report = run_step(run, step.task, step.section, &context, executor, renderer).await;
        observe(Event::Finished(&report));
        match &report.outcome {
            StepOutcome::Succeeded => {
                if let Some(outputs) = context["outputs"].as_object_mut() {
                    outputs.insert(report.id.clone(), json!({ "vars": report.outputs }));
                }
            }
            StepOutcome::Skipped => {}
            StepOutcome::Failed(message) => failed = Some((report.id.clone(), message.clone())),
        }
        reports.push(report);
        if failed.is_some() {
            break;
        }
    }
    if let Some((task_id, message)) = &failed {
        context = with_error_logs(&context, task_id, message);
        for step in steps.iter().filter(|s| s.section == Section::Errors) {
            observe(Event::Started {
                id: &step.task.id,
                section: step.section,
            });
            let report = run_step(run, step.task, step.section, &context, executor, renderer).await;
            observe(Event::Finished(&report));
            reports.push(report);
        }
    }
    observe(Event::BeforeFinally);
    for step in steps.iter().filter(|s| s.section == Section::Finally) {
        observe(Event::Started {
            id: &step.task.id,
            section: step.section,
        });
        let report = run_step(run, step.task, step.section, &context, executor, renderer).await;
        observe(Event::Finished(&report));
        reports.push(report);
    }
    RunReport {
        steps: reports,
        failed,
    }
}

async fn run_step<E: StepExecutor>(
    run: &FlowRun<'_>,
    task: &FlowTask,
    section: Section,
    context: &Value,
    executor: &E,
    renderer: &Renderer,
) -> StepReport {
    let started = Instant::now();
    let outcome = prepare_and_execute(run, task, context, executor, renderer).await;
    let (outcome, outputs) = match outcome {
        Ok(Some(outputs)) => (StepOutcome::Succeeded, outputs),
        Ok(None) => (StepOutcome::Skipped, Map::new()),
        Err(message) => (StepOutcome::Failed(message), Map::new()),
    };
    StepReport {
        id: task.id.clone(),
        section,
        outcome,
        outputs,
        elapsed: started.elapsed(),
    }
}

/// `Ok(None)` when `runIf` skips the task.
async fn prepare_and_execute<E: StepExecutor>(
    run: &FlowRun<'_>,
    task: &FlowTask,
    context: &Value,
    executor: &E,
    renderer: &Renderer,
) -> Result<Option<Map<String, Value>>, String> {
    if let Some(condition) = &task.run_if {
        if !renderer
            .condition(condition, context)
            .map_err(|e| e.headline())?
        {
            return Ok(None);
        }
    }
    std::fs::create_dir_all(&run.working_dir)
        .map_err(|e| format!("create {}: {e}", run.working_dir.display()))?;
    for (name, template) in &task.input_files {
        let text = renderer
            .render(template, context)
            .map_err(|e| e.headline())?;
        let path = run.working_dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("write {}: {e}", path.display()))?;
    }
    let mut env = BTreeMap::new();
    for (key, template) in run.flow.env_of(task) {
        env.insert(
            key,
            renderer
                .render(&template, context)
                .map_err(|e| e.headline())?,
        );
    }
    let timeout = task
        .timeout
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(|e| e.headline())?;
    let step = PreparedStep {
        id: &task.id,
        commands: &task.commands,
        env,
        working_dir: &run.working_dir,
        timeout,
    };
    executor.execute(&step).await.map(Some)
}

/// An ISO-8601 duration (`PT15M`, `P1DT2H`) as a `Duration`; months count 30 days, years 365.
pub fn parse_duration(text: &str) -> Result<Duration, Error> {
    let parsed = iso8601::duration(text)
        .map_err(|e| InputError(format!("`{text}` is not an ISO-8601 duration: {e}")))?;
    Ok(match parsed {
        iso8601::Duration::Weeks(weeks) => Duration::from_secs(u64::from(weeks) * 7 * 86_400),
        iso8601::Duration::YMDHMS {
            year,
            month,
            day,
            hour,
            minute,
            second,
            millisecond,
        } => {
            let days = u64::from(year) * 365 + u64::from(month) * 30 + u64::from(day);
            Duration::from_secs(
                days * 86_400
                    + u64::from(hour) * 3_600
                    + u64::from(minute) * 60
                    + u64::from(second),
            ) + Duration::from_millis(u64::from(millisecond))
        }
    })
}

/// The flow's inputs: the defaults, overridden by `given` (text, as a form or command line
/// gives them) converted to each input's type. An unknown input or a value the type refuses is
/// bad input.
pub fn inputs_with_defaults(
    flow: &Flow,
    given: &BTreeMap<String, String>,
) -> Result<Map<String, Value>, Error> {
    let mut inputs = flow.input_defaults();
    for (key, text) in given {
        let Some(input) = flow.inputs.iter().find(|i| &i.id == key) else {
            let known: Vec<&str> = flow.inputs.iter().map(|i| i.id.as_str()).collect();
            return Err(InputError(format!(
                "input `{key}`: the flow has no such input (it has: {})",
                known.join(", ")
            ))
            .into());
        };
        let value = match input.kind.as_str() {
            "BOOLEAN" | "BOOL" => match text.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(InputError::field(key, "true or false").into()),
            },
            "INT" => text
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| InputError::field(key, "an integer"))?,
            "SELECT" if !input.values.contains(text) => {
                return Err(
                    InputError::field(key, format!("one of {}", input.values.join(", "))).into(),
                )
            }
            _ => Value::String(text.clone()),
        };
        inputs.insert(key.clone(), value);
    }
    for input in &flow.inputs {
        if input.required != Some(false) && !inputs.contains_key(&input.id) {
            return Err(InputError::field(&input.id, "a value (the input is required)").into());
        }
    }
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orchestration::expressions::Strictness;
    use std::sync::Mutex;

    /// Records the steps it is asked to run; `am-fail` fails, every other binary outputs
    /// `{"ok": true, "file": <the input file's content>}`.
    #[derive(Default)]
    struct Recorder {
        ran: Mutex<Vec<String>>,
    }

    impl StepExecutor for Recorder {
        async fn execute(&self, step: &PreparedStep<'_>) -> Result<Map<String, Value>, String> {
            self.ran.lock().unwrap().push(step.id.to_owned());
            let words: Vec<&str> = step.commands[0].split_whitespace().collect();
            if words[0] == "am-fail" {
                return Err("it broke".to_owned());
            }
            let file = std::fs::read_to_string(step.working_dir.join(words[2])).unwrap();
            let mut outputs = Map::new();
            outputs.insert("ok".into(), json!(true));
            outputs.insert("file".into(), serde_json::from_str(&file).unwrap());
            Ok(outputs)
        }
    }

    const FLOW: &str = r#"
id: f
namespace: n
inputs:
  - {id: go, type: BOOLEAN, defaults: true}
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: a
        type: io.kestra.plugin.scripts.shell.Commands
        inputFiles: {a.json: '{"go": {{ inputs.go | toJson }}}'}
        commands: [am-a --input a.json]
      - id: b
        type: io.kestra.plugin.scripts.shell.Commands
        runIf: "{{ inputs.go }}"
        inputFiles: {b.json: '{"from_a": {{ outputs.a.vars.ok | toJson }}}'}
        commands: [am-b --input b.json]
      - id: c
        type: io.kestra.plugin.scripts.shell.Commands
        inputFiles: {c.json: '{}'}
        commands: [am-c --input c.json]
    errors:
      - id: on_error
        type: io.kestra.plugin.scripts.shell.Commands
        inputFiles: {e.json: '{"phase": {{ errorLogs()[0].taskId | toJson }}, "why": {{ errorLogs()[0].message | toJson }}}'}
        commands: [am-e --input e.json]
    finally:
      - id: last
        type: io.kestra.plugin.scripts.shell.Commands
        inputFiles: {z.json: '{}'}
        commands: [am-z --input z.json]
"#;

    async fn run(flow: &Flow, go: &str) -> (RunReport, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let given = BTreeMap::from([("go".to_owned(), go.to_owned())]);
        let run = FlowRun {
            flow,
            inputs: inputs_with_defaults(flow, &given).unwrap(),
            execution_id: "e1".into(),
            working_dir: dir.path().to_path_buf(),
        };
        let recorder = Recorder::default();
        let renderer = Renderer::new(Strictness::Strict, Box::new(|_| None));
        let report = run_flow(&run, &recorder, &renderer, &mut |_| {}).await;
        let ran = recorder.ran.lock().unwrap().clone();
        (report, ran)
    }

    #[tokio::test]
    async fn outputs_flow_on_and_run_if_skips() {
        let flow = Flow::parse(FLOW).unwrap();
        let (report, ran) = run(&flow, "true").await;
        assert_eq!(ran, ["a", "b", "c", "last"]);
        assert_eq!(
            report.outputs("b").unwrap()["file"],
            json!({"from_a": true})
        );
        assert!(report.failed.is_none());

        let (report, ran) = run(&flow, "false").await;
        assert_eq!(ran, ["a", "c", "last"]);
        assert_eq!(report.step("b").unwrap().outcome, StepOutcome::Skipped);
    }

    #[tokio::test]
    async fn a_failure_stops_the_main_line_runs_the_error_handler_then_finally() {
        let mut flow = Flow::parse(FLOW).unwrap();
        flow.task_mut("b").unwrap().commands = vec!["am-fail --input b.json".into()];
        let (report, ran) = run(&flow, "true").await;
        assert_eq!(ran, ["a", "b", "on_error", "last"]);
        assert_eq!(report.failed, Some(("b".to_owned(), "it broke".to_owned())));
        assert_eq!(
            report.outputs("on_error").unwrap()["file"],
            json!({"phase": "b", "why": "it broke"})
        );
    }

    #[test]
    fn inputs_are_typed_and_checked() {
        let flow = Flow::parse(FLOW).unwrap();
        let given = |k: &str, v: &str| BTreeMap::from([(k.to_owned(), v.to_owned())]);
        assert_eq!(
            inputs_with_defaults(&flow, &BTreeMap::new()).unwrap()["go"],
            json!(true)
        );
        let e = inputs_with_defaults(&flow, &given("go", "yes"))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "bad input: field `go`: expected true or false");
        let e = inputs_with_defaults(&flow, &given("nope", "1"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("the flow has no such input (it has: go)"), "{e}");
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("PT15M").unwrap(), Duration::from_secs(900));
        assert_eq!(
            parse_duration("PT1H30S").unwrap(),
            Duration::from_secs(3630)
        );
        assert!(parse_duration("15m").is_err());
    }
}
