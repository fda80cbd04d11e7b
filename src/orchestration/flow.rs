//! A Kestra flow file as typed structs: the parts AutoMaintainer's flows use, every other key
//! refused, so a typo (`maxAttempt`, `runif`) is caught here rather than by the server.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::contract::InputError;
use crate::error::Error;

/// The task type every phase runs as.
pub const COMMANDS_TYPE: &str = "io.kestra.plugin.scripts.shell.Commands";
/// The flowable task that gives the phases one shared directory.
pub const WORKING_DIRECTORY_TYPE: &str = "io.kestra.plugin.core.flow.WorkingDirectory";
/// The task runner the phases use: a process on the worker, where the binaries are installed.
pub const PROCESS_RUNNER_TYPE: &str = "io.kestra.plugin.core.runner.Process";
/// The daily trigger.
pub const SCHEDULE_TYPE: &str = "io.kestra.plugin.core.trigger.Schedule";
/// Kestra 1.3's loop over a list (removed in 2.x).
pub const FOR_EACH_TYPE: &str = "io.kestra.plugin.core.flow.ForEach";
/// Kestra 1.3's loop over the items of a file (removed in 2.x).
pub const FOR_EACH_ITEM_TYPE: &str = "io.kestra.plugin.core.flow.ForEachItem";
/// Kestra 2.x's loop, replacing both of the above.
pub const LOOP_TYPE: &str = "io.kestra.plugin.core.flow.Loop";
/// One execution of another flow.
pub const SUBFLOW_TYPE: &str = "io.kestra.plugin.core.flow.Subflow";

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Flow {
    pub id: String,
    pub namespace: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub inputs: Vec<FlowInput>,
    #[serde(default)]
    pub concurrency: Option<Concurrency>,
    pub tasks: Vec<FlowTask>,
    #[serde(default)]
    pub errors: Vec<FlowTask>,
    #[serde(default)]
    pub finally: Vec<FlowTask>,
    #[serde(default)]
    pub triggers: Vec<Trigger>,
    #[serde(default)]
    pub plugin_defaults: Vec<PluginDefault>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FlowInput {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub defaults: Option<serde_yaml::Value>,
    #[serde(default)]
    pub required: Option<bool>,
    #[serde(default)]
    pub values: Vec<String>,
    /// The type of an `ARRAY` input's items.
    #[serde(default)]
    pub item_type: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Concurrency {
    pub limit: u32,
    #[serde(default)]
    pub behavior: Option<String>,
}

/// A task: a phase (`Commands`), the `WorkingDirectory` around them, a loop (`ForEach`, `Loop`)
/// or a `Subflow` execution.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FlowTask {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub run_if: Option<String>,
    /// An ISO-8601 duration.
    #[serde(default)]
    pub timeout: Option<String>,
    #[serde(default)]
    pub retry: Option<Retry>,
    /// File name -> template of its content, written into the working directory before the
    /// commands run.
    #[serde(default)]
    pub input_files: BTreeMap<String, String>,
    #[serde(default)]
    pub commands: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub task_runner: Option<TaskRunner>,
    #[serde(default)]
    pub tasks: Vec<FlowTask>,
    #[serde(default)]
    pub errors: Vec<FlowTask>,
    #[serde(default)]
    pub finally: Vec<FlowTask>,
    /// A loop's items: a list or an expression rendering to one.
    #[serde(default)]
    pub values: Option<serde_yaml::Value>,
    /// How many of a loop's iterations run at once; 0 is unlimited.
    #[serde(default)]
    pub concurrency_limit: Option<u32>,
    /// A subflow's namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// A subflow's flow id.
    #[serde(default)]
    pub flow_id: Option<String>,
    /// A subflow's inputs, input id -> value or template.
    #[serde(default)]
    pub inputs: BTreeMap<String, serde_yaml::Value>,
    #[serde(default)]
    pub wait: Option<bool>,
    #[serde(default)]
    pub transmit_failed: Option<bool>,
    #[serde(default)]
    pub restart_behavior: Option<String>,
    /// A failure ends as a warning and the flow goes on.
    #[serde(default)]
    pub allow_failure: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Retry {
    #[serde(rename = "type")]
    pub kind: String,
    pub max_attempts: u32,
    #[serde(default)]
    pub interval: Option<String>,
    #[serde(default)]
    pub max_interval: Option<String>,
    #[serde(default)]
    pub max_duration: Option<String>,
    #[serde(default)]
    pub delay_factor: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaskRunner {
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Trigger {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub cron: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub conditions: Vec<serde_yaml::Value>,
    #[serde(default)]
    pub inputs: BTreeMap<String, serde_yaml::Value>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PluginDefault {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub forced: bool,
    pub values: PluginValues,
}

/// The shared settings of every task of one type.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PluginValues {
    #[serde(default)]
    pub task_runner: Option<TaskRunner>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// Which part of the flow a step belongs to; Kestra runs `errors` only after a failure and
/// `finally` always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Main,
    Errors,
    Finally,
}

/// A runnable task in the order Kestra would reach it.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub section: Section,
    pub task: &'a FlowTask,
}

impl Flow {
    pub fn parse(text: &str) -> Result<Self, Error> {
        serde_yaml::from_str(text).map_err(|e| InputError(format!("flow is not valid: {e}")).into())
    }

    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("read flow {}", path.display()), e))?;
        Self::parse(&text).map_err(|e| match e {
            Error::Input(InputError(reason)) => {
                InputError(format!("{}: {reason}", path.display())).into()
            }
            other => other,
        })
    }

    /// Every runnable task, flowable tasks unfolded: the main line first, then the error
    /// handlers, then the `finally` tasks (inner ones before the flow's own).
    pub fn steps(&self) -> Vec<Step<'_>> {
        let mut main = Vec::new();
        let mut errors = Vec::new();
        let mut finally = Vec::new();
        unfold(
            &self.tasks,
            Section::Main,
            &mut main,
            &mut errors,
            &mut finally,
        );
        unfold(
            &self.errors,
            Section::Errors,
            &mut errors,
            &mut Vec::new(),
            &mut finally,
        );
        unfold(
            &self.finally,
            Section::Finally,
            &mut finally,
            &mut Vec::new(),
            &mut Vec::new(),
        );
        main.into_iter().chain(errors).chain(finally).collect()
    }

    pub fn task(&self, id: &str) -> Option<&FlowTask> {
        fn find<'a>(tasks: &'a [FlowTask], id: &str) -> Option<&'a FlowTask> {
            tasks.iter().find_map(|t| {
                if t.id == id {
                    Some(t)
                } else {
                    find(&t.tasks, id)
                        .or_else(|| find(&t.errors, id))
                        .or_else(|| find(&t.finally, id))
                }
            })
        }
        find(&self.tasks, id)
            .or_else(|| find(&self.errors, id))
            .or_else(|| find(&self.finally, id))
    }

    pub fn task_mut(&mut self, id: &str) -> Option<&mut FlowTask> {
        fn find<'a>(tasks: &'a mut [FlowTask], id: &str) -> Option<&'a mut FlowTask> {
            for task in tasks.iter_mut() {
                if task.id == id {
                    return Some(task);
                }
                for children in [&mut task.tasks, &mut task.errors, &mut task.finally] {
                    if let Some(found) = find(children, id) {
                        return Some(found);
                    }
                }
            }
            None
        }
        if let Some(found) = find(&mut self.tasks, id) {
            return Some(found);
        }
        if let Some(found) = find(&mut self.errors, id) {
            return Some(found);
        }
        find(&mut self.finally, id)
    }

    /// The environment every task of `kind` gets from `pluginDefaults`, overridden by its own.
    pub fn env_of(&self, task: &FlowTask) -> BTreeMap<String, String> {
        let mut env: BTreeMap<String, String> = self
            .plugin_defaults
            .iter()
            .filter(|d| d.kind == task.kind)
            .flat_map(|d| d.values.env.clone())
            .collect();
        env.extend(task.env.clone());
        env
    }

    /// The task runner of `task`, its own or from `pluginDefaults`.
    pub fn runner_of<'a>(&'a self, task: &'a FlowTask) -> Option<&'a TaskRunner> {
        task.task_runner.as_ref().or_else(|| {
            self.plugin_defaults
                .iter()
                .filter(|d| d.kind == task.kind)
                .find_map(|d| d.values.task_runner.as_ref())
        })
    }

    /// Every task at any depth, flowable ones included, in document order.
    pub fn all_tasks(&self) -> Vec<&FlowTask> {
        fn walk<'a>(tasks: &'a [FlowTask], into: &mut Vec<&'a FlowTask>) {
            for task in tasks {
                into.push(task);
                walk(&task.tasks, into);
                walk(&task.errors, into);
                walk(&task.finally, into);
            }
        }
        let mut all = Vec::new();
        walk(&self.tasks, &mut all);
        walk(&self.errors, &mut all);
        walk(&self.finally, &mut all);
        all
    }

    /// The default of an input, as JSON.
    pub fn input_defaults(&self) -> serde_json::Map<String, serde_json::Value> {
        self.inputs
            .iter()
            .filter_map(|input| {
                let value = input.defaults.as_ref()?;
                let json = serde_json::to_value(value).ok()?;
                Some((input.id.clone(), json))
            })
            .collect()
    }
}

