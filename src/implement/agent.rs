//! Carrying out a task with a model. First as a tool-using conversation (`explore`): the model
//! reads and searches the clone, edits, runs the checks and finishes. Where the server does not
//! support tools, or `AM_LLM_AGENT=single`, as one structured request: ask for edits, apply them
//! under the path rules, verify (guardrails, checks), and on any problem go back to the model
//! with what went wrong (the closest text for a search block that did not match, a check's
//! output), up to the attempt limit. A change that never passes is thrown away: the branch goes
//! back to the base.

use serde_json::{json, Value};

use super::edits::{self, EditPlan};
use super::explore::caps::Caps;
use super::explore::session::{self, LoopBrief, LoopEnd, Settings};
use super::explore::transcript::Transcript;
use super::outcome::{commit_message, Outcome};
use super::workspace::{Verdict, Workspace};
use crate::artifacts::{EligibleIssue, Finding, ImplementationStatus, Learning, TaskSpec, Usage};
use crate::error::Error;
use crate::llm::{prompts, LlmClient};

/// Findings listed in the conversation's first message.
const MAX_LISTED_FINDINGS: usize = 40;

/// Characters of one target file shown to the model.
const MAX_FILE_CHARS: usize = 60_000;

/// What the model is told about the task besides the files.
#[derive(Debug, Clone, Copy)]
pub struct Brief<'a> {
    pub task: &'a TaskSpec,
    pub issue: Option<&'a EligibleIssue>,
    pub learnings: &'a [Learning],
    /// The repository map (context.json's), for the conversation's `repo_map` tool.
    pub repo_map: Option<&'a str>,
    /// The context's findings; those on the task's files are offered in the conversation.
    pub findings: &'a [Finding],
    /// A follow-up round's review findings and failing checks (untrusted), as its brief.
    pub follow_up: Option<&'a str>,
}

pub async fn implement(
    ws: &Workspace,
    client: &LlmClient,
    brief: Brief<'_>,
    caps: Caps,
    transcript: &Transcript,
) -> Result<Outcome, Error> {
    let baseline = super::baseline::establish(ws).await?;
    // A follow-up starts from a head whose checks may fail: making them pass is its task.
    if brief.follow_up.is_none() {
        if let Some(reason) = baseline.failure(&ws.base.branch, &ws.base.commit) {
            return Ok(Outcome::nothing(reason));
        }
    }
    let passing_on_base = baseline.checks(&ws.checks);
    let mut usage = Usage {
        model: client.label(),
        ..Usage::default()
    };
    let mut notes = Vec::new();
    if caps.enabled {
        let findings: Vec<Finding> = brief
            .findings
            .iter()
            .filter(|f| brief.task.target_files.contains(&f.path))
            .take(MAX_LISTED_FINDINGS)
            .cloned()
            .collect();
        let prompt = prompts::render(
            "implementation-tools",
            &tools_prompt_context(ws, brief, &findings, &caps),
        )?;
        let loop_brief = LoopBrief {
            prompt,
            task: brief.task,
            repo_map: brief.repo_map,
            findings: &findings,
        };
        let settings = Settings {
            caps,
            checks: &passing_on_base,
            transcript,
        };
        let report = session::run(ws, client, &loop_brief, &settings).await?;
        usage.add(&report.usage);
        let how = format!(
            "The model explored and edited the repository with tools: {} tool call(s) over {} model call(s).",
            report.tool_calls, report.steps
        );
        let outcome = |status, commit, summary, failure, notes| Outcome {
            status,
            commit,
            summary,
            checks: report.checks.clone(),
            attempts: report.verifications.max(1),
            usage: usage.clone(),
            failure,
            notes,
        };
        match report.end {
            LoopEnd::Committed { commit, summary } => {
                return Ok(outcome(
                    ImplementationStatus::Committed,
                    Some(commit),
                    summary,
                    None,
                    vec![how],
                ));
            }
            LoopEnd::Stopped(reason) => {
                tracing::warn!("the conversation stopped: {reason}");
                return Ok(outcome(
                    ImplementationStatus::Failed,
                    None,
                    Default::default(),
                    Some(format!(
                        "the model's conversation was stopped and nothing was committed: {reason}"
                    )),
                    vec![how],
                ));
            }
            LoopEnd::ToolsUnsupported(reason) => {
                tracing::warn!(
                    "the model server does not support tools ({reason}); using the single-request edit plan"
                );
                notes.push(
                    "The model server does not support tools; the change was asked for in one request."
                        .to_owned(),
                );
            }
        }
    }
    single_request(ws, client, brief, &passing_on_base, usage, notes).await
}

/// Today's single-request edit plan, with the attempt limit.
async fn single_request(
    ws: &Workspace,
    client: &LlmClient,
    brief: Brief<'_>,
    passing_on_base: &[&String],
    mut usage: Usage,
    notes: Vec<String>,
) -> Result<Outcome, Error> {
    let max_attempts = ws.config.limits.max_attempts.max(1);
    let mut checks = Vec::new();
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
            .verify_with(&paths, attempt, &mut checks, passing_on_base)
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
                    notes,
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
        notes,
    })
}

fn tools_prompt_context(
    ws: &Workspace,
    brief: Brief<'_>,
    findings: &[Finding],
    caps: &Caps,
) -> Value {
    let listed: Vec<String> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            format!(
                "{}. {}{}: {} ({})",
                i + 1,
                f.path,
                f.line.map(|l| format!(":{l}")).unwrap_or_default(),
                f.message.lines().next().unwrap_or_default(),
                f.tool
            )
        })
        .collect();
    json!({
        "task": brief.task,
        "issue": brief.issue,
        "findings": listed.join("\n"),
        "learnings": crate::llm::prompts::learnings_for_prompt(brief.learnings),
        "checks": ws.checks,
        "max_files": ws.config.limits.max_files_changed,
        "max_lines": ws.config.limits.max_lines_changed,
        "max_steps": caps.max_steps,
        "pr_feedback": brief.follow_up,
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
