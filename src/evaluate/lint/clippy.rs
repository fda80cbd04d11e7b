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
//!
//! A side is not linted again when an earlier phase already linted that commit of the whole
//! workspace with the same clippy (`crate::lint::clippy::recorded`: the context's record of the
//! base, the review's of the head) and every changed file lies in that workspace; the evidence
//! then says `before: reused from context`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;

use super::checkout::Checkout;
use super::{Change, Counts, Sides};
use crate::artifacts::LintCounts;
use crate::lint::clippy::{diagnostics, lint_pass, Pass};
use crate::lint::spawn::run;
use crate::lint::tool::Failure;
use crate::repo::change::ChangedFile;
use crate::runner::Request;

pub const EXTENSIONS: &[&str] = &["rs"];

pub fn lint(change: &Change, files: &[&ChangedFile], deadline: Instant) -> Result<Sides, String> {
    let Some(version) = crate::lint::clippy::version(change.clone) else {
        return Err("cargo clippy is not installed".to_owned());
    };
    let scratch = tempfile::tempdir().map_err(|e| format!("create a scratch directory: {e}"))?;
    let target_dir = change
        .cargo_target_dir
        .map_or_else(|| scratch.path().join("target"), Path::to_path_buf);
    let mut checkout = Checkout::create(change.clone, change.base, &scratch.path().join("src"))?;
    let recorded = |commit: String| {
        change
            .run_dir
            .and_then(|run_dir| crate::lint::clippy::recorded(run_dir, &commit, &version))
    };
    let mut targets = None;
    let mut reused = Vec::new();
    let base_record = recorded(checkout.commit());
    let side = Side {
        files,
        record: base_record.as_ref(),
        target_dir: &target_dir,
        deadline,
    };
    let before = lint_side(&checkout, &side, |f| f.before.is_some(), &mut targets)
        .map_err(|e| format!("at the base commit {}: {e}", short(change.base)))?;
    reused.extend(
        before
            .as_ref()
            .and_then(|b| b.1.clone())
            .map(|by| format!("before: {by}")),
    );
    checkout.advance(change.head)?;
    let head_record = recorded(checkout.commit());
    let side = Side {
        record: head_record.as_ref(),
        ..side
    };
    let after = lint_side(&checkout, &side, |f| f.after.is_some(), &mut targets)
        .map_err(|e| format!("at the head commit {}: {e}", short(change.head)))?;
    let Some((after, after_by)) = after else {
        return Err("no Cargo package holds the changed .rs files".to_owned());
    };
    reused.extend(after_by.map(|by| format!("after: {by}")));
    Ok(Sides {
        before: before.map(|b| b.0).unwrap_or_default(),
        after,
        reused,
    })
}

/// What one side is linted with: the changed files, an earlier phase's record of the side's
/// commit, the target directory and the deadline.
#[derive(Debug, Clone, Copy)]
struct Side<'a> {
    files: &'a [&'a ChangedFile],
    record: Option<&'a LintCounts>,
    target_dir: &'a Path,
    deadline: Instant,
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

/// Counts of the checkout's current side, and which phase's record they come from when they
/// were not linted here; None when no changed file lies in a Cargo package.
fn lint_side(
    checkout: &Checkout,
    side: &Side,
    present: impl Fn(&ChangedFile) -> bool,
    targets: &mut Option<Vec<String>>,
) -> Result<Option<(Counts, Option<String>)>, String> {
    let Side {
        files,
        record,
        target_dir,
        deadline,
    } = *side;
    let wanted: BTreeSet<String> = files
        .iter()
        .filter(|f| present(f))
        .map(|f| f.path.clone())
        .collect();
    // Every changed file in the root's package: the record of the whole workspace there covers
    // them, and cargo need not be asked where the workspace lies.
    let manifests: Vec<Option<PathBuf>> = wanted
        .iter()
        .map(|path| nearest_manifest(checkout.dir(), path))
        .collect();
    let root_manifest = checkout.dir().join("Cargo.toml");
    let at_root = manifests.iter().any(Option::is_some)
        && manifests.iter().flatten().all(|m| *m == root_manifest);
    if let Some(record) = record.filter(|r| at_root && same_targets(r, targets)) {
        return Ok(Some(reuse(record, &wanted, targets)));
    }
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
    if let Some(record) = record.filter(|r| covers(r, checkout, &workspaces, targets)) {
        return Ok(Some(reuse(record, &wanted, targets)));
    }
    let mut counts = Counts::new();
    for (root, workspace) in &workspaces {
        let stdout = clippy(root, workspace, (target_dir, &mut *targets), deadline)?;
        for (path, n) in count_diagnostics(&stdout, checkout, root, &wanted) {
            *counts.entry(path).or_insert(0) += n;
        }
    }
    Ok(Some((counts, None)))
}

/// The counts of `wanted` in `record`, which says the targets from now on.
fn reuse(
    record: &LintCounts,
    wanted: &BTreeSet<String>,
    targets: &mut Option<Vec<String>>,
) -> (Counts, Option<String>) {
    *targets = Some(record.targets.clone());
    let counts = wanted
        .iter()
        .map(|path| (path.clone(), record.total(path)))
        .filter(|(_, n)| *n > 0)
        .collect();
    (counts, Some(format!("reused from {}", record.phase)))
}

/// Whether `record` covers the targets the other side used, if it was linted.
fn same_targets(record: &LintCounts, targets: &Option<Vec<String>>) -> bool {
    targets.as_ref().is_none_or(|t| *t == record.targets)
}

/// Whether `record` (clippy on the whole workspace at the checkout's root) covers what this side
/// lints: one workspace, the root's, on the targets the other side used, if it was linted.
fn covers(
    record: &LintCounts,
    checkout: &Checkout,
    workspaces: &BTreeMap<PathBuf, Workspace>,
    targets: &Option<Vec<String>>,
) -> bool {
    let one_at_root = workspaces.len() == 1
        && workspaces
            .keys()
            .all(|root| same_file(root, checkout.dir()));
    one_at_root && same_targets(record, targets)
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
/// every target, else those that build, by `crate::lint::clippy::lint_pass`); Err when the code
/// does not build.
fn clippy(
    root: &Path,
    workspace: &Workspace,
    (target_dir, targets): (&Path, &mut Option<Vec<String>>),
    deadline: Instant,
) -> Result<String, String> {
    let packages = if workspace.whole {
        vec!["--workspace".to_owned()]
    } else {
        workspace
            .packages
            .iter()
            .flat_map(|p| ["-p".to_owned(), p.clone()])
            .collect()
    };
    let pass = Pass {
        dir: root,
        packages,
        target_dir,
        deadline,
    };
    let (stdout, chosen) = lint_pass(&pass, targets.as_deref()).map_err(|f| match f {
        Failure::Missing(why) | Failure::Crashed(why) => why,
    })?;
    *targets = Some(chosen.flags);
    Ok(stdout)
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
