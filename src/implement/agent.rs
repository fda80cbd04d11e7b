//! Carrying out a task with a model: ask for edits, apply them under the path rules, verify
//! (guardrails, checks), and on any problem go back to the model with what went wrong (the
//! closest text for a search block that did not match, a check's output), up to the attempt
//! limit. A change that never passes is thrown away: the branch goes back to the base.

use serde_json::{json, Value};

use super::edits::{self, EditPlan};
use super::outcome::{commit_message, Outcome};
use super::workspace::{Verdict, Workspace};
use crate::artifacts::{EligibleIssue, ImplementationStatus, Learning, TaskSpec, Usage};
use crate::error::Error;
use crate::llm::{prompts, LlmClient};

/// Characters of one target file shown to the model.
const MAX_FILE_CHARS: usize = 60_000;

/// What the model is told about the task besides the files.
#[derive(Debug, Clone, Copy)]
pub struct Brief<'a> {
    pub task: &'a TaskSpec,
    pub issue: Option<&'a EligibleIssue>,
    pub learnings: &'a [Learning],
    /// A follow-up round's review findings and failing checks (untrusted), as its brief.
    pub follow_up: Option<&'a str>,
}

pub async fn implement(
    ws: &Workspace,
    client: &LlmClient,
    brief: Brief<'_>,
) -> Result<Outcome, Error> {
    let max_attempts = ws.config.limits.max_attempts.max(1);
    let baseline = super::baseline::establish(ws).await?;
    // A follow-up starts from a head whose checks may fail: making them pass is its task.
    if brief.follow_up.is_none() {
        if let Some(reason) = baseline.failure(&ws.base.branch, &ws.base.commit) {
            return Ok(Outcome::nothing(reason));
        }
    }
    let passing_on_base = baseline.checks(&ws.checks);
    let mut checks = Vec::new();
    let mut usage = Usage {
        model: client.label(),
        ..Usage::default()
    };
    let mut feedback: Option<String> = None;
    for attempt in 1..=max_attempts {
        let prompt = prompts::render(
            "implementation",
            &prompt_context(ws, brief, attempt, feedback.as_deref()),
        )?;
        let plan: EditPlan = match client.structured::<EditPlan>(&prompt).await {
            Ok((plan, call)) => {
                usage.add(&call);
                plan
            }
            Err(e) => {
                ws.reset()?;
                return Err(e.into());
            }
        };
        tracing::info!(
            attempt,
            edits = plan.edits.len(),
            "applying the model's edits"
        );
        let paths = match edits::apply(&ws.policy, &plan.edits, ws.config.limits.max_file_bytes) {
            Ok(paths) => paths,
            Err(problems) => {
                let text: Vec<String> = problems.iter().map(|p| format!("- {p}")).collect();
                feedback = Some(format!(
                    "None of your edits were applied, because:\n{}",
                    text.join("\n")
                ));
                tracing::warn!(attempt, "edits refused: {}", text.join("; "));
                ws.reset()?;
                continue;
            }
        };
        match ws
            .verify_with(&paths, attempt, &mut checks, &passing_on_base)
            .await?
        {
            Verdict::Accepted(summary) => {
                let message = commit_message(&plan.commit_title, &plan.commit_body, brief.task);
                let commit = ws.commit(&paths, &message)?;
                return Ok(Outcome {
                    status: ImplementationStatus::Committed,
                    commit: Some(commit),
                    summary,
                    checks,
                    attempts: attempt,
                    usage,
                    failure: None,
                    notes: Vec::new(),
                });
            }
            Verdict::Rejected(reason) => {
                tracing::warn!(
                    attempt,
                    "attempt rejected: {}",
                    reason.lines().next().unwrap_or_default()
                );
                feedback = Some(reason);
                ws.reset()?;
            }
        }
    }
    ws.reset()?;
    Ok(Outcome {
        status: ImplementationStatus::Failed,
        commit: None,
        summary: Default::default(),
        checks,
        attempts: max_attempts,
        usage,
        failure: Some(format!(
            "no attempt passed after {max_attempts}; the last problem: {}",
            feedback.unwrap_or_default()
        )),
        notes: Vec::new(),
    })
}

fn prompt_context(ws: &Workspace, brief: Brief<'_>, attempt: u32, feedback: Option<&str>) -> Value {
    let files: Vec<Value> = brief
        .task
        .target_files
        .iter()
        .map(|path| {
            match ws
                .policy
                .check(path)
                .ok()
                .and_then(|p| std::fs::read_to_string(p).ok())
            {
                Some(content) => {
                    let shown: String = content.chars().take(MAX_FILE_CHARS).collect();
                    json!({"path": path, "exists": true, "content": shown})
                }
                None => json!({"path": path, "exists": false}),
            }
        })
        .collect();
    json!({
        "task": brief.task,
        "issue": brief.issue,
        "pr_feedback": brief.follow_up,
        "files": files,
        "learnings": crate::llm::prompts::learnings_for_prompt(brief.learnings),
        "checks": ws.checks,
        "max_files": ws.config.limits.max_files_changed,
        "max_lines": ws.config.limits.max_lines_changed,
        "attempt": attempt,
        "feedback": feedback,
    })
}
