//! ruff on Python: each side's changed files are written to a scratch directory and linted there
//! with ruff's defaults (`--isolated`), so both sides are judged by the same rules and nothing in
//! the clone runs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;

use super::{Change, Counts, Sides};
use crate::evaluate::change::ChangedFile;
use crate::lint::spawn::{self as command, run};
use crate::runner::Request;

pub const EXTENSIONS: &[&str] = &["py", "pyi"];

const ARGS: &[&str] = &[
    "check",
    "--isolated",
    "--no-cache",
    "--output-format",
    "json",
    "--exit-zero",
];

pub fn lint(_change: &Change, files: &[&ChangedFile], deadline: Instant) -> Result<Sides, String> {
    if !command::succeeds(Path::new("ruff"), &["--version"], Path::new(".")) {
        return Err("ruff is not installed".to_owned());
    }
    let scratch = tempfile::tempdir().map_err(|e| format!("create a scratch directory: {e}"))?;
    let before = lint_side(&scratch.path().join("before"), files, deadline, |f| {
        f.before.as_deref()
    })?;
    let after = lint_side(&scratch.path().join("after"), files, deadline, |f| {
        f.after.as_deref()
    })?;
    Ok(Sides { before, after })
}

#[derive(Deserialize)]
struct Finding {
    filename: PathBuf,
}

/// Finding counts by repository-relative path for one side of the change.
fn lint_side(
    dir: &Path,
    files: &[&ChangedFile],
    deadline: Instant,
    content: impl Fn(&ChangedFile) -> Option<&str>,
) -> Result<Counts, String> {
    let mut paths = Vec::new();
    for file in files {
        let Some(text) = content(file) else { continue };
        let relative = Path::new(&file.path);
        if relative.is_absolute() || relative.components().any(|c| c.as_os_str() == "..") {
            continue;
        }
        let target = dir.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&target, text).map_err(|e| e.to_string())?;
        paths.push(file.path.clone());
    }
    if paths.is_empty() {
        return Ok(Counts::new());
    }
    let ruff = Request::new("ruff", dir).args(ARGS).args(&paths);
    let ran = run(ruff, None, deadline, "ruff")?;
    let findings: Vec<Finding> = serde_json::from_str(&ran.stdout)
        .map_err(|e| format!("ruff's report is unreadable ({e}): {}", ran.stderr_tail()))?;
    let canonical_dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut counts = Counts::new();
    for finding in findings {
        let relative = finding
            .filename
            .strip_prefix(&canonical_dir)
            .or_else(|_| finding.filename.strip_prefix(dir))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| finding.filename.to_string_lossy().into_owned());
        *counts.entry(relative).or_insert(0) += 1;
    }
    Ok(counts)
}
