//! Artifacts of a run, built from the library's own types and written where phases look for them.

use std::path::Path;

use automaintainer::artifacts::{
    CheckRun, FindingCategory, Implementation, ImplementationStatus, Review, ReviewCounts,
    ReviewFinding, ReviewSource, ReviewStatus, Severity, Usage,
};

/// Writes any serialisable artifact as pretty JSON.
pub fn write<T: serde::Serialize>(path: &Path, value: &T) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// A passing check of the final attempt.
pub fn check(command: &str, passed: bool, attempt: u32) -> CheckRun {
    CheckRun {
        command: command.to_owned(),
        exit_code: Some(if passed { 0 } else { 101 }),
        passed,
        duration_secs: 1.5,
        timed_out: false,
        output_tail: String::new(),
        attempt,
    }
}

/// An implementation committed as `commit` on top of `base`.
pub fn implementation(base: &str, commit: Option<&str>, checks: Vec<CheckRun>) -> Implementation {
    Implementation {
        status: if commit.is_some() {
            ImplementationStatus::Committed
        } else {
            ImplementationStatus::Nothing
        },
        task: None,
        branch: "automaintainer/test".to_owned(),
        base_branch: "main".to_owned(),
        commit: commit.map(str::to_owned),
        base_commit: base.to_owned(),
        files: Vec::new(),
        lines_added: 0,
        lines_removed: 0,
        checks,
        attempts: 1,
        usage: Usage::default(),
        failure: None,
        notes: vec![],
        follow_up: None,
    }
}

pub fn finding(
    severity: Severity,
    actionable: bool,
    path: &str,
    title: &str,
    body: &str,
) -> ReviewFinding {
    ReviewFinding {
        category: FindingCategory::PotentialIssue,
        severity,
        path: Some(path.to_owned()),
        line_start: Some(1),
        line_end: None,
        title: title.to_owned(),
        body: body.to_owned(),
        suggestion: None,
        actionable,
    }
}

pub fn review(status: ReviewStatus, findings: Vec<ReviewFinding>) -> Review {
    let actionable = u32::try_from(findings.iter().filter(|f| f.actionable).count()).unwrap();
    Review {
        source: ReviewSource::Local,
        status,
        notice: None,
        counts: ReviewCounts {
            total: u32::try_from(findings.len()).unwrap(),
            actionable,
            ..ReviewCounts::default()
        },
        findings,
        complexity_score: None,
        risk_flags: Vec::new(),
        summary: None,
    }
}
