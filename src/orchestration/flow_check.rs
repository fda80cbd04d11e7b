//! Checks a flow against the package's binaries before Kestra ever sees it: every command names
//! one of the binaries with flags it accepts and an input file the task declares; every
//! `outputs.X.vars.Y` names a task that runs before and whose output schema has `Y`; each input
//! file's keys are the binary's input fields; the cron and every duration parse.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use serde_json::Value;

use super::expressions::{self, Renderer, Strictness};
use super::flow::{
    Flow, FlowTask, Section, Step, COMMANDS_TYPE, FOR_EACH_TYPE, LOOP_TYPE, PROCESS_RUNNER_TYPE,
    SCHEDULE_TYPE, SUBFLOW_TYPE,
};

pub use super::subflow_check::check_subflows;

/// One thing wrong with a flow, where it is and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The task id, or `flow` / `trigger <id>`.
    pub place: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// The binaries' schemas by name, as `crate::schemas::all()` gives them.
pub type Schemas = BTreeMap<String, Value>;

/// The package's own binaries and schemas.
pub fn package_schemas() -> Schemas {
    crate::schemas::all()
        .into_iter()
        .map(|(name, schema)| (name.to_owned(), schema))
        .collect()
}

/// Every problem in `flow`; empty when it is sound.
pub fn check(flow: &Flow, schemas: &Schemas) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report = |place: &str, message: String| {
        problems.push(Problem {
            place: place.to_owned(),
            message,
        })
    };
    if flow.concurrency.as_ref().is_some_and(|c| c.limit == 0) {
        report("flow", "concurrency limit must be at least 1".to_owned());
    }
    for trigger in &flow.triggers {
        if trigger.kind == SCHEDULE_TYPE {
            let place = format!("trigger {}", trigger.id);
            match trigger.cron.as_deref() {
                Some(cron) => {
                    if let Err(e) = croner::Cron::from_str(cron) {
                        report(&place, format!("cron `{cron}` does not parse: {e}"));
                    }
                }
                None => report(&place, "a Schedule trigger needs `cron`".to_owned()),
            }
        }
    }
    for task in flow.all_tasks() {
        if task.kind == FOR_EACH_TYPE || task.kind == LOOP_TYPE {
            if task.values.is_none() {
                report(&task.id, "a loop needs `values`".to_owned());
            }
            match task.concurrency_limit {
                Some(limit) if limit >= 1 => {}
                _ => report(
                    &task.id,
                    "a loop needs `concurrencyLimit` of 1 or more (0 or none is unbounded)"
                        .to_owned(),
                ),
            }
        }
    }
    let renderer = Renderer::new(Strictness::Lenient, Box::new(|_| Some(String::new())));
    let steps = flow.steps();
    let mut seen = BTreeSet::new();
    for (index, step) in steps.iter().enumerate() {
        let task = step.task;
        if !seen.insert(task.id.as_str()) {
            report(&task.id, "task id used twice".to_owned());
        }
        for message in check_task(flow, step, &steps[..index], schemas, &renderer) {
            report(&task.id, message);
        }
    }
    problems
}

