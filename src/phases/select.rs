//! am-select: chooses the one task of the run from context.json, with the model or, offline, by
//! the documented rules; writes task.json.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifacts::{
    self, Context, FollowUp, FollowUpFile, Selection, ShapingLearning, SkippedTask, TaskFile,
    TaskKind, TaskSpec, Usage,
};
use crate::contract::{InputError, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::implement::backoff;
use crate::implement::learned_selection;
use crate::implement::offline_selection;
use crate::implement::selection::{self, Rules};
use crate::llm::phase::{client_for_run, emit_usage};
use crate::repo_config::RepoConfig;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectInput {
    pub run_id: String,
    /// The run's working directory.
    pub run_dir: PathBuf,
    /// context.json to read; `<run_dir>/context.json` by default.
    #[serde(default)]
    pub context: Option<PathBuf>,
    /// The clone; `<run_dir>/repo` by default.
    #[serde(default)]
    pub repo: Option<PathBuf>,
    /// follow-up.json (am-setup's: a PR of this project whose feedback this run answers);
    /// `<run_dir>/follow-up.json` by default, and optional.
    #[serde(default)]
    pub follow_up: Option<PathBuf>,
    /// Where to write task.json; `<run_dir>/task.json` by default.
    #[serde(default)]
    pub output: Option<PathBuf>,
    /// The model (`offline`, `anthropic:<model>`, `openai:<model>[@<base-url>]`); `AM_LLM` by default.
    #[serde(default)]
    pub llm: Option<String>,
    #[serde(default)]
    pub constraints: Constraints,
}

/// Limits on the task chosen, on top of `.automaintainer.yml`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Constraints {
    /// Task kinds that may be chosen; every kind when empty.
    pub allowed_kinds: Vec<TaskKind>,
    /// Most target files a task may name.
    pub max_target_files: u32,
}

impl Default for Constraints {
    fn default() -> Self {
        Self {
            allowed_kinds: Vec::new(),
            max_target_files: 5,
        }
    }
}

