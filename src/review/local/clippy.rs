//! Clippy's findings (`cargo clippy --message-format=json`) on the lines the change added, when
//! the repository is a Rust crate and clippy is installed.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::diff::ChangedFile;
use crate::artifacts::{FindingCategory, ReviewFinding, Severity};
use crate::runner::{self, Request};

/// Runs clippy in `clone`; `None` when it does not apply or could not run (said in the log).
pub async fn run(clone: &Path, timeout: Duration) -> Option<String> {
    if !clone.join("Cargo.toml").is_file() {
        return None;
    }
    // The target repository's build scripts run here: through the runner, so they get none of
    // our secrets and run in the sandbox.
    let request = Request::new("cargo", clone)
        .args([
            "clippy",
            "--all-targets",
            "--message-format=json",
            "--quiet",
        ])
        .timeout(timeout);
    match runner::run_async(request).await {
        Ok(ran) if ran.timed_out => {
            tracing::warn!(
                "clippy took over {}s; the local review goes without it",
                timeout.as_secs()
            );
            None
        }
        Ok(ran) => Some(ran.stdout),
        Err(e) => {
            tracing::info!("clippy is not available ({e}); the local review goes without it");
            None
        }
    }
}

/// The diagnostics of clippy's JSON output whose primary span is on an added line.
pub fn findings(json_lines: &str, files: &[ChangedFile]) -> Vec<ReviewFinding> {
    let mut findings: Vec<ReviewFinding> = json_lines
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|v| v["reason"] == "compiler-message")
        .filter_map(|v| diagnostic(&v["message"], files))
        .collect();
    findings
        .sort_by(|a, b| (&a.path, a.line_start, &a.title).cmp(&(&b.path, b.line_start, &b.title)));
    findings
        .dedup_by(|a, b| a.path == b.path && a.line_start == b.line_start && a.title == b.title);
    findings
}

fn diagnostic(message: &Value, files: &[ChangedFile]) -> Option<ReviewFinding> {
    let level = message["level"].as_str()?;
    if level != "warning" && level != "error" {
        return None;
    }
    let span = message["spans"]
        .as_array()?
        .iter()
        .find(|s| s["is_primary"].as_bool() == Some(true))?;
    let path = span["file_name"].as_str()?;
    let start = u32::try_from(span["line_start"].as_u64()?).ok()?;
    let end = u32::try_from(span["line_end"].as_u64().unwrap_or(u64::from(start))).unwrap_or(start);
    let file = files.iter().find(|f| f.path == path)?;
    if !file.touches(start, end) {
        return None;
    }
    let code = message["code"]["code"].as_str().unwrap_or(level);
    let text = message["message"].as_str().unwrap_or_default();
    let (category, severity) = match (code.starts_with("clippy::"), level) {
        (_, "error") => (FindingCategory::PotentialIssue, Severity::Major),
        (true, _) => (FindingCategory::Style, Severity::Minor),
        (false, _) => (FindingCategory::PotentialIssue, Severity::Minor),
    };
    Some(ReviewFinding {
        category,
        severity,
        path: Some(path.to_owned()),
        line_start: Some(start),
        line_end: Some(end),
        title: format!("{code}: {text}"),
        body: message["rendered"]
            .as_str()
            .unwrap_or(text)
            .chars()
            .take(1500)
            .collect(),
        suggestion: None,
        actionable: true,
    })
}