fn check_task(
    flow: &Flow,
    step: &Step<'_>,
    before: &[Step<'_>],
    schemas: &Schemas,
    renderer: &Renderer,
) -> Vec<String> {
    let task = step.task;
    let mut problems = Vec::new();
    if task.kind == SUBFLOW_TYPE {
        return super::subflow_check::check_subflow_task(task);
    }
    if task.kind != COMMANDS_TYPE {
        problems.push(format!(
            "type `{}`: phases run as `{COMMANDS_TYPE}`",
            task.kind
        ));
        return problems;
    }
    match flow.runner_of(task) {
        Some(runner) if runner.kind == PROCESS_RUNNER_TYPE => {}
        Some(runner) => problems.push(format!(
            "task runner `{}`: the binaries are installed for `{PROCESS_RUNNER_TYPE}`",
            runner.kind
        )),
        None => problems.push(format!(
            "no task runner: Kestra would default to Docker, set `{PROCESS_RUNNER_TYPE}`"
        )),
    }
    problems.extend(check_durations(task));
    let mut used_files = BTreeSet::new();
    for command in &task.commands {
        match check_command(command, task) {
            Ok((binary, file)) => {
                used_files.insert(file.clone());
                problems.extend(check_binary(command, &binary, schemas));
                if let (Some(schema), Some(template)) =
                    (schemas.get(&binary), task.input_files.get(&file))
                {
                    problems.extend(check_input_file(
                        &file,
                        template,
                        &schema["input"],
                        renderer,
                    ));
                }
            }
            Err(message) => problems.push(message),
        }
    }
    for file in task.input_files.keys() {
        if !used_files.contains(file) {
            problems.push(format!(
                "input file `{file}` is written but no command reads it"
            ));
        }
    }
    problems.extend(check_references(flow, step, before, schemas));
    problems
}

pub(super) fn check_durations(task: &FlowTask) -> Vec<String> {
    let mut problems = Vec::new();
    match &task.timeout {
        Some(timeout) => problems.extend(duration_problem("timeout", timeout)),
        None => problems.push("no timeout: a hung phase would hold the run forever".to_owned()),
    }
    if let Some(retry) = &task.retry {
        for (name, value) in [
            ("retry.interval", &retry.interval),
            ("retry.maxInterval", &retry.max_interval),
            ("retry.maxDuration", &retry.max_duration),
        ] {
            if let Some(value) = value {
                problems.extend(duration_problem(name, value));
            }
        }
        if retry.max_attempts == 0 {
            problems.push("retry.maxAttempts must be at least 1".to_owned());
        }
        match retry.kind.as_str() {
            "exponential" if retry.interval.is_none() || retry.max_interval.is_none() => {
                problems.push("an exponential retry needs `interval` and `maxInterval`".to_owned())
            }
            "exponential" | "constant" | "random" => {}
            other => problems.push(format!("retry type `{other}` is not one Kestra knows")),
        }
    }
    problems
}

fn duration_problem(name: &str, value: &str) -> Option<String> {
    iso8601::duration(value)
        .err()
        .map(|e| format!("{name} `{value}` is not an ISO-8601 duration: {e}"))
}

/// The binary and the input file of one command, or what is wrong with it.
fn check_command(command: &str, task: &FlowTask) -> Result<(String, String), String> {
    let words =
        shlex::split(command).ok_or_else(|| format!("command `{command}` does not parse"))?;
    let Some((binary, args)) = words.split_first() else {
        return Err("empty command".to_owned());
    };
    let file = match args {
        [flag, file] if flag == "--input" => file.clone(),
        [flag] if flag.starts_with("--input=") => flag["--input=".len()..].to_owned(),
        _ => {
            return Err(format!(
                "command `{command}`: {binary} takes `--input FILE` and nothing else"
            ))
        }
    };
    if !task.input_files.contains_key(&file) {
        return Err(format!(
            "command `{command}` reads `{file}`, which the task's inputFiles do not write"
        ));
    }
    Ok((binary.clone(), file))
}

fn check_binary(command: &str, binary: &str, schemas: &Schemas) -> Option<String> {
    (!schemas.contains_key(binary))
        .then(|| format!("command `{command}`: `{binary}` is not one of the package's binaries"))
}

fn check_input_file(
    file: &str,
    template: &str,
    schema: &Value,
    renderer: &Renderer,
) -> Vec<String> {
    let context = serde_json::json!({});
    let text = match renderer.render(template, &context) {
        Ok(text) => text,
        Err(e) => return vec![format!("input file `{file}` does not render: {e}")],
    };
    let document: Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(e) => {
            return vec![format!(
                "input file `{file}` is not JSON once rendered: {e}"
            )]
        }
    };
    let Some(keys) = document.as_object() else {
        return vec![format!("input file `{file}` is not a JSON object")];
    };
    let fields = SchemaFields::of(schema);
    let mut problems = Vec::new();
    for key in keys.keys() {
        if !fields.properties.contains(key) {
            problems.push(format!(
                "input file `{file}`: field `{key}` is not an input of the binary (it has: {})",
                fields
                    .properties
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for required in &fields.required {
        if !keys.contains_key(required) {
            problems.push(format!(
                "input file `{file}`: required field `{required}` is missing"
            ));
        }
    }
    // A phase that may call a model left to pick one itself would use whatever key the worker
    // holds, whatever model the run was given.
    if fields.properties.contains("llm") && !keys.contains_key("llm") {
        problems.push(format!(
            "input file `{file}`: field `llm` is missing; a phase that may call a model must be given the run's model"
        ));
    }
    problems
}

fn check_references(
    flow: &Flow,
    step: &Step<'_>,
    before: &[Step<'_>],
    schemas: &Schemas,
) -> Vec<String> {
    let task = step.task;
    let mut texts: Vec<&str> = task.input_files.values().map(String::as_str).collect();
    texts.extend(task.commands.iter().map(String::as_str));
    texts.extend(task.env.values().map(String::as_str));
    texts.extend(task.run_if.as_deref());
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for reference in texts.iter().flat_map(|t| expressions::references(t)) {
        if !seen.insert(reference.clone()) {
            continue;
        }
        let label = format!("outputs.{}.vars.{}", reference.task, reference.key);
        if step.section != Section::Main {
            problems.push(format!(
                "reads `{label}`, but an error or finally task cannot rely on any phase having run"
            ));
            continue;
        }
        let Some(producer) = before
            .iter()
            .find(|s| s.section == Section::Main && s.task.id == reference.task)
        else {
            let why = if flow.task(&reference.task).is_some() {
                "which runs after it"
            } else {
                "which does not exist"
            };
            problems.push(format!("reads `{label}`: task `{}` {why}", reference.task));
            continue;
        };
        let Some(binary) = producer
            .task
            .commands
            .iter()
            .find_map(|c| shlex::split(c).and_then(|w| w.into_iter().next()))
        else {
            continue;
        };
        if let Some(schema) = schemas.get(&binary) {
            if !SchemaFields::of(&schema["output"])
                .properties
                .contains(&reference.key)
            {
                problems.push(format!(
                    "reads `{label}`, but {binary}'s outputs have no `{}`",
                    reference.key
                ));
            }
        }
        // A task that may be skipped leaves no outputs: whoever reads them must be skipped with it.
        if let Some(condition) = producer.task.run_if.as_deref() {
            let inner = strip_braces(condition);
            if !task
                .run_if
                .as_deref()
                .is_some_and(|own| own.contains(inner))
            {
                problems.push(format!(
                    "reads `{label}`, but `{}` is skipped unless {inner} and this task's runIf does not say so",
                    reference.task
                ));
            }
        }
    }
    problems
}

fn strip_braces(condition: &str) -> &str {
    let trimmed = condition.trim();
    trimmed
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(trimmed)
        .trim()
}

/// The top-level fields a JSON Schema allows, and which are required, following `$ref`s and
/// the variants of `oneOf`/`anyOf`/`allOf` (a tagged enum's variants each add theirs).
#[derive(Debug, Default)]
struct SchemaFields {
    properties: BTreeSet<String>,
    required: BTreeSet<String>,
}

impl SchemaFields {
    fn of(schema: &Value) -> Self {
        let mut fields = Self::default();
        fields.collect(schema, schema, true, 0);
        fields
    }

    fn collect(&mut self, root: &Value, schema: &Value, required_here: bool, depth: usize) {
        if depth > 16 {
            return;
        }
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            if let Some(resolved) = resolve(root, target) {
                self.collect(root, resolved, required_here, depth + 1);
            }
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            self.properties.extend(properties.keys().cloned());
        }
        if required_here {
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                self.required
                    .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
            }
        }
        for (key, all_required) in [("allOf", true), ("oneOf", false), ("anyOf", false)] {
            for variant in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.collect(root, variant, required_here && all_required, depth + 1);
            }
        }
    }
}

fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas() -> Schemas {
        let io = |input: Value, output: Value| json!({"input": input, "output": output});
        let input = |fields: &[&str]| {
            let properties: serde_json::Map<String, Value> = fields
                .iter()
                .map(|f| ((*f).to_owned(), json!({})))
                .collect();
            json!({"type": "object", "properties": properties, "required": ["run_id"], "additionalProperties": false})
        };
        [
            ("am-a", io(input(&["run_id", "repository"]), json!({"properties": {"path": {}}}))),
            (
                "am-b",
                io(
                    input(&["run_id", "path"]),
                    json!({"$defs": {"S": {"properties": {"status": {}}}}, "oneOf": [{"$ref": "#/$defs/S"}]}),
                ),
            ),
        ]
        .into_iter()
        .map(|(n, s)| (n.to_owned(), s))
        .collect()
    }

    const GOOD: &str = r#"
id: f
namespace: n
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: a
        type: io.kestra.plugin.scripts.shell.Commands
        timeout: PT5M
        retry: {type: exponential, interval: PT10S, maxInterval: PT1M, maxAttempts: 3}
        inputFiles:
          a.json: '{"run_id": {{ execution.id | toJson }}, "repository": {{ inputs.repository | toJson }}}'
        commands: [am-a --input a.json]
      - id: b
        type: io.kestra.plugin.scripts.shell.Commands
        timeout: PT5M
        inputFiles:
          b.json: '{"run_id": {{ execution.id | toJson }}, "path": {{ outputs.a.vars.path | toJson }}}'
        commands: [am-b --input b.json]
triggers:
  - id: daily
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
pluginDefaults:
  - type: io.kestra.plugin.scripts.shell.Commands
    values:
      taskRunner: {type: io.kestra.plugin.core.runner.Process}
"#;

    fn problems(text: &str) -> Vec<String> {
        check(&Flow::parse(text).unwrap(), &schemas())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn assert_one(text: &str, expected: &str) {
        let found = problems(text);
        assert!(
            found.len() == 1 && found[0].contains(expected),
            "expected one problem containing {expected:?}, got {found:#?}"
        );
    }

    #[test]
    fn a_phase_that_may_call_a_model_is_given_the_runs_model() {
        let mut with_llm = schemas();
        with_llm.insert(
            "am-a".to_owned(),
            json!({"input": {"type": "object", "properties": {"run_id": {}, "repository": {}, "llm": {}},
                             "required": ["run_id"], "additionalProperties": false},
                   "output": {"properties": {"path": {}}}}),
        );
        let found: Vec<String> = check(&Flow::parse(GOOD).unwrap(), &with_llm)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            found.len() == 1 && found[0].contains("field `llm` is missing"),
            "{found:#?}"
        );
    }

    #[test]
    fn a_sound_flow_has_no_problems() {
        assert_eq!(problems(GOOD), Vec::<String>::new());
    }

    #[test]
    fn an_unknown_binary_or_flag_is_named() {
        assert_one(
            &GOOD.replace("[am-a --input a.json]", "[am-x --input a.json]"),
            "`am-x` is not one of the package's binaries",
        );
        let found =
            problems(&GOOD.replace("[am-a --input a.json]", "[am-a --input a.json --verbose]"));
        assert!(
            found
                .iter()
                .any(|p| p.contains("am-a takes `--input FILE` and nothing else")),
            "{found:#?}"
        );
    }

    #[test]
    fn input_and_output_files_must_agree() {
        let found = problems(&GOOD.replace("[am-a --input a.json]", "[am-a --input other.json]"));
        assert!(found.iter().any(|p| p.contains("reads `other.json`, which the task's inputFiles do not write")), "{found:#?}");
        assert!(
            found
                .iter()
                .any(|p| p.contains("`a.json` is written but no command reads it")),
            "{found:#?}"
        );
    }

    #[test]
    fn references_must_name_an_earlier_task_and_a_declared_output() {
        assert_one(
            &GOOD.replace("outputs.a.vars.path", "outputs.a.vars.nope"),
            "am-a's outputs have no `nope`",
        );
        assert_one(
            &GOOD.replace("outputs.a.vars.path", "outputs.b.vars.status"),
            "task `b` which runs after it",
        );
        assert_one(
            &GOOD.replace("outputs.a.vars.path", "outputs.zz.vars.path"),
            "task `zz` which does not exist",
        );
    }

    #[test]
    fn input_fields_are_checked_against_the_input_schema() {
        assert_one(
            &GOOD.replace("\"repository\":", "\"repo\":"),
            "field `repo` is not an input of the binary",
        );
        assert_one(
            &GOOD.replace(
                r#"'{"run_id": {{ execution.id | toJson }}, "path""#,
                r#"'{"path""#,
            ),
            "required field `run_id` is missing",
        );
    }

    #[test]
    fn cron_durations_timeouts_and_runner_are_checked() {
        assert_one(
            &GOOD.replace("0 2 * * *", "0 25 * * *"),
            "cron `0 25 * * *` does not parse",
        );
        assert_one(
            &GOOD.replace("interval: PT10S", "interval: 10s"),
            "retry.interval `10s` is not an ISO-8601 duration",
        );
        assert_one(
            &GOOD.replacen("        timeout: PT5M\n", "", 1),
            "no timeout",
        );
        assert_one(
            &GOOD.replace("maxInterval: PT1M, ", ""),
            "needs `interval` and `maxInterval`",
        );
        let found = problems(&GOOD.replace(
            "io.kestra.plugin.core.runner.Process",
            "io.kestra.plugin.scripts.runner.docker.Docker",
        ));
        assert_eq!(found.len(), 2, "{found:#?}");
    }

    #[test]
    fn a_reader_of_a_skippable_task_must_be_skipped_with_it() {
        let text = GOOD.replace(
            "      - id: b\n",
            "      - id: b\n        runIf: \"{{ inputs.go }}\"\n",
        );
        assert_eq!(problems(&text), Vec::<String>::new());
        let text = GOOD.replace(
            "      - id: a\n",
            "      - id: a\n        runIf: \"{{ inputs.go }}\"\n",
        );
        assert_one(&text, "`a` is skipped unless inputs.go");
    }

    const FLEET: &str = r#"
id: fleet
namespace: n
inputs:
  - id: repositories
    type: ARRAY
    itemType: STRING
    defaults: [a]
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ inputs.repositories }}"
    concurrencyLimit: 2
    tasks:
      - id: improve
        type: io.kestra.plugin.core.flow.Subflow
        namespace: n
        flowId: f
        wait: true
        timeout: PT1H
        retry: {type: constant, interval: PT1M, maxAttempts: 2}
        inputs:
          repository: "{{ taskrun.value }}"
