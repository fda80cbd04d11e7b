//! Rendering the Pebble expressions the flows use, for running a flow outside Kestra and for
//! checking it. The subset is small (`{{ a.b.c }}`, `==`, `and`, `{% if %}`, the `toJson` filter,
//! `secret()` and `errorLogs()`) and Jinja-compatible, so minijinja renders it; `references`
//! finds the `outputs.<task>.vars.<key>` a template reads.

use std::sync::OnceLock;

use minijinja::value::Value;
use minijinja::{Environment, Error as TemplateError, ErrorKind, State, UndefinedBehavior};
use regex::Regex;

use crate::error::Error;

/// How a value that is not there renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// An error, as in Kestra: running a flow.
    Strict,
    /// `null`: checking a flow's templates without the values of a real run.
    Lenient,
}

/// Reads a secret by name for `secret('X')`.
pub type SecretLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Renders templates against a context of `inputs`, `outputs`, `execution`, `workingDir`, ...
pub struct Renderer {
    env: Environment<'static>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

/// The context variable that holds what `errorLogs()` returns.
const ERROR_LOGS: &str = "_error_logs";

impl Renderer {
    /// `secrets` answers `secret('X')`; a secret it does not know renders empty, which the
    /// binaries read as unset.
    pub fn new(strictness: Strictness, secrets: SecretLookup) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(match strictness {
            Strictness::Strict => UndefinedBehavior::Strict,
            Strictness::Lenient => UndefinedBehavior::Chainable,
        });
        env.set_formatter(pebble_formatter);
        env.add_filter("toJson", to_json);
        env.add_function("secret", move |name: String| -> Value {
            Value::from(secrets(&name).unwrap_or_default())
        });
        env.add_function("errorLogs", |state: &State| -> Value {
            state
                .lookup(ERROR_LOGS)
                .unwrap_or_else(|| Value::from(Vec::<Value>::new()))
        });
        Self { env }
    }

    /// A renderer whose `secret('X')` reads the environment variable `X`, as `automaintainer
    /// run` gives the phases the same secrets it was given.
    pub fn with_process_secrets(strictness: Strictness) -> Self {
        Self::new(strictness, Box::new(|name| std::env::var(name).ok()))
    }

    /// Renders `template` against `context` (a JSON object).
    pub fn render(&self, template: &str, context: &serde_json::Value) -> Result<String, Error> {
        let context = Value::from_serialize(context);
        self.env
            .render_str(template, context)
            .map_err(|e| Error::step(format!("render `{}`", first_line(template)), describe(&e)))
    }

    /// Renders a `runIf` condition and reads it as Kestra does: "false", "0", "-0" and "" are
    /// false, anything else true.
    pub fn condition(&self, template: &str, context: &serde_json::Value) -> Result<bool, Error> {
        let text = self.render(template, context)?;
        Ok(!matches!(text.trim(), "false" | "0" | "-0" | ""))
    }
}

/// Adds what `errorLogs()` returns to a context: the failed task and its message.
pub fn with_error_logs(
    context: &serde_json::Value,
    task_id: &str,
    message: &str,
) -> serde_json::Value {
    let mut context = context.clone();
    if let Some(map) = context.as_object_mut() {
        map.insert(
            ERROR_LOGS.to_owned(),
            serde_json::json!([{ "taskId": task_id, "message": message, "level": "ERROR" }]),
        );
    }
    context
}

/// One `outputs.<task>.vars.<key>` a template reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutputRef {
    pub task: String,
    pub key: String,
}

/// Every `outputs.<task>.vars.<key>` in `template`, in order of appearance.
pub fn references(template: &str) -> Vec<OutputRef> {
    static PATTERN: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(pattern) = PATTERN.get_or_init(|| {
        Regex::new(r"outputs\.([A-Za-z0-9][A-Za-z0-9_-]*)\.vars\.([A-Za-z0-9_]+)").ok()
    }) else {
        return Vec::new();
    };
    pattern
        .captures_iter(template)
        .map(|c| OutputRef {
            task: c[1].to_owned(),
            key: c[2].to_owned(),
        })
        .collect()
}

