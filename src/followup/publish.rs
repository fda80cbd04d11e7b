//! The end of a follow-up round, after its push (or without one): its one summary comment on
//! the PR (with the "needs a human" label when the rounds stop here), and its row in the store.
//! A retried phase finds the round recorded and posts nothing again.

use crate::artifacts::RoundReport;
use crate::error::Error;
use crate::forge::github::{pulls, GitHubApi, GitHubRepo};
use crate::store::{FollowUpRound, Store};

use super::comment;

/// Where the round's PR is.
#[derive(Debug, Clone, Copy)]
pub struct RoundPr<'a> {
    pub run_id: &'a str,
    /// The repository's identity, as the store keys it.
    pub repository: &'a str,
    pub branch: &'a str,
    pub needs_human_label: &'a str,
}

/// What the round came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub outcome: String,
    /// Why the rounds stop here, when they do.
    pub needs_human: Option<String>,
    /// Whether the comment was posted now (false: an earlier try of this phase posted it).
    pub posted: bool,
}

/// Why the rounds stop after this one, if they do: it fixed nothing, or it was the last allowed
/// and left something open.
pub fn stops(report: &RoundReport, outcome: &str) -> Option<String> {
    match outcome {
        "nothing" => Some(format!("follow-up round {} fixed nothing", report.round)),
        "partial" if report.round >= report.max_rounds => Some(format!(
            "the last of {} follow-up rounds left findings or failing checks open",
            report.max_rounds
        )),
        _ => None,
    }
}

/// Posts the round's comment on GitHub (once) and records the round.
pub async fn finish_on_github(
    store: &dyn Store,
    github: (&GitHubApi, &GitHubRepo),
    pr: RoundPr<'_>,
    report: &RoundReport,
    pushed: Option<&str>,
) -> Result<Finished, Error> {
    let outcome = report.outcome(pushed.is_some()).to_owned();
    let needs_human = stops(report, &outcome);
    let earlier = store.follow_up_rounds(pr.repository, pr.branch).await?;
    let already = earlier
        .iter()
        .any(|r| r.round == i64::from(report.round) && r.run_id == pr.run_id);
    if !already {
        let (api, repo) = github;
        let body = comment::round(report, pushed, needs_human.as_deref());
        pulls::comment(api, repo, report.number, &body).await?;
        if needs_human.is_some() {
            pulls::label(api, repo, report.number, pr.needs_human_label).await?;
        }
        store
            .record_follow_up_round(&row(
                pr,
                report,
                pushed,
                &outcome,
                needs_human.is_some(),
                &body,
            ))
            .await?;
    }
    Ok(Finished {
        outcome,
        needs_human,
        posted: !already,
    })
}

/// Records the round on the local forge, which has no comments: the store keeps the text the
/// comment would have had (the run page shows it).
pub async fn finish_locally(
    store: &dyn Store,
    pr: RoundPr<'_>,
    report: &RoundReport,
    pushed: Option<&str>,
) -> Result<Finished, Error> {
    let outcome = report.outcome(pushed.is_some()).to_owned();
    let needs_human = stops(report, &outcome);
    let body = comment::round(report, pushed, needs_human.as_deref());
    store
        .record_follow_up_round(&row(
            pr,
            report,
            pushed,
            &outcome,
            needs_human.is_some(),
            &body,
        ))
        .await?;
    Ok(Finished {
        outcome,
        needs_human,
        posted: false,
    })
}

fn row(
    pr: RoundPr<'_>,
    report: &RoundReport,
    pushed: Option<&str>,
    outcome: &str,
    needs_human: bool,
    summary: &str,
) -> FollowUpRound {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    FollowUpRound {
        repository: pr.repository.to_owned(),
        branch: pr.branch.to_owned(),
        round: i64::from(report.round),
        run_id: pr.run_id.to_owned(),
        number: i64::try_from(report.number).ok(),
        head_before: report.head_before.clone(),
        head_after: pushed.map(str::to_owned),
        findings_total: count(report.addressed.len() + report.not_addressed.len()),
        findings_addressed: count(report.addressed.len()),
        checks_failing: count(report.checks.len()),
        checks_fixed: i64::from(report.checks_fixed),
        outcome: outcome.to_owned(),
        failure_signature: report.failure_signature.clone(),
        summary: summary.to_owned(),
        needs_human,
        created_at: crate::store::clock::now(),
    }
}
