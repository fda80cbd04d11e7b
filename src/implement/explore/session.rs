//! The conversation loop: the model is given the brief and the tools, and each of its calls is
//! answered (redacted, fenced as data) until it finishes with a change the checks accept, a cap
//! or the run's budget stops it, or it repeats itself. Edits go through the same path rules and
//! checks as the single-request plan; a change that is not committed is thrown away.
//!
//! [`run`] takes any brief: the implementation of a selected task is one caller, and a follow-up
//! ("answer the review of PR #N") can be another with its own prompt.

use std::collections::BTreeSet;

use super::caps::{Caps, Repeats};
use super::compact;
use super::reading;
use super::tools::{self, ToolRequest};
use super::transcript::Transcript;
use crate::artifacts::{CheckRun, Finding, TaskSpec, Usage};
use crate::error::Error;
use crate::implement::edits::{self, Edit};
use crate::implement::outcome::commit_message;
use crate::implement::workspace::{Verdict, Workspace};
use crate::llm::conversation::{Conversation, Message, ToolCall, ToolResult};
use crate::llm::prompts::untrusted;
use crate::llm::{LlmClient, LlmError, Prompt};
use crate::repo::diff::DiffSummary;

/// Calls of one turn carried out; the rest are answered as not carried out.
const MAX_CALLS_PER_TURN: usize = 16;

/// What the conversation is about.
#[derive(Debug, Clone)]
pub struct LoopBrief<'a> {
    /// The instructions and the request, untrusted parts already fenced.
    pub prompt: Prompt,
    /// The task the commit message names.
    pub task: &'a TaskSpec,
    /// The repository map, for the `repo_map` tool.
    pub repo_map: Option<&'a str>,
    /// The findings the `show_finding` tool shows, numbered from 1.
    pub findings: &'a [Finding],
}

/// How the conversation runs.
#[derive(Debug)]
pub struct Settings<'a> {
    pub caps: Caps,
    /// The checks run on the change (those that pass on the base).
    pub checks: &'a [&'a String],
    pub transcript: &'a Transcript,
}