impl Validate for SelectInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        if self.constraints.max_target_files == 0 {
            return Err(InputError::field(
                "constraints.max_target_files",
                "at least 1",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SelectOutput {
    /// `selected` or `nothing`.
    pub status: String,
    pub task_path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<TaskKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<u64>,
    /// Why nothing was chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether the task answers the feedback on one of the project's own pull requests (its
    /// round is posted and recorded even when it commits nothing).
    pub follow_up: bool,
    /// Tasks passed over because they failed before and are backing off, one line each: the
    /// task, how often and why it failed, and when it may be tried again.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    pub llm_tokens: u64,
}

#[derive(Debug)]
pub struct Select;

impl Task for Select {
    const NAME: &'static str = "am-select";
    const ABOUT: &'static str =
        "Choose the one task of the run from context.json; writes task.json";
    type Input = SelectInput;
    type Output = SelectOutput;

    async fn run(input: SelectInput, env: &TaskEnv) -> Result<SelectOutput, Error> {
        let output = super::run_dir::output(
            &input.run_dir,
            "output",
            input.output.as_ref(),
            crate::artifacts::TASK,
        )?;
        super::progress::note_phase(env, &input.run_id, "select").await;
        let context_path = crate::artifacts::locate(
            input.context.as_ref(),
            &input.run_dir,
            crate::artifacts::CONTEXT,
        );
        let repo = crate::artifacts::locate(
            input.repo.as_ref(),
            &input.run_dir,
            crate::artifacts::CLONE_DIR,
        );

        let config = RepoConfig::load(&repo)?;
        let rules = rules(&input.constraints, &config)?;
        let client = client_for_run(input.llm.as_deref(), &env.secrets, &input.run_dir)?;
        // The project's own PR waiting for an answer comes before new work (and needs no
        // context: its task is the feedback).
        if let Some(f) = follow_up(&input)? {
            let task = crate::followup::task::task(&f, &repo, rules.max_target_files);
            tracing::info!(
                "{}: round {} of at most {}",
                task.title,
                f.round,
                f.max_rounds
            );
            let file = TaskFile {
                selection: Selection::Selected { task: task.clone() },
                learnings_used: Vec::new(),
                shaped_by: Vec::new(),
                usage: Usage {
                    model: client.label(),
                    ..Usage::default()
                },
                // A follow-up is bounded by its rounds, not by the failure backoff.
                fingerprint: None,
                skipped: Vec::new(),
            };
            artifacts::write(&output, &file, &env.secrets.redactor())?;
            return Ok(SelectOutput {
                status: "selected".to_owned(),
                task_path: output,
                kind: Some(task.kind),
                title: Some(task.title),
                issue: None,
                reason: None,
                follow_up: true,
                skipped: Vec::new(),
                llm_tokens: 0,
            });
        }
        let context: Context = artifacts::read(&context_path)?;

        let now = crate::store::clock::now();
        let fingerprint_of =
            |task: &TaskSpec| backoff::fingerprint(task, &repo, &context.head_commit);
        let (selection, usage, learnings_used, fingerprint, skipped) = if client.is_offline() {
            let avoided = backoff::choose_avoiding(&context, now, fingerprint_of, |narrowed| {
                learned_selection::choose(narrowed, &rules, |tool| {
                    offline_selection::runnable(narrowed, tool)
                })
            });
            (
                avoided.guided.selection,
                Usage {
                    model: client.label(),
                    ..Usage::default()
                },
                avoided.guided.shaped_by,
                avoided.fingerprint,
                avoided.skipped,
            )
        } else {
            let mut learnings: Vec<i64> = selection::learnings_in_prompt(&context)
                .iter()
                .map(|l| l.id)
                .collect();
            let chosen =
                selection::choose(&client, &context, &repo, &rules, &fingerprint_of).await?;
            for id in chosen.refused_by {
                if !learnings.contains(&id) {
                    learnings.push(id);
                }
            }
            (
                chosen.selection,
                chosen.usage,
                learnings,
                chosen.fingerprint,
                chosen.skipped,
            )
        };
        for task in &skipped {
            tracing::info!("skipped: {}", task.describe());
        }
        let shaped_by: Vec<ShapingLearning> = context
            .learnings
            .iter()
            .filter(|l| learnings_used.contains(&l.id))
            .map(ShapingLearning::from)
            .collect();
        for learning in &shaped_by {
            tracing::info!(
                id = learning.id,
                "the choice was shaped by: {}",
                learning.content
            );
        }
        emit_usage(env, "select", &usage);
        let file = TaskFile {
            selection: selection.clone(),
            learnings_used,
            shaped_by,
            usage: usage.clone(),
            fingerprint,
            skipped: skipped.clone(),
        };
        artifacts::write(&output, &file, &env.secrets.redactor())?;
        Ok(match selection {
            Selection::Selected { task } => {
                tracing::info!(kind = task.kind.as_str(), title = %task.title, "task selected");
                SelectOutput {
                    status: "selected".to_owned(),
                    task_path: output,
                    kind: Some(task.kind),
                    title: Some(task.title),
                    issue: task.issue,
                    reason: None,
                    follow_up: false,
                    skipped: skipped.iter().map(SkippedTask::describe).collect(),
                    llm_tokens: usage.input_tokens + usage.output_tokens,
                }
            }
            Selection::Nothing { reason } => {
                tracing::info!("nothing worth doing: {reason}");
                SelectOutput {
                    status: "nothing".to_owned(),
                    task_path: output,
                    kind: None,
                    title: None,
                    issue: None,
                    reason: Some(reason),
                    follow_up: false,
                    skipped: skipped.iter().map(SkippedTask::describe).collect(),
                    llm_tokens: usage.input_tokens + usage.output_tokens,
                }
            }
        })
    }
}

/// The PR am-setup found waiting for a follow-up, if any.
fn follow_up(input: &SelectInput) -> Result<Option<FollowUp>, Error> {
    let path = crate::artifacts::locate(
        input.follow_up.as_ref(),
        &input.run_dir,
        crate::artifacts::FOLLOW_UP,
    );
    if input.follow_up.is_none() && !path.is_file() {
        return Ok(None);
    }
    let file: FollowUpFile = artifacts::read(&path)?;
    Ok(file.follow_up)
}

/// The input's constraints narrowed by the repository's `task_kinds`.
fn rules(constraints: &Constraints, config: &RepoConfig) -> Result<Rules, Error> {
    let mut allowed = constraints.allowed_kinds.clone();
    if !config.task_kinds.is_empty() {
        let configured: Vec<TaskKind> = config
            .task_kinds
            .iter()
            .map(|k| {
                serde_json::from_value::<TaskKind>(serde_json::Value::String(k.clone())).map_err(
                    |_| {
                        InputError(format!(
                            ".automaintainer.yml: field `task_kinds`: unknown kind `{k}`"
                        ))
                    },
                )
            })
            .collect::<Result<_, _>>()?;
        allowed = if allowed.is_empty() {
            configured
        } else {
            allowed
                .into_iter()
                .filter(|k| configured.contains(k))
                .collect()
        };
        if allowed.is_empty() {
            return Err(InputError::field(
                "constraints.allowed_kinds",
                "kinds that .automaintainer.yml's `task_kinds` also allows",
            )
            .into());
        }
    }
    Ok(Rules {
        allowed_kinds: allowed,
        max_target_files: (constraints.max_target_files as usize)
            .min(config.limits.max_files_changed as usize),
        max_lines: config.limits.max_lines_changed as usize,
    })
}
