//! The run directory's build records: `build-dirs.json` (where the run's cargo builds, written by
//! am-setup and read by every phase's sandbox policy) and `lint/<linter>-<commit>.json` (a
//! linter's per-file, per-rule counts of one commit of the whole workspace, written where the
//! linter ran on the clone and read by the evaluation instead of running it again).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where the run's builds go.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BuildDirs {
    /// The cargo target directory every phase of the run shares.
    pub cargo_target_dir: PathBuf,
    /// Whether it is kept for the next run of the same repository (else it is the run's own).
    pub kept: bool,
}

/// One linter's findings on one commit: counts by repository-relative file, then by rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LintCounts {
    pub linter: String,
    /// The phase that ran it (`context`, `review`).
    pub phase: String,
    /// The commit the files were at (full hex id).
    pub commit: String,
    /// The linter's version line (`clippy 0.1.83 (90b35a6 2024-11-26)`).
    pub tool_version: String,
    /// The targets it covered (`--all-targets`, else those that build).
    pub targets: Vec<String>,
    pub counts: BTreeMap<String, BTreeMap<String, u32>>,
}

impl LintCounts {
    /// The findings of `path`, all rules together.
    pub fn total(&self, path: &str) -> u32 {
        self.counts
            .get(path)
            .map_or(0, |rules| rules.values().sum())
    }
}

/// The directory of the lint records inside the run directory.
pub const LINT_DIR: &str = "lint";

/// Where `linter`'s record of `commit` lives in the run directory.
pub fn lint_counts_path(run_dir: &Path, linter: &str, commit: &str) -> PathBuf {
    run_dir
        .join(LINT_DIR)
        .join(format!("{linter}-{commit}.json"))
}