fn unfold<'a>(
    tasks: &'a [FlowTask],
    section: Section,
    into: &mut Vec<Step<'a>>,
    errors: &mut Vec<Step<'a>>,
    finally: &mut Vec<Step<'a>>,
) {
    for task in tasks {
        if task.tasks.is_empty() {
            into.push(Step { section, task });
            continue;
        }
        unfold(&task.tasks, section, into, errors, finally);
        // A flowable task's handlers: its errors run in the error section, its finally in the
        // finally section, whatever section the task itself is in.
        let errors_section = if section == Section::Main {
            Section::Errors
        } else {
            section
        };
        let mut nested_errors = Vec::new();
        unfold(
            &task.errors,
            errors_section,
            &mut nested_errors,
            &mut Vec::new(),
            finally,
        );
        errors.extend(nested_errors);
        let mut nested_finally = Vec::new();
        unfold(
            &task.finally,
            Section::Finally,
            &mut nested_finally,
            &mut Vec::new(),
            &mut Vec::new(),
        );
        finally.extend(nested_finally);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
id: f
namespace: n
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: a
        type: io.kestra.plugin.scripts.shell.Commands
        commands: [am-setup --input a.json]
      - id: b
        type: io.kestra.plugin.scripts.shell.Commands
        env: {X: own}
        commands: [am-context --input b.json]
    errors:
      - id: e
        type: io.kestra.plugin.scripts.shell.Commands
        commands: [am-persist --input e.json]
    finally:
      - id: z
        type: io.kestra.plugin.scripts.shell.Commands
        commands: [am-cleanup --input z.json]
pluginDefaults:
  - type: io.kestra.plugin.scripts.shell.Commands
    values:
      env: {X: shared, Y: shared}
"#;

    #[test]
    fn steps_follow_kestras_order_by_section() {
        let flow = Flow::parse(SMALL).unwrap();
        let steps: Vec<(&str, Section)> = flow
            .steps()
            .iter()
            .map(|s| (s.task.id.as_str(), s.section))
            .collect();
        assert_eq!(
            steps,
            vec![
                ("a", Section::Main),
                ("b", Section::Main),
                ("e", Section::Errors),
                ("z", Section::Finally)
            ]
        );
    }

    #[test]
    fn a_tasks_own_env_overrides_the_plugin_defaults() {
        let flow = Flow::parse(SMALL).unwrap();
        let env = flow.env_of(flow.task("b").unwrap());
        assert_eq!(env["X"], "own");
        assert_eq!(env["Y"], "shared");
    }

    #[test]
    fn a_misspelt_key_is_refused_with_its_name() {
        let text = SMALL.replace("commands: [am-setup", "comands: [am-setup");
        let e = Flow::parse(&text).unwrap_err().to_string();
        assert!(e.contains("unknown field `comands`"), "{e}");
    }
}
