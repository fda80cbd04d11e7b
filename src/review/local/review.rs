//! The local review: every check of the diff, put together in the same shape as CodeRabbit's.

use std::path::Path;
use std::time::Duration;

use super::{clippy, functions, lines, tests_gap};
use crate::artifacts::{FindingCategory, Review, ReviewSource, ReviewStatus};
use crate::forge::ForgeError;
use crate::repo::change::{changed_files, ChangedFile};
use crate::repo::RepoError;
use crate::review::counts;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalOptions {
    /// Run installed linters (clippy for Rust).
    pub linters: bool,
    pub linter_timeout: Duration,
    /// The run directory, where clippy records its counts of the head for the evaluation.
    pub run_dir: Option<std::path::PathBuf>,
}

impl Default for LocalOptions {
    fn default() -> Self {
        Self {
            linters: true,
            linter_timeout: Duration::from_secs(600),
            run_dir: None,
        }
    }
}

/// The files the change `base..head` added lines to: what the review looks at.
fn added_files(clone: &Path, base: &str, head: &str) -> Result<Vec<ChangedFile>, ForgeError> {
    let mut files = changed_files(clone, base, head).map_err(|e| match e {
        RepoError::Git { action, source } => ForgeError::git(action, source),
        other => ForgeError::Worker(format!("read the diff {base}..{head}: {other}")),
    })?;
    files.retain(|f| !f.added_lines.is_empty());
    Ok(files)
}

/// Reviews the change `base..head` in `clone`.
pub async fn review(
    clone: &Path,
    base: &str,
    head: &str,
    options: LocalOptions,
) -> Result<Review, ForgeError> {
    let files = {
        let (clone, base, head) = (clone.to_path_buf(), base.to_owned(), head.to_owned());
        tokio::task::spawn_blocking(move || added_files(&clone, &base, &head))
            .await
            .map_err(|_| ForgeError::Worker("read the diff".to_owned()))??
    };
    let mut findings = Vec::new();
    let mut maintainability = Vec::new();
    for file in &files {
        findings.extend(lines::secrets(file));
        findings.extend(lines::todos(file));
        findings.extend(lines::panics(file));
        if let Some(metrics) = functions::metrics(file) {
            findings.extend(functions::findings(file, &metrics));
            maintainability.push(metrics.maintainability_index);
        }
    }
    findings.extend(tests_gap::findings(&files));
    let mut linted = Vec::new();
    if options.linters {
        if let Some(output) =
            clippy::run(clone, options.linter_timeout, options.run_dir.as_deref()).await
        {
            findings.extend(clippy::findings(&output, &files));
            linted.push("clippy");
        }
    }
    let added: usize = files.iter().map(|f| f.added_lines.len()).sum();
    let mut summary = format!(
        "Local review of {} file(s), {added} added line(s): {} finding(s).",
        files.len(),
        findings.len()
    );
    if !linted.is_empty() {
        summary.push_str(&format!(" Linters: {}.", linted.join(", ")));
    }
    let mut risk_flags = counts::risk_flags(&findings);
    if findings
        .iter()
        .any(|f| f.category == FindingCategory::Testing)
    {
        risk_flags.push("new code without tests".to_owned());
    }
    Ok(Review {
        source: ReviewSource::Local,
        status: ReviewStatus::Reviewed,
        notice: None,
        counts: counts::count(&findings),
        risk_flags,
        // The changed files' mean maintainability index, turned around: 0 is simple, 100 is not.
        complexity_score: (!maintainability.is_empty()).then(|| {
            let mean = maintainability.iter().sum::<f64>() / maintainability.len() as f64;
            (100.0 - mean).clamp(0.0, 100.0)
        }),
        summary: Some(summary),
        findings,
    })
}
