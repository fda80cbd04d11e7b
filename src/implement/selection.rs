//! Choosing the task with a model: the context goes into the selection prompt (untrusted text
//! fenced as data), and the model's choice is checked against the context (the kind is allowed,
//! the files exist, the issue is one of the eligible ones). A choice that fails the check goes
//! back to the model once, with the reason; a second failure is an error. A choice that runs into
//! what a learning says to avoid (its kind, tool, rule or a target path) is refused the same way,
//! and refused twice, the offline selection — which honours the learnings — chooses instead.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{backoff, learned_refusal, learned_selection, offline_selection};
use crate::artifacts::{Context, Learning, Selection, SkippedTask, TaskKind, TaskSpec, Usage};
use crate::error::Error;
use crate::llm::{prompts, LlmClient};

/// Learnings put in the prompt, best first.
pub const MAX_LEARNINGS: usize = 10;
const MAX_FINDINGS: usize = 40;
const MAX_COMMITS: usize = 10;

/// What a choice must respect.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Empty: every kind.
    pub allowed_kinds: Vec<TaskKind>,
    pub max_target_files: usize,
    /// The changed-line cap a task must fit (the repository's `limits.max_lines_changed`).
    pub max_lines: usize,
}

impl Rules {
    pub fn allows(&self, kind: TaskKind) -> bool {
        self.allowed_kinds.is_empty() || self.allowed_kinds.contains(&kind)
    }
}

/// The model's reply: the choice, wrapped in an object (tool inputs must be objects).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SelectionReply {
    pub choice: Selection,
}

/// The learnings the prompt carries.
pub fn learnings_in_prompt(context: &Context) -> &[Learning] {
    &context.learnings[..context.learnings.len().min(MAX_LEARNINGS)]
}

/// What the model chose (or the offline fallback, after a refusal), with the tasks it proposed
/// that were backing off and the learnings that refused a choice or shaped the fallback.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    pub selection: Selection,
    pub usage: Usage,
    /// The chosen task's fingerprint.
    pub fingerprint: Option<String>,
    pub skipped: Vec<SkippedTask>,
    pub refused_by: Vec<i64>,
}

/// Asks the model for the task, at most twice. A choice that does not fit the context, that a
/// learning's avoid effect refuses, or that failed before and is backing off (`fingerprint_of`
/// fingerprints a task) goes back to the model once with the reason. The second time: a refused
/// choice gives way to the offline selection, which honours the learnings; a backing-off one
/// makes the run do nothing rather than fail the same way again.
pub async fn choose(
    client: &LlmClient,
    context: &Context,
    repo_root: &Path,
    rules: &Rules,
    fingerprint_of: &(dyn Fn(&TaskSpec) -> String + Sync),
) -> Result<Chosen, Error> {
    let mut usage = Usage {
        model: client.label(),
        ..Usage::default()
    };
    let mut feedback: Option<String> = None;
    let mut skipped: Vec<SkippedTask> = Vec::new();
    let mut refused_by = Vec::new();
    let now = crate::store::clock::now();
    for round in 0..2 {
        let prompt = prompts::render(
            "task-selection",
            &prompt_context(context, rules, feedback.as_deref()),
        )?;
        let (reply, call) = client.structured::<SelectionReply>(&prompt).await?;
        usage.add(&call);
        if let Err(reason) = check(&reply.choice, context, repo_root, rules) {
            if round == 0 {
                tracing::warn!("the model's choice was rejected, asking once more: {reason}");
                feedback = Some(reason);
                continue;
            }
            return Err(Error::step(
                "select a task",
                format!("the model's choice was rejected twice; the second time because {reason}"),
            ));
        }
        let Some(task) = reply.choice.task() else {
            return Ok(Chosen {
                selection: reply.choice,
                usage,
                fingerprint: None,
                skipped,
                refused_by,
            });
        };
        if let Some(refusal) = learned_refusal::refusal(task, &context.learnings) {
            tracing::warn!("the model's choice was refused: {}", refusal.reason);
            refused_by.push(refusal.learning);
            if round == 0 {
                feedback = Some(refusal.reason);
                continue;
            }
            tracing::info!("falling back to the offline selection, which honours the learnings");
            let guided = learned_selection::choose(context, rules, |tool| {
                offline_selection::runnable(context, tool)
            });
            refused_by.extend(guided.shaped_by);
            let fingerprint = guided.selection.task().map(fingerprint_of);
            return Ok(Chosen {
                selection: guided.selection,
                usage,
                fingerprint,
                skipped,
                refused_by,
            });
        }
        let fingerprint = fingerprint_of(task);
        let Some(backing) = backoff::backing_off(context, &fingerprint, now) else {
            return Ok(Chosen {
                selection: reply.choice.clone(),
                usage,
                fingerprint: Some(fingerprint),
                skipped,
                refused_by,
            });
        };
        let entry = backoff::skipped(task, backing);
        let reason = format!(
            "the task `{}` failed before and is backing off: {}",
            task.title,
            entry.describe()
        );
        skipped.push(entry);
        if round == 0 {
            tracing::warn!("the model chose a task that failed before, asking once more");
            feedback = Some(format!("{reason}. Choose a different task."));
            continue;
        }
        return Ok(Chosen {
            selection: Selection::Nothing {
                reason: format!(
                    "the model chose only tasks that failed before; {}",
                    backoff::passed_over(&skipped)
                ),
            },
            usage,
            fingerprint: None,
            skipped,
            refused_by,
        });
    }
    Err(Error::step("select a task", "no choice after two rounds"))
}

