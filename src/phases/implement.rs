//! am-implement: carries out task.json on a work branch of the clone (with the model, or offline
//! with deterministic fixers), verifies it with the repository's checks, commits it or throws it
//! away; writes implementation.json.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifacts::{
    self, Context, FollowUpFile, Implementation, ImplementationStatus, TaskFile, TaskKind,
};
use crate::contract::{InputError, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::implement::agent::{self, Brief};
use crate::implement::avoidance::Avoidance;
use crate::implement::checks;
use crate::implement::explore::caps::Caps;
use crate::implement::explore::transcript::{self, Transcript};
use crate::implement::offline;
use crate::implement::outcome::Outcome;
use crate::implement::paths::PathPolicy;
use crate::implement::workspace::Workspace;
use crate::llm::phase::{client_for_run, emit_usage};
use crate::repo::branch::{self, Base};
use crate::repo::commit::Author;
use crate::repo_config::RepoConfig;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImplementInput {
    pub run_id: String,
    /// The run's working directory.
    pub run_dir: PathBuf,
    /// task.json to read; `<run_dir>/task.json` by default.
    #[serde(default)]
    pub task: Option<PathBuf>,
    /// context.json (issues, learnings, detected checks); `<run_dir>/context.json` by default, and
    /// optional.
    #[serde(default)]
    pub context: Option<PathBuf>,
    /// The clone; `<run_dir>/repo` by default.
    #[serde(default)]
    pub repo: Option<PathBuf>,
    /// follow-up.json (the PR a follow-up task answers); `<run_dir>/follow-up.json` by default.
    #[serde(default)]
    pub follow_up: Option<PathBuf>,
    /// Where to write implementation.json; `<run_dir>/implementation.json` by default.
    #[serde(default)]
    pub output: Option<PathBuf>,
    /// The branch the work branch starts from; the clone's checked-out branch by default.
    #[serde(default)]
    pub base_branch: Option<String>,
    /// The model (`offline`, `anthropic:<model>`, `openai:<model>[@<base-url>]`); `AM_LLM` by default.
    #[serde(default)]
    pub llm: Option<String>,
    /// Attempts before giving up; `.automaintainer.yml`'s `limits.max_attempts` by default.
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// Seconds each check may run; `.automaintainer.yml`'s `check_timeout_secs` by default.
    #[serde(default)]
    pub check_timeout_secs: Option<u64>,
    /// Commit author; `AM_GIT_AUTHOR_NAME` or "AutoMaintainer" by default.
    #[serde(default)]
    pub author_name: Option<String>,
    /// Commit author's email; `AM_GIT_AUTHOR_EMAIL` or a noreply address by default.
    #[serde(default)]
    pub author_email: Option<String>,
    /// Whether the repository's code runs in the bubblewrap sandbox: `required`, `auto` or
    /// `off`; `.automaintainer.yml`'s when absent (which can only make it stricter), else `auto`.
    #[serde(default)]
    pub sandbox: Option<crate::runner::SandboxMode>,
}

impl Validate for ImplementInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        if self.max_attempts == Some(0) {
            return Err(InputError::field("max_attempts", "at least 1"));
        }
        if self.check_timeout_secs == Some(0) {
            return Err(InputError::field(
                "check_timeout_secs",
                "a number of seconds above 0",
            ));
        }
        if let Some(email) = &self.author_email {
            if !email.contains('@') {
                return Err(InputError::field("author_email", "an email address"));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ImplementOutput {
    /// `committed`, `nothing` or `failed`.
    pub status: ImplementationStatus,
    pub implementation_path: PathBuf,
    /// The model's conversation (`transcript.jsonl`, redacted), when one took place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript_path: Option<PathBuf>,
    pub branch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub attempts: u32,
    pub files_changed: usize,
    pub lines_added: u64,
    pub lines_removed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug)]
pub struct Implement;

impl Task for Implement {
    const NAME: &'static str = "am-implement";
    const ABOUT: &'static str =
        "Carry out task.json on a work branch, verified by the checks; writes implementation.json";
    type Input = ImplementInput;
    type Output = ImplementOutput;

    async fn run(input: ImplementInput, env: &TaskEnv) -> Result<ImplementOutput, Error> {
        // The clone is changed (branches, resets, untracked files removed): only one inside a
        // run directory am-setup made.
        super::run_dir::require(&input.run_dir)?;
        let root = super::run_dir::output(
            &input.run_dir,
            "repo",
            input.repo.as_ref(),
            crate::artifacts::CLONE_DIR,
        )?;
        let output = super::run_dir::output(
            &input.run_dir,
            "output",
            input.output.as_ref(),
            crate::artifacts::IMPLEMENTATION,
        )?;
        super::progress::note_phase(env, &input.run_id, "implement").await;
        let task_path =
            crate::artifacts::locate(input.task.as_ref(), &input.run_dir, crate::artifacts::TASK);
        let context_path = crate::artifacts::locate(
            input.context.as_ref(),
            &input.run_dir,
            crate::artifacts::CONTEXT,
        );
        let task_file: TaskFile = artifacts::read(&task_path)?;
        let context: Option<Context> = if input.context.is_some() || context_path.is_file() {
            Some(artifacts::read(&context_path)?)
        } else {
            None
        };
        // A `.git` file or link would lead the resets and branch moves to a repository elsewhere.
        if !std::fs::symlink_metadata(root.join(".git")).is_ok_and(|m| m.is_dir()) {
            return Err(InputError::field(
                "repo",
                format!("a git clone, and {} is none", root.display()),
            )
            .into());
        }
        let base = branch::resolve_base(&root, input.base_branch.as_deref())?;
        let client = client_for_run(input.llm.as_deref(), &env.secrets, &input.run_dir)?;
        let caps = Caps::from_env().map_err(|e| match e {
            crate::llm::LlmError::Spec { spec, reason } => InputError(format!("{spec}: {reason}")),
            other => InputError(other.to_string()),
        })?;

        let Some(task) = task_file.selection.task().cloned() else {
            let implementation = record(
                &Outcome::nothing("task.json says there is nothing worth doing"),
                None,
                "",
                &base,
            );
            return finish(&output, implementation, None, env);
        };

        let follow_up = if task.kind == TaskKind::FollowUp {
            let path = crate::artifacts::locate(
                input.follow_up.as_ref(),
                &input.run_dir,
                crate::artifacts::FOLLOW_UP,
            );
            let file: FollowUpFile = artifacts::read(&path)?;
            Some(file.follow_up.ok_or_else(|| {
                InputError(format!(
                    "{}: a follow-up task needs the pull request it follows up on",
                    path.display()
                ))
            })?)
        } else {
            None
        };
        // A follow-up works on the PR's own branch, on top of its head.
        let (base, work_branch) = match &follow_up {
            Some(f) => (
                Base {
                    branch: f.base_branch.clone(),
                    commit: f.head_commit.clone(),
                },
                f.branch.clone(),
            ),
            None => (base, branch::name_for(&task)),
        };
        let ws = open_workspace(&input, env, root, &base, &work_branch, context.as_ref())?;
        // Told to stop mid-way, the phase leaves the clone on the base, not half-changed.
        let _stop = super::stop_guard::StopGuard::reset_on_stop(ws.root.clone(), base.clone());
        let mode = crate::runner::configure(&input.run_dir, &ws.root, input.sandbox)
            .map_err(|e| Error::step("run the repository's code", e.to_string()))?;
        tracing::debug!(sandbox = mode.as_str(), "preparing the dependencies");
        let (at, timeout) = (ws.root.clone(), ws.check_timeout);
        let _ = tokio::task::spawn_blocking(move || {
            let tools = crate::lint::pinned::requirements(&at);
            crate::runner::prepare(&at, timeout, &tools)
        })
        .await;
        tracing::info!(branch = %work_branch, base = %base.branch, checks = ?ws.checks, "carrying out the task");

        let mut transcript_path = None;
        let path = input.run_dir.join(transcript::FILE_NAME);
        let transcript = if caps.enabled && !client.is_offline() {
            transcript_path = Some(path.clone());
            Transcript::create(&path, env.secrets.redactor())
        } else {
            Transcript::discard()
        };
        let feedback = follow_up.as_ref().map(crate::followup::brief::render);
        let mut report = None;
        let carried_out = if let Some(f) = &follow_up {
            let learnings = context
                .as_ref()
                .map(|c| c.learnings.as_slice())
                .unwrap_or_default();
            let brief = Brief {
                task: &task,
                issue: None,
                learnings,
                repo_map: context.as_ref().map(|c| c.repo_map.text.as_str()),
                findings: context
                    .as_ref()
                    .map(|c| c.findings.as_slice())
                    .unwrap_or_default(),
                follow_up: feedback.as_deref(),
            };
            crate::implement::follow_up::implement(&ws, &client, f, brief, (caps, &transcript))
                .await
                .map(|(outcome, round)| {
                    report = Some(round);
                    outcome
                })
        } else if client.is_offline() {
            let learnings = context.as_ref().map(|c| c.learnings.as_slice());
            let avoidance = Avoidance::of(learnings.unwrap_or_default(), &task_file.shaped_by);
            offline::implement(&ws, &task, &avoidance).await
        } else {
            let issue = task.issue.and_then(|n| {
                context
                    .as_ref()
                    .and_then(|c| c.issues.iter().find(|i| i.number == n))
            });
            let learnings = context
                .as_ref()
                .map(|c| c.learnings.as_slice())
                .unwrap_or_default();
            let brief = Brief {
                task: &task,
                issue,
                learnings,
                repo_map: context.as_ref().map(|c| c.repo_map.text.as_str()),
                findings: context
                    .as_ref()
                    .map(|c| c.findings.as_slice())
                    .unwrap_or_default(),
                follow_up: None,
            };
            agent::implement(&ws, &client, brief, caps, &transcript).await
        };
        // Whatever went wrong, the clone goes back to the base: a retried phase starts clean.
        let outcome = carried_out.inspect_err(|_| {
            if let Err(e) = ws.reset() {
                tracing::warn!("could not reset the clone after the failure: {e}");
            }
        })?;
        emit_usage(env, "implement", &outcome.usage);
        let failed = outcome.status == ImplementationStatus::Failed;
        let mut implementation = record(&outcome, Some(task), &work_branch, &base);
        implementation.follow_up = report;
        let result = finish(&output, implementation, transcript_path, env)?;
        if failed {
            let reason = result.reason.as_deref().unwrap_or_default();
            return Err(Error::step(
                "implement the task",
                format!(
                    "{}; the branch was reset to {} and nothing was committed (the last output is in {})",
                    reason.lines().next().unwrap_or_default().trim_end_matches(':'),
                    base.branch,
                    output.display()
                ),
            ));
        }
        Ok(result)
    }
}

/// The work branch started from the base, and the rules, limits and checks it is held to: the
/// repository's `.automaintainer.yml`, overridden by the input; checks from the config, else from
/// context.json, else detected from the build files.
fn open_workspace(
    input: &ImplementInput,
    env: &TaskEnv,
    root: PathBuf,
    base: &Base,
    work_branch: &str,
    context: Option<&Context>,
) -> Result<Workspace, Error> {
    let mut config = RepoConfig::load(&root)?;
    if let Some(max) = input.max_attempts {
        config.limits.max_attempts = max;
    }
    if let Some(secs) = input.check_timeout_secs {
        config.check_timeout_secs = secs;
    }
    let configured = if config.checks.is_empty() {
        context
            .map(|c| c.check_commands.clone())
            .unwrap_or_default()
    } else {
        config.checks.clone()
    };
    let previous_tip = branch::start(&root, work_branch, base)?;
    Ok(Workspace {
        checks: checks::commands_for(&root, &configured),
        policy: PathPolicy::new(&root, &config)
            .map_err(|e| Error::io(format!("resolve {}", root.display()), e))?,
        check_timeout: crate::contract::clamped_secs(config.check_timeout_secs),
        redactor: env.secrets.redactor(),
        author: Author::resolve(input.author_name.as_deref(), input.author_email.as_deref()),
        root,
        base: base.clone(),
        branch: work_branch.to_owned(),
        config,
        previous_tip,
    })
}

fn record(
    outcome: &Outcome,
    task: Option<crate::artifacts::TaskSpec>,
    branch: &str,
    base: &Base,
) -> Implementation {
    Implementation {
        status: outcome.status,
        task,
        branch: branch.to_owned(),
        base_branch: base.branch.clone(),
        commit: outcome.commit.clone(),
        base_commit: base.commit.clone(),
        files: outcome.summary.files.clone(),
        lines_added: outcome.summary.lines_added,
        lines_removed: outcome.summary.lines_removed,
        checks: outcome.checks.clone(),
        attempts: outcome.attempts,
        usage: outcome.usage.clone(),
        failure: outcome.failure.clone(),
        notes: outcome.notes.clone(),
        follow_up: None,
    }
}

fn finish(
    path: &std::path::Path,
    implementation: Implementation,
    transcript_path: Option<PathBuf>,
    env: &TaskEnv,
) -> Result<ImplementOutput, Error> {
    artifacts::write(path, &implementation, &env.secrets.redactor())?;
    Ok(ImplementOutput {
        status: implementation.status,
        implementation_path: path.to_path_buf(),
        transcript_path,
        branch: implementation.branch,
        commit: implementation.commit,
        attempts: implementation.attempts,
        files_changed: implementation.files.len(),
        lines_added: implementation.lines_added,
        lines_removed: implementation.lines_removed,
        reason: implementation.failure,
    })
}
