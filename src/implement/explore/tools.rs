//! The tools offered to the model, with their arguments' types (whose JSON Schemas go to the
//! provider) and the one place a call's name and arguments become a [`ToolRequest`]. There is
//! no tool that runs a command: `run_checks` runs only the configured or detected checks.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::llm::conversation::ToolSpec;

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListDirArgs {
    /// A directory relative to the repository root; the root when absent.
    #[serde(default)]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReadFileArgs {
    /// A file relative to the repository root.
    pub path: String,
    /// The first line to show (1-based); the file's start when absent.
    #[serde(default)]
    pub start_line: Option<usize>,
    /// The last line to show (inclusive).
    #[serde(default)]
    pub end_line: Option<usize>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// A regular expression (Rust regex syntax), matched line by line.
    pub pattern: String,
    /// A directory or file to search in, relative to the root; the whole repository when absent.
    #[serde(default)]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShowFindingArgs {
    /// The finding's number, as listed in the task (from 1).
    pub number: usize,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReplaceArgs {
    /// An existing file relative to the repository root.
    pub path: String,
    /// Text copied exactly from the file (whitespace included), occurring once.
    pub search: String,
    /// What replaces it.
    pub replace: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CreateArgs {
    /// A new file relative to the repository root.
    pub path: String,
    /// The whole content of the file.
    pub content: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FinishArgs {
    /// One line, imperative mood, under 72 characters.
    pub commit_title: String,
    /// What changed and why, for the commit message and the pull request.
    pub commit_body: String,
}

/// A call, understood.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolRequest {
    ListDir(ListDirArgs),
    ReadFile(ReadFileArgs),
    Search(SearchArgs),
    RepoMap,
    ShowFinding(ShowFindingArgs),
    Replace(ReplaceArgs),
    Create(CreateArgs),
    RunChecks,
    Finish(FinishArgs),
}

/// The tools, as offered.
pub fn specs() -> Vec<ToolSpec> {
    vec![
        spec::<ListDirArgs>("list_dir", "List a directory of the repository (files and subdirectories; ignored files left out)."),
        spec::<ReadFileArgs>("read_file", "Read a text file of the repository, or a range of its lines."),
        spec::<SearchArgs>("search", "Search the repository's files (not the ignored ones) for a regular expression; returns `path:line: text` for the first matches."),
        spec::<NoArgs>("repo_map", "Show the repository map: its most important files with their main definitions."),
        spec::<ShowFindingArgs>("show_finding", "Show one of the task's findings with the code around it."),
        spec::<ReplaceArgs>("replace", "Replace text that occurs exactly once in an existing file. Applied at once."),
        spec::<CreateArgs>("create", "Create a new file with its whole content. Applied at once."),
        spec::<NoArgs>("run_checks", "Run the repository's configured checks on the change so far and see their output."),
        spec::<FinishArgs>("finish", "Finish: the checks run on the change, and when they pass it is committed with this message."),
    ]
}

/// The call `name` with `arguments`, or what is wrong with it, said for the model.
pub fn parse(name: &str, arguments: &Value) -> Result<ToolRequest, String> {
    Ok(match name {
        "list_dir" => ToolRequest::ListDir(args(arguments)?),
        "read_file" => ToolRequest::ReadFile(args(arguments)?),
        "search" => ToolRequest::Search(args(arguments)?),
        "repo_map" => {
            args::<NoArgs>(arguments)?;
            ToolRequest::RepoMap
        }
        "show_finding" => ToolRequest::ShowFinding(args(arguments)?),
        "replace" => ToolRequest::Replace(args(arguments)?),
        "create" => ToolRequest::Create(args(arguments)?),
        "run_checks" => {
            args::<NoArgs>(arguments)?;
            ToolRequest::RunChecks
        }
        "finish" => ToolRequest::Finish(args(arguments)?),
        other => {
            let known: Vec<String> = specs().into_iter().map(|s| s.name).collect();
            return Err(format!(
                "there is no tool `{other}`; the tools are: {}",
                known.join(", ")
            ));
        }
    })
}

fn args<T: DeserializeOwned>(arguments: &Value) -> Result<T, String> {
    // Models often send `null` or nothing for a call without arguments.
    let value = if arguments.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        arguments.clone()
    };
    if !value.is_object() {
        return Err("the arguments are not a JSON object".to_owned());
    }
    serde_path_to_error::deserialize::<_, T>(&value)
        .map_err(|e| format!("the arguments do not fit the tool's schema: {e}"))
}

fn spec<T: JsonSchema>(name: &str, description: &str) -> ToolSpec {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator()
        .into_root_schema_for::<T>();
    let mut parameters = serde_json::to_value(schema).unwrap_or_default();
    if let Some(object) = parameters.as_object_mut() {
        object.remove("$schema");
        object.remove("title");
        object
            .entry("properties")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    ToolSpec {
        name: name.to_owned(),
        description: description.to_owned(),
        parameters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_tool_has_an_object_schema_and_no_tool_runs_commands() {
        let specs = specs();
        for spec in &specs {
            assert_eq!(spec.parameters["type"], "object", "{}", spec.name);
            assert!(spec.parameters.get("$schema").is_none());
        }
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert!(!names
            .iter()
            .any(|n| n.contains("shell") || n.contains("exec")));
        assert!(parse("run_command", &json!({"command": "curl x"})).is_err());
    }

    #[test]
    fn calls_are_read_strictly() {
        assert_eq!(
            parse("read_file", &json!({"path": "a.rs", "start_line": 3})).unwrap(),
            ToolRequest::ReadFile(ReadFileArgs {
                path: "a.rs".into(),
                start_line: Some(3),
                end_line: None
            })
        );
        assert_eq!(
            parse("run_checks", &Value::Null).unwrap(),
            ToolRequest::RunChecks
        );
        assert!(parse("run_checks", &json!({"command": "rm -rf /"}))
            .unwrap_err()
            .contains("unknown field"));
        assert!(parse("read_file", &json!("{broken"))
            .unwrap_err()
            .contains("not a JSON object"));
        assert!(parse("replace", &json!({"path": "a"}))
            .unwrap_err()
            .contains("missing field `search`"));
    }
}
