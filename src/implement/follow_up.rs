//! Carrying out a follow-up round on the PR's own branch, on top of its head (a maintainer's
//! commits included). The repository's checks run on the head first: the round's change must
//! pass all of them, those that failed there included. Without a model, CodeRabbit's committable
//! suggestions and proposed diffs that apply cleanly to the head are applied; everything else is
//! "needs a model", said plainly. With a model, the findings and the failing checks' output are
//! its brief (untrusted data), through the single-request implementation path.

use super::agent::{self, Brief};
use super::baseline::{self, Baseline};
use super::explore::caps::Caps;
use super::explore::transcript::Transcript;
use super::outcome::{commit_message, Outcome};
use super::workspace::{Verdict, Workspace};
use crate::artifacts::{
    FollowUp, ImplementationStatus, ItemOutcome, RoundReport, Suggestion, TaskSpec,
};
use crate::error::Error;
use crate::followup::apply::Edits;
use crate::followup::comment::describe;
use crate::llm::LlmClient;

/// The round's outcome and its account. A round that cannot commit is `Nothing`, never a
/// failure of the run: its account is still posted and recorded.
pub async fn implement(
    ws: &Workspace,
    client: &LlmClient,
    follow_up: &FollowUp,
    brief: Brief<'_>,
    conversation: (Caps, &Transcript),
) -> Result<(Outcome, RoundReport), Error> {
    let baseline = baseline::establish(ws).await?;
    let mut report = RoundReport {
        number: follow_up.number,
        round: follow_up.round,
        max_rounds: follow_up.max_rounds,
        head_before: follow_up.head_commit.clone(),
        addressed: Vec::new(),
        not_addressed: Vec::new(),
        checks: Vec::new(),
        checks_fixed: 0,
        failure_signature: follow_up.failure_signature.clone(),
    };
    let mut outcome = if client.is_offline() {
        offline(ws, follow_up, brief.task, &baseline, &mut report).await?
    } else {
        with_model(ws, client, follow_up, brief, conversation, &mut report).await?
    };
    let committed = outcome.status == ImplementationStatus::Committed;
    report.checks = follow_up
        .failing_checks
        .iter()
        .map(|check| ItemOutcome {
            id: format!("check-{}", check.name),
            title: format!("`{}` ({})", check.name, check.conclusion),
            note: check_note(committed, &baseline, client.is_offline()),
        })
        .collect();
    if committed && !baseline.failing.is_empty() {
        report.checks_fixed = u32::try_from(follow_up.failing_checks.len()).unwrap_or(u32::MAX);
    }
    if outcome.status == ImplementationStatus::Failed {
        outcome.status = ImplementationStatus::Nothing;
    }
    outcome.notes.push(format!(
        "Follow-up round {} of at most {} on PR #{}.",
        follow_up.round, follow_up.max_rounds, follow_up.number
    ));
    Ok((outcome, report))
}

fn check_note(committed: bool, baseline: &Baseline, offline: bool) -> String {
    let failing: Vec<&str> = baseline
        .failing
        .iter()
        .map(|r| r.command.as_str())
        .collect();
    match (committed, failing.is_empty()) {
        (true, false) => format!(
            "the repository's checks (`{}`) failed on the head and pass on the new commit; CI runs again on it",
            failing.join("`, `")
        ),
        (true, true) => "not reproduced here (the repository's checks pass on the head); the new commit may not fix it".to_owned(),
        (false, _) if offline => "still failing: fixing it needs a model".to_owned(),
        (false, _) => "still failing: no change passed the checks".to_owned(),
    }
}