/// How the conversation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum LoopEnd {
    Committed {
        commit: String,
        summary: DiffSummary,
    },
    /// A cap, the run's budget or a repeated call stopped it; the clone is back at the base.
    Stopped(String),
    /// The server does not support tools (its first answer said so): nothing was done.
    ToolsUnsupported(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoopReport {
    pub end: LoopEnd,
    /// Model calls made.
    pub steps: u32,
    pub tool_calls: u32,
    pub usage: Usage,
    pub checks: Vec<CheckRun>,
    /// Times the change was verified (`run_checks`, `finish`).
    pub verifications: u32,
}

/// Runs the conversation for `brief` in `ws`.
pub async fn run(
    ws: &Workspace,
    client: &LlmClient,
    brief: &LoopBrief<'_>,
    settings: &Settings<'_>,
) -> Result<LoopReport, Error> {
    let mut session = Session {
        ws,
        brief,
        checks: settings.checks,
        touched: BTreeSet::new(),
        last_verdict: None,
        report: LoopReport {
            end: LoopEnd::Stopped(String::new()),
            steps: 0,
            tool_calls: 0,
            usage: Usage {
                model: client.label(),
                ..Usage::default()
            },
            checks: Vec::new(),
            verifications: 0,
        },
    };
    let transcript = settings.transcript;
    transcript.prompt(&brief.prompt.system, &brief.prompt.user);
    let mut conversation = Conversation {
        system: brief.prompt.system.clone(),
        tools: tools::specs(),
        messages: vec![Message::User(brief.prompt.user.clone())],
        max_tokens: client.max_tokens(),
    };
    let mut repeats = Repeats::default();
    let end = loop {
        compact::elide_old_results(&mut conversation.messages, compact::KEEP_RECENT_ROUNDS);
        let steps = session.report.steps;
        let (tokens, cost) = client.estimate(&conversation);
        if let Some(reason) = settings
            .caps
            .refuse_next(steps, &session.report.usage, tokens, cost)
        {
            break LoopEnd::Stopped(reason);
        }
        let turn = match client.converse(&conversation).await {
            Ok((turn, usage)) => {
                session.report.usage.add(&usage);
                turn
            }
            Err(e) if steps == 0 && e.is_tools_unsupported() => {
                break LoopEnd::ToolsUnsupported(e.to_string());
            }
            Err(LlmError::Budget(reason)) => {
                break LoopEnd::Stopped(format!("the run's LLM budget was reached: {reason}"));
            }
            Err(LlmError::FleetBudget(reason)) => {
                break LoopEnd::Stopped(format!(
                    "the fleet's daily LLM budget was reached: {reason}"
                ));
            }
            Err(e) => {
                transcript.end("failed", &e.to_string());
                ws.reset()?;
                return Err(e.into());
            }
        };
        session.report.steps += 1;
        let step = session.report.steps;
        transcript.assistant(step, &turn);
        conversation.messages.push(Message::Assistant {
            text: turn.text.clone(),
            calls: turn.calls.clone(),
        });
        if turn.calls.is_empty() {
            let nudge = if turn.truncated {
                "Your reply was cut at the token limit. Work in smaller steps: one tool call at a time, short edits."
            } else {
                "Continue by calling the tools. When the change is complete and `run_checks` passes, call `finish` with the commit message."
            };
            transcript.user(step, nudge);
            conversation.messages.push(Message::User(nudge.to_owned()));
            continue;
        }
        let mut results = Vec::new();
        let mut ended = None;
        for (index, call) in turn.calls.iter().enumerate() {
            if index >= MAX_CALLS_PER_TURN {
                // Every call must be answered; these are not carried out.
                let result = ToolResult {
                    call_id: call.id.clone(),
                    content: format!("Not carried out: at most {MAX_CALLS_PER_TURN} calls are answered in one turn."),
                    is_error: true,
                };
                transcript.result(step, call, &result);
                results.push(result);
                continue;
            }
            session.report.tool_calls += 1;
            if repeats.count(&call.name, &call.arguments) >= settings.caps.max_repeats {
                ended = Some(LoopEnd::Stopped(format!(
                    "the model repeated the same call (`{}` with the same arguments) {} times without changing anything",
                    call.name, settings.caps.max_repeats
                )));
                break;
            }
            let (result, outcome) = session.answer(call).await?;
            transcript.result(step, call, &result);
            results.push(result);
            match outcome {
                Answered::Plain => {}
                Answered::TreeChanged => repeats.tree_changed(),
                Answered::Committed(commit, summary) => {
                    ended = Some(LoopEnd::Committed { commit, summary });
                    break;
                }
            }
        }
        if let Some(end) = ended {
            break end;
        }
        conversation.messages.push(Message::Results(results));
    };
    match &end {
        LoopEnd::Committed { commit, .. } => transcript.end("committed", commit),
        LoopEnd::Stopped(reason) => {
            transcript.end("stopped", reason);
            ws.reset()?;
        }
        LoopEnd::ToolsUnsupported(reason) => transcript.end("fallback", reason),
    }
    session.report.end = end;
    Ok(session.report)
}

enum Answered {
    Plain,
    TreeChanged,
    Committed(String, DiffSummary),
}

struct Session<'a> {
    ws: &'a Workspace,
    brief: &'a LoopBrief<'a>,
    checks: &'a [&'a String],
    /// The paths the edits wrote, as staged.
    touched: BTreeSet<String>,
    /// What the checks said of the change, while no edit came after.
    last_verdict: Option<Verdict>,
    report: LoopReport,
}

