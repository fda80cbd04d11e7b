//! clippy on Rust. Clippy needs the crate, not loose files: the change is checked out in a
//! scratch directory at the base commit, `cargo clippy --all-targets --message-format=json` runs
//! on the packages that hold the changed files, then the checkout advances to the head commit and
//! the same runs again against the same `CARGO_TARGET_DIR`, so dependencies are built once and
//! the second side is incremental. Only diagnostics with a primary span in a changed file count,
//! each once (the lib and its test build report the same warning twice).
//!
//! Lints are capped at warnings (`--cap-lints warn`), so a repository that denies warnings is
//! still counted rather than failed; what still fails is a side that does not compile, and that
//! is said as such, never counted as zero. Targets that do not build on this toolchain at the base
//! (a benchmark that needs nightly) are left out, as the context's clippy leaves them out, and
//! the head is linted on the same targets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;

use super::checkout::Checkout;
use super::{Change, Counts, Sides};
use crate::lint::clippy::{diagnostics, first_error, TARGET_FLAGS};
use crate::lint::spawn::{self as command, run, tail};
use crate::repo::change::ChangedFile;
use crate::runner::Request;

pub const EXTENSIONS: &[&str] = &["rs"];

pub fn lint(change: &Change, files: &[&ChangedFile], deadline: Instant) -> Result<Sides, String> {
    if !command::succeeds(Path::new("cargo"), &["clippy", "--version"], change.clone) {
        return Err("cargo clippy is not installed".to_owned());
    }
    let scratch = tempfile::tempdir().map_err(|e| format!("create a scratch directory: {e}"))?;
    let target_dir = change
        .cargo_target_dir
        .map_or_else(|| scratch.path().join("target"), Path::to_path_buf);
    let mut checkout = Checkout::create(change.clone, change.base, &scratch.path().join("src"))?;
    let mut targets = None;
    let before = lint_side(
        &checkout,
        files,
        |f| f.before.is_some(),
        (&target_dir, &mut targets),
        deadline,
    )
    .map_err(|e| format!("at the base commit {}: {e}", short(change.base)))?;
    checkout.advance(change.head)?;
    let after = lint_side(
        &checkout,
        files,
        |f| f.after.is_some(),
        (&target_dir, &mut targets),
        deadline,
    )
    .map_err(|e| format!("at the head commit {}: {e}", short(change.head)))?;
    let Some(after) = after else {
        return Err("no Cargo package holds the changed .rs files".to_owned());
    };
    Ok(Sides {
        before: before.unwrap_or_default(),
        after,
    })
}

fn short(commit: &str) -> &str {
    commit.get(..10).unwrap_or(commit)
}

/// What one `cargo clippy` run covers: the packages that hold changed files, or the whole
/// workspace when a file's nearest manifest is the (virtual) workspace manifest itself.
#[derive(Debug, Default)]
struct Workspace {
    packages: BTreeSet<String>,
    whole: bool,
}

/// Counts of the checkout's current side; None when no changed file lies in a Cargo package.
fn lint_side(
    checkout: &Checkout,
    files: &[&ChangedFile],
    present: impl Fn(&ChangedFile) -> bool,
    (target_dir, targets): (&Path, &mut Option<Vec<String>>),
    deadline: Instant,
) -> Result<Option<Counts>, String> {
    let wanted: BTreeSet<String> = files
        .iter()
        .filter(|f| present(f))
        .map(|f| f.path.clone())
        .collect();
    let mut workspaces: BTreeMap<PathBuf, Workspace> = BTreeMap::new();
    let mut metadata_of: BTreeMap<PathBuf, Metadata> = BTreeMap::new();
    for path in &wanted {
        let Some(manifest) = nearest_manifest(checkout.dir(), path) else {
            continue;
        };
        if !metadata_of.contains_key(&manifest) {
            let metadata = metadata(checkout.dir(), &manifest, target_dir, deadline)?;
            metadata_of.insert(manifest.clone(), metadata);
        }
        let metadata = &metadata_of[&manifest];
        let workspace = workspaces
            .entry(metadata.workspace_root.clone())
            .or_default();
        match metadata
            .packages
            .iter()
            .find(|p| same_file(&p.manifest_path, &manifest))
        {
            Some(package) => {
                workspace.packages.insert(package.name.clone());
            }
            None => workspace.whole = true,
        }
    }
    if workspaces.is_empty() {
        return Ok(None);
    }
    let mut counts = Counts::new();
    for (root, workspace) in &workspaces {
        let stdout = clippy(root, workspace, (target_dir, &mut *targets), deadline)?;
        for (path, n) in count_diagnostics(&stdout, checkout, root, &wanted) {
            *counts.entry(path).or_insert(0) += n;
        }
    }
    Ok(Some(counts))
}

/// The `Cargo.toml` nearest above `path` inside the checkout.
fn nearest_manifest(dir: &Path, path: &str) -> Option<PathBuf> {
    let file = dir.join(path);
    let mut current = file.parent();
    while let Some(candidate) = current {
        if !candidate.starts_with(dir) {
            break;
        }
        let manifest = candidate.join("Cargo.toml");
        if manifest.is_file() {
            return Some(manifest);
        }
        current = candidate.parent();
    }
    None
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || a.canonicalize().ok() == b.canonicalize().ok()
}

#[derive(Debug, Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_root: PathBuf,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: String,
    manifest_path: PathBuf,
}

