//! The follow-up rounds of a run's pull request as the run page shows them: each round's
//! outcome, what it addressed and fixed, the heads before and after, and the comment it posted.

use serde::Serialize;

use super::run_view::run_href;
use crate::dashboard::{format, layout, markdown};
use crate::store::FollowUpRound;

#[derive(Debug, Clone, Serialize)]
pub struct RoundView {
    pub number: Option<i64>,
    pub round: i64,
    pub run_id: String,
    pub href: String,
    /// Whether the round is the page's own run's.
    pub current: bool,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub findings_total: i64,
    pub findings_addressed: i64,
    pub checks_failing: i64,
    pub checks_fixed: i64,
    pub needs_human: bool,
    pub head_before: String,
    pub head_after: Option<String>,
    pub at: String,
    pub at_iso: String,
    pub summary_html: Option<String>,
}

pub fn round_view(run_id: &str, round: FollowUpRound) -> RoundView {
    let short = |c: &str| c.get(..10).unwrap_or(c).to_owned();
    RoundView {
        number: round.number,
        round: round.round,
        href: run_href(&round.run_id),
        current: round.run_id == run_id,
        outcome_class: match round.outcome.as_str() {
            "fixed" => "succeeded",
            "partial" => "minor",
            "failed" => "failed",
            _ => "nothing",
        },
        outcome: round.outcome,
        run_id: round.run_id,
        findings_total: round.findings_total,
        findings_addressed: round.findings_addressed,
        checks_failing: round.checks_failing,
        checks_fixed: round.checks_fixed,
        needs_human: round.needs_human,
        head_before: short(&round.head_before),
        head_after: round.head_after.as_deref().map(short),
        at: format::timestamp(round.created_at),
        at_iso: layout::iso(round.created_at),
        summary_html: (!round.summary.trim().is_empty()).then(|| markdown::to_html(&round.summary)),
    }
}