impl Session<'_> {
    /// The answer to one call, redacted and fenced as data.
    async fn answer(&mut self, call: &ToolCall) -> Result<(ToolResult, Answered), Error> {
        let (text, ok, answered) = match tools::parse(&call.name, &call.arguments) {
            Err(problem) => (problem, false, Answered::Plain),
            Ok(request) => self.carry_out(request).await?,
        };
        let text = self.ws.redactor.redact(&text);
        let result = ToolResult {
            call_id: call.id.clone(),
            content: untrusted(&text, &format!("{} result", call.name)),
            is_error: !ok,
        };
        Ok((result, answered))
    }

    async fn carry_out(&mut self, request: ToolRequest) -> Result<(String, bool, Answered), Error> {
        let ws = self.ws;
        let policy = &ws.policy;
        let plain = |r: Result<String, String>| match r {
            Ok(text) => (text, true, Answered::Plain),
            Err(problem) => (problem, false, Answered::Plain),
        };
        Ok(match request {
            ToolRequest::ListDir(args) => plain(reading::list_dir(policy, &args)),
            ToolRequest::ReadFile(args) => plain(reading::read_file(policy, &args)),
            ToolRequest::Search(args) => plain(reading::search(policy, &args)),
            ToolRequest::ShowFinding(args) => plain(reading::show_finding(
                policy,
                self.brief.findings,
                args.number,
            )),
            ToolRequest::RepoMap => plain(
                self.brief
                    .repo_map
                    .filter(|m| !m.trim().is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| "no repository map is available for this task".to_owned()),
            ),
            ToolRequest::Replace(args) => self.edit(Edit::Replace {
                path: args.path,
                search: args.search,
                replace: args.replace,
            }),
            ToolRequest::Create(args) => self.edit(Edit::Create {
                path: args.path,
                content: args.content,
            }),
            ToolRequest::RunChecks => match self.verify().await? {
                Verdict::Accepted(summary) => (
                    format!(
                        "The checks passed ({}). The change: {} file(s), +{} -{} lines. Call `finish` to commit it.",
                        self.check_names(),
                        summary.files.len(),
                        summary.lines_added,
                        summary.lines_removed
                    ),
                    true,
                    Answered::Plain,
                ),
                Verdict::Rejected(reason) => (reason, false, Answered::Plain),
            },
            ToolRequest::Finish(args) => {
                let summary = match self.verify().await? {
                    Verdict::Accepted(summary) => summary,
                    Verdict::Rejected(reason) => {
                        return Ok((format!("Not committed: {reason}"), false, Answered::Plain))
                    }
                };
                let paths: Vec<String> = self.touched.iter().cloned().collect();
                let message = commit_message(&args.commit_title, &args.commit_body, self.brief.task);
                let commit = self.ws.commit(&paths, &message)?;
                (
                    format!("Committed as {commit}."),
                    true,
                    Answered::Committed(commit, summary),
                )
            }
        })
    }

    fn edit(&mut self, edit: Edit) -> (String, bool, Answered) {
        match edits::apply(
            &self.ws.policy,
            std::slice::from_ref(&edit),
            self.ws.config.limits.max_file_bytes,
        ) {
            Ok(paths) => {
                self.last_verdict = None;
                let text = format!("Applied: `{}` changed.", paths.join("`, `"));
                self.touched.extend(paths);
                (text, true, Answered::TreeChanged)
            }
            Err(problems) => {
                let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
                (
                    format!("Not applied: {}", text.join("; ")),
                    false,
                    Answered::Plain,
                )
            }
        }
    }

    /// Guardrails and the checks on the change so far; the last verdict again while nothing
    /// was edited since.
    async fn verify(&mut self) -> Result<Verdict, Error> {
        if let Some(verdict) = &self.last_verdict {
            return Ok(verdict.clone());
        }
        if self.touched.is_empty() {
            return Ok(Verdict::Rejected(
                "nothing has been changed yet; make the change with `replace` or `create` first"
                    .to_owned(),
            ));
        }
        self.report.verifications += 1;
        let paths: Vec<String> = self.touched.iter().cloned().collect();
        let verdict = self
            .ws
            .verify_with(
                &paths,
                self.report.verifications,
                &mut self.report.checks,
                self.checks,
            )
            .await?;
        self.last_verdict = Some(verdict.clone());
        Ok(verdict)
    }

    fn check_names(&self) -> String {
        if self.checks.is_empty() {
            "no checks are configured".to_owned()
        } else {
            self.checks
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