"#;

    #[test]
    fn a_loop_of_subflows_is_bounded_waited_for_and_retried() {
        assert_eq!(problems(FLEET), Vec::<String>::new());
        assert_one(
            &FLEET.replace("    concurrencyLimit: 2\n", ""),
            "a loop needs `concurrencyLimit` of 1 or more",
        );
        assert_one(
            &FLEET.replace("concurrencyLimit: 2", "concurrencyLimit: 0"),
            "(0 or none is unbounded)",
        );
        assert_one(
            &FLEET.replace("wait: true", "wait: false"),
            "a subflow must `wait: true`",
        );
        assert_one(
            &FLEET.replace(
                "        retry: {type: constant, interval: PT1M, maxAttempts: 2}\n",
                "",
            ),
            "a subflow needs its own `retry`",
        );
        assert_one(
            &FLEET.replace("flowId: f", "flowId: ''"),
            "needs `namespace` and `flowId`",
        );
    }

    #[test]
    fn a_subflow_call_must_match_the_called_flows_inputs() {
        let fleet = Flow::parse(FLEET).unwrap();
        let main = Flow::parse(
            "id: f\nnamespace: n\ninputs:\n  - id: repository\n    type: STRING\n  - id: llm\n    type: STRING\n    defaults: offline\ntasks: []\n",
        )
        .unwrap();
        assert!(check_subflows(&fleet, &[&main, &fleet]).is_empty());
        let found: Vec<String> = check_subflows(&fleet, &[&fleet])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(found, ["improve: subflow `n.f` is not in the flow set"]);
        let renamed = Flow::parse(&FLEET.replace("repository:", "repo:")).unwrap();
        let found: Vec<String> = check_subflows(&renamed, &[&main])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "improve: input `repo` is not an input of `n.f`",
                "improve: `n.f` requires input `repository`, which is not given"
            ]
        );
    }
}