/// Why a choice does not fit the context, or Ok.
pub fn check(
    selection: &Selection,
    context: &Context,
    repo_root: &Path,
    rules: &Rules,
) -> Result<(), String> {
    let Some(task) = selection.task() else {
        return match selection {
            Selection::Nothing { reason } if reason.trim().is_empty() => {
                Err("\"nothing\" needs a reason".to_owned())
            }
            _ => Ok(()),
        };
    };
    if task.title.trim().is_empty() {
        return Err("the task has no title".to_owned());
    }
    if task.kind == TaskKind::FollowUp {
        return Err(
            "kind `follow_up` is not chosen: the run picks it itself for its own pull requests"
                .to_owned(),
        );
    }
    if !rules.allows(task.kind) {
        let allowed: Vec<&str> = rules.allowed_kinds.iter().map(|k| k.as_str()).collect();
        return Err(format!(
            "kind `{}` is not allowed; allowed: {}",
            task.kind.as_str(),
            allowed.join(", ")
        ));
    }
    if task.target_files.is_empty() {
        return Err("the task names no target files".to_owned());
    }
    if task.target_files.len() > rules.max_target_files {
        return Err(format!(
            "the task names {} target files; at most {} are allowed",
            task.target_files.len(),
            rules.max_target_files
        ));
    }
    let may_create = matches!(
        task.kind,
        TaskKind::Test | TaskKind::Docs | TaskKind::Feature
    );
    for file in &task.target_files {
        check_file(file, context, repo_root, may_create)?;
    }
    if let Some(number) = task.issue {
        if !context.issues.iter().any(|i| i.number == number) {
            let eligible: Vec<String> = context
                .issues
                .iter()
                .map(|i| format!("#{}", i.number))
                .collect();
            return Err(format!(
                "issue #{number} is not among the eligible issues ({})",
                if eligible.is_empty() {
                    "there are none".to_owned()
                } else {
                    eligible.join(", ")
                }
            ));
        }
    }
    Ok(())
}

/// A target file exists in the clone (or the ranked map); a new file is allowed for kinds that
/// add files, next to existing ones.
fn check_file(
    file: &str,
    context: &Context,
    repo_root: &Path,
    may_create: bool,
) -> Result<(), String> {
    let path = Path::new(file);
    let clean = !file.is_empty()
        && !path.is_absolute()
        && path.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
        && !path.components().any(|c| c.as_os_str() == ".git");
    if !clean {
        return Err(format!(
            "target file `{file}` is not a plain path inside the repository"
        ));
    }
    let exists = repo_root.join(path).is_file()
        || context.repo_map.ranked_files.iter().any(|f| f.path == file);
    if exists {
        return Ok(());
    }
    let parent_exists = path
        .parent()
        .is_none_or(|p| p.as_os_str().is_empty() || repo_root.join(p).is_dir());
    if may_create && parent_exists {
        return Ok(());
    }
    Err(format!(
        "target file `{file}` does not exist in the repository"
    ))
}

fn prompt_context(context: &Context, rules: &Rules, feedback: Option<&str>) -> Value {
    let kinds: Vec<&str> = rules.allowed_kinds.iter().map(|k| k.as_str()).collect();
    json!({
        "repository": context.repository,
        "summary": context.summary,
        "check_commands": context.check_commands,
        "repo_map": context.repo_map.text,
        "findings": &context.findings[..context.findings.len().min(MAX_FINDINGS)],
        "issues": context.issues,
        "recent_commits": &context.history.recent_commits[..context.history.recent_commits.len().min(MAX_COMMITS)],
        "learnings": prompts::learnings_for_prompt(learnings_in_prompt(context)),
        "failed_recently": context.backoffs.iter().map(|b| json!({
            "title": b.title,
            "failures": b.failures,
            "reason": b.reason,
            "retry_after": b.retry_after.format("%Y-%m-%d").to_string(),
        })).collect::<Vec<_>>(),
        "allowed_kinds": kinds,
        "max_target_files": rules.max_target_files,
        "feedback": feedback,
    })
}
