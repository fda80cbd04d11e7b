//! code_quality: what the reviewers found, weighted by severity, and how the change moved the
//! linters' findings on the files it touched.
//!
//! - Review part: `100 - Σ penalty` (floor 0), penalties per finding by severity: critical 25,
//!   major 12, minor 5, trivial 2, info 0; a finding the reviewer marks not actionable counts
//!   half. Only a real review counts: a review that did not happen (rate limited, skipped) or
//!   a run without a PR leaves this part unavailable.
//! - Lint part: `100 - 10·introduced - 2·remaining` (floor 0), where `introduced` are findings
//!   the change added file by file and `remaining` the findings left in the changed files.
//!   A linter that covers changed files but could not judge them adds no number, only its
//!   reason to the evidence.
//! - Both available: `0.6·review + 0.4·lint`; one: that one; none: unavailable.

use crate::artifacts::{Component, Method, Review, ReviewStatus, Severity};

use super::lint::{LintDelta, LintOutcome};
use super::score::{component, unavailable};

pub fn severity_penalty(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 25.0,
        Severity::Major => 12.0,
        Severity::Minor => 5.0,
        Severity::Trivial => 2.0,
        Severity::Info => 0.0,
    }
}

/// The review part: (score, evidence), None when no real review happened.
pub fn review_part(review: Option<&Review>) -> Option<(f64, String)> {
    let review = review.filter(|r| r.status == ReviewStatus::Reviewed)?;
    let penalty: f64 = review
        .findings
        .iter()
        .map(|f| {
            let full = severity_penalty(f.severity);
            if f.actionable {
                full
            } else {
                full / 2.0
            }
        })
        .sum();
    let mut by_severity = std::collections::BTreeMap::new();
    for finding in &review.findings {
        *by_severity.entry(finding.severity).or_insert(0u32) += 1;
    }
    let counts: Vec<String> = by_severity
        .iter()
        .map(|(severity, n)| format!("{n} {}", severity_name(*severity)))
        .collect();
    let evidence = if counts.is_empty() {
        format!("the {:?} review found nothing", review.source).to_lowercase()
    } else {
        format!(
            "{} review findings ({}): penalty {penalty}",
            review.findings.len(),
            counts.join(", ")
        )
    };
    Some(((100.0 - penalty).max(0.0), evidence))
}

/// The lint part: (score, evidence), None when no linter applied.
pub fn lint_part(deltas: &[&LintDelta]) -> Option<(f64, String)> {
    if deltas.is_empty() {
        return None;
    }
    let introduced: u32 = deltas.iter().map(|d| d.introduced).sum();
    let remaining: u32 = deltas.iter().map(|d| d.after).sum();
    let score = 100.0 - 10.0 * f64::from(introduced) - 2.0 * f64::from(remaining);
    let evidence = deltas
        .iter()
        .map(|d| {
            let reused = if d.reused.is_empty() {
                String::new()
            } else {
                format!("; {}", d.reused.join(", "))
            };
            format!(
                "{} on {} changed file(s): {} finding(s) before, {} after ({} introduced, {} fixed{reused})",
                d.linter, d.files, d.before, d.after, d.introduced, d.fixed
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some((score.max(0.0), evidence))
}

pub fn code_quality(review: Option<&Review>, lint: &[LintOutcome]) -> Component {
    let deltas: Vec<&LintDelta> = lint.iter().filter_map(LintOutcome::delta).collect();
    let notes: Vec<String> = lint.iter().filter_map(LintOutcome::note).collect();
    let no_linter = if notes.is_empty() {
        "no linter applied".to_owned()
    } else {
        notes.join("; ")
    };
    // Linters that could not judge are named next to those that did.
    let with_notes = |evidence: String| {
        if notes.is_empty() {
            evidence
        } else {
            format!("{evidence}; {}", notes.join("; "))
        }
    };
    match (review_part(review), lint_part(&deltas)) {
        (Some((r, re)), Some((l, le))) => component(
            0.6 * r + 0.4 * l,
            Method::Measured,
            with_notes(format!("{re}; {le}")),
        ),
        (Some((r, re)), None) => component(r, Method::Measured, format!("{re}; {no_linter}")),
        (None, Some((l, le))) => component(
            l,
            Method::Measured,
            with_notes(format!("no review happened; {le}")),
        ),
        (None, None) if notes.is_empty() => {
            unavailable("no review happened and no linter applied to the changed files")
        }
        (None, None) => unavailable(format!("no review happened; {no_linter}")),
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::Major => "major",
        Severity::Minor => "minor",
        Severity::Trivial => "trivial",
        Severity::Info => "info",
    }
}