fn cargo(dir: &Path, target_dir: &Path) -> Request {
    Request::new("cargo", dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .writable(target_dir)
}

fn metadata(
    dir: &Path,
    manifest: &Path,
    target_dir: &Path,
    deadline: Instant,
) -> Result<Metadata, String> {
    let command = cargo(dir, target_dir)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest);
    let ran = run(command, None, deadline, "cargo metadata")?;
    if !ran.success {
        return Err(format!(
            "cargo metadata failed for {}: {}",
            manifest.display(),
            ran.stderr_tail()
        ));
    }
    serde_json::from_str(&ran.stdout).map_err(|e| format!("cargo metadata is unreadable: {e}"))
}

/// clippy's JSON messages for the workspace at `root` on `targets` (chosen on the first side:
/// every target, else those that build); Err when the code does not build.
fn clippy(
    root: &Path,
    workspace: &Workspace,
    (target_dir, targets): (&Path, &mut Option<Vec<String>>),
    deadline: Instant,
) -> Result<String, String> {
    let clippy_on = |flags: &[String]| {
        let mut command = cargo(root, target_dir)
            .args(["clippy", "--message-format=json"])
            .args(flags);
        if workspace.whole {
            command = command.arg("--workspace");
        } else {
            for package in &workspace.packages {
                command = command.args(["-p", package]);
            }
        }
        run(
            command.args(["--", "--cap-lints", "warn"]),
            None,
            deadline,
            "cargo clippy",
        )
    };
    let chosen = targets
        .clone()
        .unwrap_or_else(|| vec!["--all-targets".to_owned()]);
    let ran = clippy_on(&chosen)?;
    if ran.success {
        *targets = Some(chosen);
        return Ok(ran.stdout);
    }
    let why = first_error(&ran.stdout).unwrap_or_else(|| tail(&ran.stderr, 3));
    if targets.is_some() {
        return Err(format!("the code does not build: {why}"));
    }
    let mut building = Vec::new();
    for flag in TARGET_FLAGS {
        let one = [(*flag).to_owned()];
        if clippy_on(&one)?.success {
            building.push((*flag).to_owned());
        }
    }
    if building.is_empty() {
        return Err(format!("the code does not build: {why}"));
    }
    let ran = clippy_on(&building)?;
    if !ran.success {
        return Err(format!("the code does not build: {why}"));
    }
    tracing::info!(targets = ?building, "clippy judges the targets that build here ({why})");
    *targets = Some(building);
    Ok(ran.stdout)
}

/// Warnings and errors with a primary span in one of `wanted` (repository-relative paths),
/// counted once per distinct diagnostic. Paths in clippy's output are relative to the workspace
/// root `root` (or absolute, for a path dependency outside it).
fn count_diagnostics(
    stdout: &str,
    checkout: &Checkout,
    root: &Path,
    wanted: &BTreeSet<String>,
) -> Counts {
    let mut counts = Counts::new();
    for diagnostic in diagnostics(stdout) {
        let Some(path) = checkout.relative(root, &diagnostic.path) else {
            continue;
        };
        if wanted.contains(&path) {
            *counts.entry(path).or_insert(0) += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(file: &str, line: u32, level: &str, code: &str) -> String {
        serde_json::json!({
            "reason": "compiler-message",
            "package_id": "path+file:///w/crates/app#app@0.1.0",
            "message": {
                "message": "unneeded `return` statement",
                "code": {"code": code},
                "level": level,
                "spans": [
                    {"file_name": "/rustc/library/core/src/macros.rs", "line_start": 1, "column_start": 1, "is_primary": false},
                    {"file_name": file, "line_start": line, "column_start": 5, "is_primary": true}
                ]
            }
        })
        .to_string()
    }

    #[test]
    fn counts_distinct_diagnostics_on_the_changed_files_only() {
        let repo = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            super::super::checkout::tests::git(repo.path(), args);
        };
        git(&["init", "-q"]);
        std::fs::write(repo.path().join("README"), "x\n").unwrap();
        git(&["add", "-A"]);
        git(&["commit", "-qm", "c"]);
        let scratch = tempfile::tempdir().unwrap();
        let checkout = Checkout::create(repo.path(), "HEAD", &scratch.path().join("w")).unwrap();
        let root = checkout.dir().to_path_buf();
        let stdout = [
            message("crates/app/src/lib.rs", 3, "warning", "clippy::needless_return"),
            // The same warning again from the lib's test build.
            message("crates/app/src/lib.rs", 3, "warning", "clippy::needless_return"),
            message("crates/app/src/lib.rs", 9, "warning", "unused_variables"),
            // Not a changed file.
            message("crates/core/src/lib.rs", 1, "warning", "clippy::needless_return"),
            // A note is no finding.
            message("crates/app/src/lib.rs", 4, "note", ""),
            r#"{"reason":"compiler-message","message":{"message":"1 warning emitted","level":"warning","spans":[]}}"#.to_owned(),
            r#"{"reason":"build-finished","success":true}"#.to_owned(),
        ]
        .join("\n");
        let wanted = BTreeSet::from(["crates/app/src/lib.rs".to_owned()]);
        let counts = count_diagnostics(&stdout, &checkout, &root, &wanted);
        assert_eq!(
            counts,
            Counts::from([("crates/app/src/lib.rs".to_owned(), 2)])
        );
    }
}
