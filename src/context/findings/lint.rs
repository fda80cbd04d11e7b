//! Linter and formatter findings for the context: the repository's own tools, surveyed by
//! `crate::lint::survey` (which tools it uses, with which configuration, and what each did).

use std::path::Path;
use std::time::Duration;

use crate::lint::survey::{self, Survey};
use crate::lint::tool::{Ctx, Recording};

/// How linters run.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// Where cargo builds, outside the clone (the run's one target directory).
    pub target_dir: std::path::PathBuf,
    pub timeout: Duration,
    /// The run directory, where clippy records its counts of the base commit for the evaluation.
    pub run_dir: Option<std::path::PathBuf>,
}

/// The findings of every tool the repository uses, and every tool's status.
pub async fn findings(root: &Path, options: &LintOptions) -> Survey {
    survey::survey(&Ctx {
        root: root.to_path_buf(),
        cargo_target_dir: options.target_dir.clone(),
        timeout: options.timeout,
        avoided_rules: Vec::new(),
        recording: options.run_dir.clone().map(|run_dir| Recording {
            run_dir,
            phase: "context",
        }),
    })
    .await
}