async fn offline(
    ws: &Workspace,
    follow_up: &FollowUp,
    task: &TaskSpec,
    baseline: &Baseline,
    report: &mut RoundReport,
) -> Result<Outcome, Error> {
    let mut edits = Edits::default();
    let mut applied = Vec::new();
    for item in &follow_up.findings {
        let title = describe(item);
        let kind = match &item.suggestion {
            Some(Suggestion::Committable(_)) => "committable suggestion",
            Some(Suggestion::Diff(_)) => "proposed diff",
            None => {
                report.not_addressed.push(ItemOutcome {
                    id: item.id.clone(),
                    title,
                    note: "needs a model: it carries no committable suggestion or proposed diff"
                        .to_owned(),
                });
                continue;
            }
        };
        let absolute = match item.path.as_deref().map(|p| ws.policy.check(p)) {
            Some(Ok(absolute)) => absolute,
            Some(Err(refusal)) => {
                report.not_addressed.push(ItemOutcome {
                    id: item.id.clone(),
                    title,
                    note: format!("its file may not be edited: {refusal}"),
                });
                continue;
            }
            None => {
                report.not_addressed.push(ItemOutcome {
                    id: item.id.clone(),
                    title,
                    note: "needs a model: it names no file".to_owned(),
                });
                continue;
            }
        };
        match edits.apply(item, absolute) {
            Ok(()) => applied.push(ItemOutcome {
                id: item.id.clone(),
                title,
                note: format!("applied the reviewer's {kind}"),
            }),
            Err(why) => report.not_addressed.push(ItemOutcome {
                id: item.id.clone(),
                title,
                note: format!("the {kind} does not apply cleanly to the head: {why}"),
            }),
        }
    }
    if applied.is_empty() {
        return Ok(Outcome::nothing(
            "needs a model: no committable suggestion or proposed diff applies cleanly to the head",
        ));
    }
    let paths = edits
        .write()
        .map_err(|e| Error::io("write the suggestions into the clone", e))?;
    let checks: Vec<&String> = baseline.checks(&ws.checks);
    let mut runs = Vec::new();
    match ws.verify_with(&paths, 1, &mut runs, &checks).await? {
        Verdict::Accepted(summary) => {
            let body = applied
                .iter()
                .map(|a| format!("- {}: {}", a.title, a.note))
                .collect::<Vec<_>>()
                .join("\n");
            let title = format!(
                "Apply review suggestions on PR #{} (round {})",
                follow_up.number, follow_up.round
            );
            let commit = ws.commit(&paths, &commit_message(&title, &body, task))?;
            report.addressed = applied;
            Ok(Outcome {
                status: ImplementationStatus::Committed,
                commit: Some(commit),
                summary,
                checks: runs,
                attempts: 1,
                usage: Default::default(),
                failure: None,
                notes: vec!["Reviewer suggestions applied without a model.".to_owned()],
            })
        }
        Verdict::Rejected(reason) => {
            ws.reset()?;
            let first = reason.lines().next().unwrap_or_default().to_owned();
            for item in applied {
                report.not_addressed.push(ItemOutcome {
                    note: format!("{}, but the checks fail with it: {first}", item.note),
                    ..item
                });
            }
            Ok(Outcome {
                checks: runs,
                attempts: 1,
                ..Outcome::nothing(format!(
                    "the suggestions apply but the checks fail with them: {first}"
                ))
            })
        }
    }
}

async fn with_model(
    ws: &Workspace,
    client: &LlmClient,
    follow_up: &FollowUp,
    brief: Brief<'_>,
    (caps, transcript): (Caps, &Transcript),
    report: &mut RoundReport,
) -> Result<Outcome, Error> {
    let outcome = agent::implement(ws, client, brief, caps, transcript).await?;
    let committed = outcome.status == ImplementationStatus::Committed;
    for item in &follow_up.findings {
        let entry = ItemOutcome {
            id: item.id.clone(),
            title: describe(item),
            note: if committed {
                "answered by the model's change, which passes the checks".to_owned()
            } else {
                format!(
                    "no change passed the checks: {}",
                    outcome.failure.as_deref().unwrap_or("no reason given")
                )
            },
        };
        if committed {
            report.addressed.push(entry);
        } else {
            report.not_addressed.push(entry);
        }
    }
    Ok(outcome)
}
