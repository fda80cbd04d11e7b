//! `kestra deploy`'s work: read the flow files, check every one against the binaries (nothing is
//! uploaded when one is wrong), apply the deployment's settings, create or update each on Kestra.

use std::path::{Path, PathBuf};

use serde_yaml::Value;

use super::flow::{Flow, SCHEDULE_TYPE, SUBFLOW_TYPE};
use super::flow_check::{self, Schemas};
use super::kestra_client::{Deployed, KestraClient};
use super::kestra_line::KestraLine;
use crate::contract::InputError;
use crate::error::Error;

/// What the deployment sets in the flows: the schedule's timezone, and the defaults of inputs
/// (the repository, model, forge, reviewer) that scheduled runs use.
#[derive(Debug, Clone, Default)]
pub struct DeploySettings {
    pub timezone: Option<String>,
    /// Input id -> default; an input a flow does not have is left alone.
    pub input_defaults: Vec<(String, String)>,
    /// Input id -> default list, for `ARRAY` inputs (the fleet's `repositories`).
    pub input_lists: Vec<(String, Vec<String>)>,
}

/// One flow file, read and checked.
#[derive(Debug, Clone)]
pub struct FlowFile {
    pub path: PathBuf,
    pub flow: Flow,
    /// The text to upload, with the settings applied.
    pub yaml: String,
}

/// Reads every `*.yml`/`*.yaml` in `dir` as one Kestra 1.3 set; see [`prepare_line`].
pub fn prepare(
    dir: &Path,
    schemas: &Schemas,
    settings: &DeploySettings,
) -> Result<Vec<FlowFile>, Error> {
    prepare_line(dir, KestraLine::V1, schemas, settings)
}

/// Reads `line`'s flow set from `dir` (see [`KestraLine::flow_paths`]), checks each flow against
/// `schemas`, against what `line` refuses and its subflow calls against the set, and applies
/// `settings`. Every problem of every file is in the one error. The flows that call others come
/// after the flows they call, so Kestra knows a subflow before its caller arrives.
pub fn prepare_line(
    dir: &Path,
    line: KestraLine,
    schemas: &Schemas,
    settings: &DeploySettings,
) -> Result<Vec<FlowFile>, Error> {
    let mut files = Vec::new();
    for path in line.flow_paths(dir)? {
        let flow = Flow::load(&path)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io(format!("read flow {}", path.display()), e))?;
        let yaml = apply_settings(&text, settings)?;
        files.push(FlowFile { path, flow, yaml });
    }
    let set: Vec<&Flow> = files.iter().map(|f| &f.flow).collect();
    let mut problems = Vec::new();
    for file in &files {
        let flow = &file.flow;
        problems.extend(
            flow_check::check(flow, schemas)
                .into_iter()
                .chain(line.problems(flow))
                .chain(flow_check::check_subflows(flow, &set))
                .map(|p| format!("{}: {p}", file.path.display())),
        );
    }
    if !problems.is_empty() {
        return Err(Error::step(
            "check the flows",
            format!(
                "{} problem(s):\n  {}",
                problems.len(),
                problems.join("\n  ")
            ),
        ));
    }
    files.sort_by_key(|f| f.flow.all_tasks().iter().any(|t| t.kind == SUBFLOW_TYPE));
    Ok(files)
}

/// Creates or updates each flow on Kestra, in order; returns what happened to each.
pub async fn upload(
    client: &KestraClient,
    files: &[FlowFile],
) -> Result<Vec<(String, Deployed)>, Error> {
    let mut done = Vec::new();
    for file in files {
        let deployed = client
            .deploy_flow(&file.flow.namespace, &file.flow.id, &file.yaml)
            .await?;
        done.push((
            format!("{}.{}", file.flow.namespace, file.flow.id),
            deployed,
        ));
    }
    Ok(done)
}

