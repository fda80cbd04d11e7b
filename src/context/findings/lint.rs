//! Linter and formatter findings for the context: the repository's own tools, surveyed by
//! `crate::lint::survey` (which tools it uses, with which configuration, and what each did).

use std::path::Path;
use std::time::Duration;

use crate::lint::survey::{self, Survey};
use crate::lint::tool::Ctx;

/// How linters run.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// Where cargo builds, outside the clone (inside the run directory, so cleanup removes it).
    pub target_dir: std::path::PathBuf,
    pub timeout: Duration,
}

/// The findings of every tool the repository uses, and every tool's status.
pub async fn findings(root: &Path, options: &LintOptions) -> Survey {
    survey::survey(&Ctx {
        root: root.to_path_buf(),
        cargo_target_dir: options.target_dir.clone(),
        timeout: options.timeout,
        avoided_rules: Vec::new(),
    })
    .await
}