/// Prints values as Pebble does: `true`/`false` in lower case, null as nothing.
fn pebble_formatter(
    out: &mut minijinja::Output<'_>,
    state: &State<'_, '_>,
    value: &Value,
) -> Result<(), TemplateError> {
    if value.kind() == minijinja::value::ValueKind::Bool {
        return out
            .write_str(if value.is_true() { "true" } else { "false" })
            .map_err(|e| {
                TemplateError::new(ErrorKind::WriteFailure, "cannot write").with_source(e)
            });
    }
    if value.is_none() {
        return Ok(());
    }
    minijinja::escape_formatter(out, state, value)
}

fn to_json(value: Value) -> Result<String, TemplateError> {
    if value.is_undefined() {
        return Ok("null".to_owned());
    }
    serde_json::to_string(&value).map_err(|e| {
        TemplateError::new(ErrorKind::InvalidOperation, "cannot write value as JSON").with_source(e)
    })
}

fn describe(error: &TemplateError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

fn first_line(template: &str) -> &str {
    template.trim().lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strict() -> Renderer {
        Renderer::new(
            Strictness::Strict,
            Box::new(|name| (name == "GITHUB_TOKEN").then(|| "tok".to_owned())),
        )
    }

    fn context() -> serde_json::Value {
        json!({
            "inputs": {"repository": "/tmp/r \"quoted\"", "dry_run": false, "base_branch": ""},
            "outputs": {"select": {"vars": {"status": "selected", "task_path": "/w/task.json"}}},
            "execution": {"id": "exec1"},
            "workingDir": "/w"
        })
    }

    #[test]
    fn renders_values_as_json_and_kestras_conditions() {
        let r = strict();
        let ctx = context();
        let text = r
            .render(
                r#"{"repository": {{ inputs.repository | toJson }}, "dry_run": {{ inputs.dry_run | toJson }}, "task": {{ outputs.select.vars.task_path | toJson }}}"#,
                &ctx,
            )
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["repository"], "/tmp/r \"quoted\"");
        assert_eq!(value["dry_run"], false);
        assert_eq!(value["task"], "/w/task.json");
        assert!(r
            .condition("{{ outputs.select.vars.status == 'selected' }}", &ctx)
            .unwrap());
        assert!(!r
            .condition("{{ outputs.select.vars.status == 'nothing' }}", &ctx)
            .unwrap());
        // `and` stops at a false left side, so a skipped task's outputs are never read.
        assert!(!r
            .condition(
                "{{ outputs.select.vars.status == 'nothing' and outputs.implement.vars.status == 'committed' }}",
                &ctx
            )
            .unwrap());
    }

    #[test]
    fn optional_fields_secrets_and_error_logs() {
        let r = strict();
        let ctx = with_error_logs(&context(), "implement", "checks failed");
        let text = r
            .render(
                "{ {% if inputs.base_branch != '' %}\"base_branch\": 1, {% endif %}\"t\": {{ secret('GITHUB_TOKEN') | toJson }}, \"u\": {{ secret('NOPE') | toJson }}, \"p\": {{ errorLogs()[0]['taskId'] | toJson }} }",
                &ctx,
            )
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value, json!({"t": "tok", "u": "", "p": "implement"}));
    }

    #[test]
    fn a_missing_value_fails_strictly_and_is_null_leniently() {
        let template = "{{ outputs.review.vars.review_path | toJson }}";
        let e = strict()
            .render(template, &context())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("render `{{ outputs.review.vars.review_path"),
            "{e}"
        );
        let lenient = Renderer::new(Strictness::Lenient, Box::new(|_| None));
        assert_eq!(lenient.render(template, &context()).unwrap(), "null");
    }

    #[test]
    fn finds_output_references() {
        assert_eq!(
            references("{{ outputs.open_pr.vars.pr_path }} and {{ outputs.a-b.vars.x_1 == 2 }}"),
            vec![
                OutputRef {
                    task: "open_pr".into(),
                    key: "pr_path".into()
                },
                OutputRef {
                    task: "a-b".into(),
                    key: "x_1".into()
                },
            ]
        );
    }
}