/// The flow text with the schedule's timezone and the inputs' defaults replaced. Unchanged
/// (comments kept) when there is nothing to set.
pub fn apply_settings(text: &str, settings: &DeploySettings) -> Result<String, Error> {
    if settings.timezone.is_none()
        && settings.input_defaults.is_empty()
        && settings.input_lists.is_empty()
    {
        return Ok(text.to_owned());
    }
    let mut doc: Value = serde_yaml::from_str(text)
        .map_err(|e| InputError(format!("flow is not valid YAML: {e}")))?;
    if let Some(timezone) = &settings.timezone {
        for trigger in sequence_mut(&mut doc, "triggers") {
            if trigger.get("type").and_then(Value::as_str) == Some(SCHEDULE_TYPE) {
                set(trigger, "timezone", Value::from(timezone.as_str()));
            }
        }
    }
    for input in sequence_mut(&mut doc, "inputs") {
        let id = input.get("id").and_then(Value::as_str).map(str::to_owned);
        if let Some((_, value)) = settings
            .input_defaults
            .iter()
            .find(|(key, _)| Some(key) == id.as_ref())
        {
            set(input, "defaults", Value::from(value.as_str()));
        }
        if let Some((_, values)) = settings
            .input_lists
            .iter()
            .find(|(key, _)| Some(key) == id.as_ref())
        {
            let list = values.iter().map(|v| Value::from(v.as_str())).collect();
            set(input, "defaults", Value::Sequence(list));
        }
    }
    serde_yaml::to_string(&doc).map_err(|e| Error::step("write the flow as YAML", e.to_string()))
}

fn sequence_mut<'a>(doc: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    doc.get_mut(key)
        .and_then(Value::as_sequence_mut)
        .into_iter()
        .flat_map(|s| s.iter_mut())
}

fn set(mapping: &mut Value, key: &str, value: Value) {
    if let Some(map) = mapping.as_mapping_mut() {
        map.insert(Value::from(key), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOW: &str = "id: f\nnamespace: n\n# kept\ninputs:\n  - id: repository\n    type: STRING\n    defaults: /x\ntasks: []\ntriggers:\n  - id: daily\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: \"0 2 * * *\"\n    timezone: UTC\n";

    #[test]
    fn settings_replace_the_timezone_and_the_repository_default() {
        let settings = DeploySettings {
            timezone: Some("Europe/Paris".into()),
            input_defaults: vec![("repository".into(), "https://github.com/o/r".into())],
            input_lists: Vec::new(),
        };
        let out = apply_settings(FLOW, &settings).unwrap();
        let flow = Flow::parse(&out).unwrap();
        assert_eq!(flow.triggers[0].timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(
            flow.input_defaults()["repository"],
            "https://github.com/o/r"
        );
        assert_eq!(flow.triggers[0].cron.as_deref(), Some("0 2 * * *"));
    }

    #[test]
    fn no_settings_leave_the_text_alone() {
        assert_eq!(
            apply_settings(FLOW, &DeploySettings::default()).unwrap(),
            FLOW
        );
    }

    #[test]
    fn a_list_setting_replaces_an_array_inputs_default() {
        let fleet = "id: fleet\nnamespace: n\ninputs:\n  - id: repositories\n    type: ARRAY\n    itemType: STRING\n    defaults: [/x]\ntasks: []\n";
        let settings = DeploySettings {
            input_lists: vec![(
                "repositories".into(),
                vec![
                    "https://github.com/o/a".into(),
                    "https://github.com/o/b".into(),
                ],
            )],
            ..DeploySettings::default()
        };
        let flow = Flow::parse(&apply_settings(fleet, &settings).unwrap()).unwrap();
        assert_eq!(
            flow.input_defaults()["repositories"],
            serde_json::json!(["https://github.com/o/a", "https://github.com/o/b"])
        );
        // A flow without the input is left alone.
        let other = Flow::parse(&apply_settings(FLOW, &settings).unwrap()).unwrap();
        assert_eq!(other.input_defaults()["repository"], "/x");
    }
}
