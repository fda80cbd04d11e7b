//! Linter findings on the changed files, before and after the change, with whichever linters are
//! installed. Each side's files are written to a scratch directory and linted there with the
//! linter's defaults (`--isolated`), so both sides are judged by the same rules and nothing in
//! the clone runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use super::change::ChangedFile;

/// A linter that reads files and reports findings as JSON.
#[derive(Debug, Clone, Copy)]
struct Linter {
    name: &'static str,
    program: &'static str,
    extensions: &'static [&'static str],
    /// Arguments before the file paths.
    args: &'static [&'static str],
}

const LINTERS: &[Linter] = &[Linter {
    name: "ruff",
    program: "ruff",
    extensions: &["py", "pyi"],
    args: &[
        "check",
        "--isolated",
        "--no-cache",
        "--output-format",
        "json",
        "--exit-zero",
    ],
}];

/// Findings of one linter on the changed files it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintDelta {
    pub linter: &'static str,
    pub files: usize,
    pub before: u32,
    pub after: u32,
    /// Findings the change added, file by file (a file that got better adds none).
    pub introduced: u32,
    /// Findings the change removed, file by file.
    pub fixed: u32,
}

/// Runs every installed linter that covers some of `files`; None when no linter applied.
pub fn lint_changes(files: &[ChangedFile]) -> Vec<LintDelta> {
    LINTERS
        .iter()
        .filter_map(|linter| {
            let covered: Vec<&ChangedFile> = files
                .iter()
                .filter(|f| f.after.is_some() && has_extension(&f.path, linter.extensions))
                .collect();
            if covered.is_empty() || !installed(linter.program) {
                return None;
            }
            match run_both_sides(linter, &covered) {
                Ok(delta) => Some(delta),
                Err(reason) => {
                    tracing::warn!("{} could not lint the changed files: {reason}", linter.name);
                    None
                }
            }
        })
        .collect()
}

fn has_extension(path: &str, extensions: &[&str]) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.contains(&e))
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run_both_sides(linter: &Linter, files: &[&ChangedFile]) -> Result<LintDelta, String> {
    let scratch = tempfile::tempdir().map_err(|e| format!("create a scratch directory: {e}"))?;
    let before_dir = scratch.path().join("before");
    let after_dir = scratch.path().join("after");
    let before = lint_side(linter, &before_dir, files, |f| f.before.as_deref())?;
    let after = lint_side(linter, &after_dir, files, |f| f.after.as_deref())?;
    let mut delta = LintDelta {
        linter: linter.name,
        files: files.len(),
        before: before.values().sum(),
        after: after.values().sum(),
        introduced: 0,
        fixed: 0,
    };
    for file in files {
        let was = before.get(&file.path).copied().unwrap_or(0);
        let is = after.get(&file.path).copied().unwrap_or(0);
        delta.introduced += is.saturating_sub(was);
        delta.fixed += was.saturating_sub(is);
    }
    Ok(delta)
}

#[derive(Deserialize)]
struct RuffFinding {
    filename: PathBuf,
}

/// Finding counts by repository-relative path for one side of the change.
fn lint_side(
    linter: &Linter,
    dir: &Path,
    files: &[&ChangedFile],
    content: impl Fn(&ChangedFile) -> Option<&str>,
) -> Result<BTreeMap<String, u32>, String> {
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
        return Ok(BTreeMap::new());
    }
    let output = Command::new(linter.program)
        .args(linter.args)
        .args(&paths)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("start {}: {e}", linter.program))?;
    let findings: Vec<RuffFinding> = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "read its report ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    let canonical_dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut counts = BTreeMap::new();
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
