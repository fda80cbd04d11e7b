//! Clippy's findings on the lines the change added, when the repository is a Rust crate and
//! clippy is installed; clippy is run and read by `crate::lint::clippy`.

use std::path::Path;
use std::time::Duration;

use crate::artifacts::{FindingCategory, ReviewFinding, Severity};
use crate::lint::clippy::{self, Diagnostic};
use crate::lint::tool::{Ctx, Recording};
use crate::repo::change::ChangedFile;

/// Runs clippy in `clone` (in the run's target directory, recording its counts of the head in
/// `run_dir` for the evaluation); `None` when it does not apply or could not run (said in the log).
pub async fn run(clone: &Path, timeout: Duration, run_dir: Option<&Path>) -> Option<String> {
    if !clone.join("Cargo.toml").is_file() {
        return None;
    }
    let ctx = Ctx {
        root: clone.to_path_buf(),
        cargo_target_dir: crate::runner::build_dir::cargo_target_dir(&clone.join("target")),
        timeout,
        avoided_rules: Vec::new(),
        recording: run_dir.map(|run_dir| Recording {
            run_dir: run_dir.to_path_buf(),
            phase: "review",
        }),
    };
    match clippy::run(&ctx).await {
        Ok((stdout, _)) => Some(stdout),
        Err(failure) => {
            tracing::info!("the local review goes without clippy: {failure}");
            None
        }
    }
}

/// The diagnostics of clippy's JSON output whose primary span is on an added line.
pub fn findings(json_lines: &str, files: &[ChangedFile]) -> Vec<ReviewFinding> {
    let mut findings: Vec<ReviewFinding> = clippy::diagnostics(json_lines)
        .iter()
        .filter_map(|d| finding(d, files))
        .collect();
    findings
        .sort_by(|a, b| (&a.path, a.line_start, &a.title).cmp(&(&b.path, b.line_start, &b.title)));
    findings
        .dedup_by(|a, b| a.path == b.path && a.line_start == b.line_start && a.title == b.title);
    findings
}

fn finding(d: &Diagnostic, files: &[ChangedFile]) -> Option<ReviewFinding> {
    let file = files.iter().find(|f| f.path == d.path)?;
    if !file.touches(d.line_start, d.line_end) {
        return None;
    }
    let (category, severity) = match (d.code.starts_with("clippy::"), d.level.as_str()) {
        (_, "error") => (FindingCategory::PotentialIssue, Severity::Major),
        (true, _) => (FindingCategory::Style, Severity::Minor),
        (false, _) => (FindingCategory::PotentialIssue, Severity::Minor),
    };
    let body = if d.rendered.is_empty() {
        &d.message
    } else {
        &d.rendered
    };
    Some(ReviewFinding {
        category,
        severity,
        path: Some(d.path.clone()),
        line_start: Some(d.line_start),
        line_end: Some(d.line_end),
        title: format!("{}: {}", d.code, d.message),
        body: body.chars().take(1500).collect(),
        suggestion: None,
        actionable: true,
    })
}
