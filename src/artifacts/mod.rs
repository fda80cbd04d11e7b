//! The JSON documents phases hand each other through the run directory.

mod build;
mod common;
mod context;
mod evaluation;
mod follow_up;
mod implementation;
mod learning;
mod pull_request;
mod review;
mod task;

pub use build::{lint_counts_path, BuildDirs, LintCounts, LINT_DIR};
pub use common::{Learning, Usage};
pub use context::{
    BackingOff, CommitSummary, Context, EligibleIssue, Finding, FindingKind, History, HotFile,
    LanguageStats, RankedFile, RepoMap, RepoSummary, ToolState, ToolStatus,
};
pub use evaluation::{Component, Evaluation, Method, Weights};
pub use follow_up::{
    FailingCheck, FeedbackItem, FollowUp, FollowUpFile, ItemOutcome, RoundReport, Suggestion,
};
pub use implementation::{CheckRun, FileChange, Implementation, ImplementationStatus};
pub use learning::{Effect, EffectAction, Evidence, EvidenceList};
pub use pull_request::{PrAction, PullRequestFile};
pub use review::{
    FindingCategory, Review, ReviewCounts, ReviewFinding, ReviewSource, ReviewStatus, Severity,
};
pub use task::{Selection, ShapingLearning, SkippedTask, TaskFile, TaskKind, TaskSpec};

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::contract::InputError;
use crate::error::Error;
use crate::secrets::Redactor;

/// The default names, inside the run directory, of the artifacts and the clone.
pub const CONTEXT: &str = "context.json";
pub const TASK: &str = "task.json";
/// The pull request this run follows up on (written by am-setup).
pub const FOLLOW_UP: &str = "follow-up.json";
pub const IMPLEMENTATION: &str = "implementation.json";
pub const PULL_REQUEST: &str = "pr.json";
pub const REVIEW: &str = "review.json";
pub const EVALUATION: &str = "evaluation.json";
/// A dry run's change, as a unified diff.
pub const CHANGE_PATCH: &str = "change.patch";
/// A dry run's pull request title and body, as Markdown.
pub const PR_TEXT: &str = "pr.md";
pub const CLONE_DIR: &str = "repo";
/// Written by am-setup when another run holds the repository (the holder and the reason), so
/// am-cleanup closes the run as skipped.
pub const SKIPPED: &str = "skipped.json";
/// The run's own cargo target directory, when am-setup kept none for the repository
/// (`build-dirs.json` says which one every phase shares).
pub const CARGO_TARGET_DIR: &str = "cargo-target";
/// Where the run's builds go (written by am-setup).
pub const BUILD_DIRS: &str = "build-dirs.json";

/// The path an input names, or else `name` inside the run directory: how every phase finds the
/// files it reads and writes, so a binary reused alone can point anywhere.
pub fn locate(given: Option<&PathBuf>, run_dir: &Path, name: &str) -> PathBuf {
    given.cloned().unwrap_or_else(|| run_dir.join(name))
}

/// Reads an artifact another phase wrote. A missing or malformed file is bad input: the path
/// came from this binary's input.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<T, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        InputError(format!(
            "cannot read artifact {}: {}",
            path.display(),
            e.kind()
        ))
    })?;
    serde_json::from_str(&text)
        .map_err(|e| InputError(format!("artifact {} is not valid: {e}", path.display())).into())
}

/// Writes an artifact atomically (a temporary file renamed into place), so a reader never sees
/// half a file and a failed write leaves the old one. Every string is redacted first.
pub fn write<T: Serialize>(path: &Path, value: &T, redactor: &Redactor) -> Result<(), Error> {
    let value = serde_json::to_value(value)
        .map_err(|e| Error::json(format!("serialize {}", path.display()), e))?;
    let text = serde_json::to_string_pretty(&redactor.redact_json(&value))
        .map_err(|e| Error::json(format!("serialize {}", path.display()), e))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(format!("create directory {}", parent.display()), e))?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| Error::io(format!("write {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(format!("move {} into place", path.display()), e)
    })
}
