//! clippy, the one place its diagnostics are run and read: the context's findings, the offline
//! fixes, the local review and the evaluation all run it through [`lint_pass`] and read it with
//! [`diagnostics`]. It builds in the run's one target directory (`crate::runner::build_dir`);
//! where the phase asks ([`Ctx::recording`]) the counts of a clean commit of the whole workspace
//! are recorded in the run directory, and the evaluation reads them ([`recorded`]) instead of
//! linting that commit again.
//!
//! Targets that do not build on the installed toolchain (a benchmark that needs nightly, say) are
//! left out rather than failing everything: `--all-targets` first, else each of `--lib`,
//! `--bins`, `--tests`, `--examples` that builds. Lints are capped at warnings, so a crate that
//! denies warnings is read, not failed; the crate's own lint levels, `clippy.toml` and MSRV
//! (`rust-version`) apply as clippy reads them itself.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::Instant;

use serde_json::Value;

use super::spawn::{self, Ran};
use super::tool::{Ctx, Failure, Recording, Tool, Use};
use crate::artifacts::{Finding, FindingKind, LintCounts};
use crate::runner::Request;

/// The repository's clippy configuration, when it is a Cargo project.
pub fn detect(root: &Path) -> Use {
    let manifest = root.join("Cargo.toml");
    if !manifest.is_file() {
        return Use::Absent;
    }
    let mut parts = Vec::new();
    for name in ["clippy.toml", ".clippy.toml"] {
        if root.join(name).is_file() {
            parts.push(name.to_owned());
        }
    }
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    if text.contains("[lints") || text.contains("[workspace.lints") {
        parts.push("[lints] in Cargo.toml".to_owned());
    }
    if let Some(msrv) = text
        .lines()
        .find(|l| l.trim_start().starts_with("rust-version"))
        .and_then(|l| l.split('"').nth(1))
    {
        parts.push(format!("MSRV {msrv}"));
    }
    if parts.is_empty() {
        parts.push("clippy's default lints".to_owned());
    }
    Use::Used(parts.join(", "))
}

/// One diagnostic of cargo's JSON messages, at its primary span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// As cargo printed it: relative to the workspace root, or absolute outside it.
    pub path: String,
    pub line_start: u32,
    pub line_end: u32,
    pub column: u32,
    pub level: String,
    /// `clippy::needless_return`, `unused_variables`, or the level when there is no code.
    pub code: String,
    pub message: String,
    pub rendered: String,
    /// Whether `cargo clippy --fix` applies a suggestion of it on its own.
    pub machine_applicable: bool,
}

/// The warnings and errors of cargo's JSON lines, each once (the lib and its test build report
/// the same warning twice).
pub fn diagnostics(stdout: &str) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for line in stdout.lines() {
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if value["reason"] != "compiler-message" {
            continue;
        }
        let message = &value["message"];
        let Some(level) = message["level"].as_str() else {
            continue;
        };
        if !matches!(level, "warning" | "error") {
            continue;
        }
        let Some(span) = primary_span(message) else {
            continue;
        };
        let Some(path) = span["file_name"].as_str() else {
            continue;
        };
        let number = |key: &str| {
            span[key]
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0)
        };
        let diagnostic = Diagnostic {
            path: path.to_owned(),
            line_start: number("line_start"),
            line_end: number("line_end").max(number("line_start")),
            column: number("column_start"),
            level: level.to_owned(),
            code: message["code"]["code"].as_str().unwrap_or(level).to_owned(),
            message: message["message"].as_str().unwrap_or_default().to_owned(),
            rendered: message["rendered"].as_str().unwrap_or_default().to_owned(),
            machine_applicable: machine_applicable(message),
        };
        let key = (
            diagnostic.path.clone(),
            diagnostic.line_start,
            diagnostic.column,
            diagnostic.code.clone(),
            diagnostic.message.clone(),
        );
        if seen.insert(key) {
            found.push(diagnostic);
        }
    }
    found
}

/// A compiler error's text and place, to say why a build failed.
pub fn first_error(stdout: &str) -> Option<String> {
    diagnostics(stdout)
        .into_iter()
        .find(|d| d.level == "error")
        .map(|d| format!("{} ({}:{})", d.message, d.path, d.line_start))
}

fn primary_span(message: &Value) -> Option<&Value> {
    message["spans"]
        .as_array()?
        .iter()
        .find(|s| s["is_primary"].as_bool() == Some(true))
}

/// Whether the diagnostic or one of its children carries a suggestion `cargo clippy --fix`
/// applies on its own.
fn machine_applicable(message: &Value) -> bool {
    let spans_fixable = |m: &Value| {
        m["spans"].as_array().is_some_and(|spans| {
            spans
                .iter()
                .any(|s| s["suggestion_applicability"] == "MachineApplicable")
        })
    };
    spans_fixable(message)
        || message["children"]
            .as_array()
            .is_some_and(|children| children.iter().any(spans_fixable))
}

/// Findings from cargo's JSON lines: those located in the repository's own files.
pub fn parse(stdout: &str) -> Vec<Finding> {
    diagnostics(stdout)
        .into_iter()
        .filter(|d| !d.path.starts_with('/') && !d.path.contains(".."))
        .map(|d| Finding {
            kind: FindingKind::Lint,
            path: d.path,
            line: (d.line_start > 0).then_some(d.line_start),
            message: format!("{}: {}", d.code, d.message),
            tool: "clippy".to_owned(),
            fixable: d.machine_applicable,
            score: None,
        })
        .collect()
}

/// The cargo targets that build here, and what was left out and why (None when all build).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Targets {
    pub flags: Vec<String>,
    pub left_out: Option<String>,
}

/// The targets tried one by one when `--all-targets` does not build.
pub(crate) const TARGET_FLAGS: &[&str] = &["--lib", "--bins", "--tests", "--examples"];

async fn cargo(ctx: &Ctx, args: &[String], what: &str) -> Result<Ran, Failure> {
    let target = ctx.cargo_target_dir.to_string_lossy().into_owned();
    spawn::tool(
        ctx,
        "cargo",
        args,
        &[
            ("CARGO_TARGET_DIR", target.as_str()),
            ("CARGO_TERM_COLOR", "never"),
        ],
        what,
    )
    .await
}

fn clippy_args(extra: &[&str], targets: &[String]) -> Vec<String> {
    let mut args = spawn::args(&["clippy", "--workspace"]);
    args.extend(spawn::args(extra));
    args.extend(targets.iter().cloned());
    args.extend(spawn::args(&["--", "--cap-lints", "warn"]));
    args
}

/// What one clippy pass lints: the workspace at `dir`, `packages` of it (`--workspace`, or
/// `-p name` each), built in `target_dir`, by `deadline`.
#[derive(Debug, Clone)]
pub(crate) struct Pass<'a> {
    pub dir: &'a Path,
    pub packages: Vec<String>,
    pub target_dir: &'a Path,
    pub deadline: Instant,
}

impl Pass<'_> {
    fn clippy(&self, targets: &[String]) -> Result<Ran, Failure> {
        let request = Request::new("cargo", self.dir)
            .env("CARGO_TARGET_DIR", self.target_dir)
            .env("CARGO_TERM_COLOR", "never")
            .writable(self.target_dir)
            .args(["clippy", "--message-format=json", "--quiet"])
            .args(&self.packages)
            .args(targets)
            .args(["--", "--cap-lints", "warn"]);
        spawn::run(request, None, self.deadline, "cargo clippy").map_err(|e| {
            if e.starts_with("start ") {
                Failure::Missing(e)
            } else {
                Failure::Crashed(e)
            }
        })
    }
}

/// clippy's JSON output of `pass` and the targets it covers: `targets` when given (the other
/// side of a change is judged on the same ones; Err when they do not build), else
/// `--all-targets`, else those of [`TARGET_FLAGS`] that build.
pub(crate) fn lint_pass(
    pass: &Pass<'_>,
    targets: Option<&[String]>,
) -> Result<(String, Targets), Failure> {
    let does_not_build =
        |ran: &Ran| first_error(&ran.stdout).unwrap_or_else(|| ran.first_error_line());
    let chosen = targets.map_or_else(|| vec!["--all-targets".to_owned()], <[String]>::to_vec);
    let ran = pass.clippy(&chosen)?;
    if ran.success {
        let targets = Targets {
            flags: chosen,
            left_out: None,
        };
        return Ok((ran.stdout, targets));
    }
    let why = does_not_build(&ran);
    if ran.stderr.contains("no such command") || ran.stderr.contains("not installed") {
        return Err(Failure::Missing(format!("cargo clippy: {why}")));
    }
    if targets.is_some() {
        return Err(Failure::Crashed(format!("the code does not build: {why}")));
    }
    let mut building = Vec::new();
    for flag in TARGET_FLAGS {
        if pass.clippy(&[(*flag).to_owned()])?.success {
            building.push((*flag).to_owned());
        }
    }
    if building.is_empty() {
        return Err(Failure::Crashed(format!("the code does not build: {why}")));
    }
    let ran = pass.clippy(&building)?;
    if !ran.success {
        return Err(Failure::Crashed(format!(
            "the code does not build: {}",
            does_not_build(&ran)
        )));
    }
    let left_out = format!(
        "left out {} (`--all-targets` does not build on this toolchain: {why})",
        TARGET_FLAGS
            .iter()
            .filter(|f| !building.iter().any(|b| b == *f))
            .copied()
            .chain(["--benches"])
            .collect::<Vec<_>>()
            .join(" ")
    );
    tracing::info!("clippy {left_out}");
    let targets = Targets {
        flags: building,
        left_out: Some(left_out),
    };
    Ok((ran.stdout, targets))
}

/// clippy's JSON output on the whole workspace at `ctx.root`, on the targets that build, and
/// those targets; recorded for the evaluation where the phase asks. Asked once per working tree:
/// an answer kept for the same files (`super::memo`) is read back instead.
pub async fn run(ctx: &Ctx) -> Result<(String, Targets), Failure> {
    let (root, target_dir) = (ctx.root.clone(), ctx.cargo_target_dir.clone());
    let deadline = Instant::now() + ctx.timeout;
    let (stdout, targets) = tokio::task::spawn_blocking(move || {
        if let Some(kept) = memo(&root).and_then(|m| m.get::<Kept>()) {
            return Ok((kept.messages, kept.targets));
        }
        let pass = Pass {
            dir: &root,
            packages: vec!["--workspace".to_owned()],
            target_dir: &target_dir,
            deadline,
        };
        let (stdout, targets) = lint_pass(&pass, None)?;
        // Asked of the tree as the pass left it: cargo may have written a `Cargo.lock`.
        keep(&root, &stdout, &targets);
        Ok((stdout, targets))
    })
    .await
    .map_err(|e| Failure::Crashed(format!("clippy's worker failed: {e}")))??;
    record(ctx, &stdout, &targets.flags).await;
    Ok((stdout, targets))
}

/// What [`run`] keeps of a pass: the compiler's messages (the rest of cargo's output is build
/// progress) and the targets.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Kept {
    messages: String,
    targets: Targets,
}

/// The question [`run`] asks of the working tree at `root`, as it is now: with cargo's own
/// configuration outside the repository, which can set the flags clippy builds with.
fn memo(root: &Path) -> Option<super::memo::Memo> {
    use sha2::Digest;
    let version = version(root)?;
    let config = sha2::Sha256::digest(crate::runner::Toolchains::from_env().cargo_home_config());
    let config = format!("cargo home configuration: {}", hex::encode(&config[..8]));
    let args = spawn::args(&[
        "clippy",
        "--workspace",
        "--message-format=json",
        "targets: those that build",
        &config,
    ]);
    super::memo::Memo::of(root, "clippy", &version, &args)
}

/// Keeps `stdout` as [`run`]'s answer for the working tree at `root` as it is now.
fn keep(root: &Path, stdout: &str, targets: &Targets) {
    if let Some(memo) = memo(root) {
        let messages: Vec<&str> = stdout
            .lines()
            .filter(|l| l.contains("\"compiler-message\""))
            .collect();
        memo.put(&Kept {
            messages: messages.join("\n"),
            targets: targets.clone(),
        });
    }
}

/// Findings by repository-relative file, then by rule (the code, or the level without one), of
/// cargo's JSON lines run at the workspace root; each distinct diagnostic once.
pub fn counts(stdout: &str) -> BTreeMap<String, BTreeMap<String, u32>> {
    let mut counts: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    for d in diagnostics(stdout) {
        if d.path.starts_with('/') || d.path.contains("..") {
            continue;
        }
        *counts.entry(d.path).or_default().entry(d.code).or_insert(0) += 1;
    }
    counts
}

/// clippy's version line (`clippy 0.1.83 (90b35a6 2024-11-26)`), None when it is not installed.
pub fn version(dir: &Path) -> Option<String> {
    spawn::version(Path::new("cargo"), &["clippy", "--version"], dir)
}

/// The record of `commit` in `run_dir`, when one was made with clippy `version`.
pub fn recorded(run_dir: &Path, commit: &str, version: &str) -> Option<LintCounts> {
    let path = crate::artifacts::lint_counts_path(run_dir, "clippy", commit);
    if !path.is_file() {
        return None;
    }
    let record: LintCounts = crate::artifacts::read(&path)
        .map_err(|e| tracing::warn!("clippy's record is unreadable, linting again: {e}"))
        .ok()?;
    if record.commit != commit || record.tool_version != version {
        tracing::info!(
            "clippy's record of {commit} was made by {}, not {version}: linting again",
            record.tool_version
        );
        return None;
    }
    Some(record)
}

/// Records the counts of `stdout` (clippy on `targets` of the whole workspace) when the phase
/// asks and the clone is a clean commit; a record that cannot be made is logged, never fatal.
async fn record(ctx: &Ctx, stdout: &str, targets: &[String]) {
    let Some(Recording { run_dir, phase }) = ctx.recording.clone() else {
        return;
    };
    let root = ctx.root.clone();
    let counts = counts(stdout);
    let targets = targets.to_vec();
    let made = tokio::task::spawn_blocking(move || {
        let commit = clean_head(&root)?;
        let tool_version =
            version(&root).ok_or_else(|| "cargo clippy --version gave nothing".to_owned())?;
        let record = LintCounts {
            linter: "clippy".to_owned(),
            phase: phase.to_owned(),
            commit,
            tool_version,
            targets,
            counts,
        };
        let path = crate::artifacts::lint_counts_path(&run_dir, "clippy", &record.commit);
        crate::artifacts::write(&path, &record, &crate::secrets::Redactor::default())
            .map_err(|e| e.to_string())
    })
    .await;
    match made {
        Ok(Ok(())) => {}
        Ok(Err(why)) => tracing::info!("clippy's counts are not recorded: {why}"),
        Err(e) => tracing::warn!("clippy's counts are not recorded: {e}"),
    }
}

/// The full id of the commit checked out at `root`, when nothing differs from it (no change,
/// no untracked file clippy could read but a `Cargo.lock` cargo wrote).
fn clean_head(root: &Path) -> Result<String, String> {
    let repository = git2::Repository::open(root).map_err(|e| e.message().to_owned())?;
    let head = repository
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| e.message().to_owned())?;
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).include_ignored(false);
    let statuses = repository
        .statuses(Some(&mut options))
        .map_err(|e| e.message().to_owned())?;
    // A Cargo.lock cargo wrote for a crate that commits none is the same on every side.
    let written_lock = |entry: &git2::StatusEntry<'_>| {
        entry.status() == git2::Status::WT_NEW
            && entry
                .path()
                .is_some_and(|p| p == "Cargo.lock" || p.ends_with("/Cargo.lock"))
    };
    if let Some(entry) = statuses.iter().find(|e| !written_lock(e)) {
        return Err(format!(
            "the clone differs from {} ({})",
            head.id(),
            entry.path().unwrap_or("a file")
        ));
    }
    Ok(head.id().to_string())
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    let (stdout, _) = run(ctx).await?;
    Ok(parse(&stdout))
}

/// `cargo clippy --fix` on the targets that build (the whole crate: the caller restores what
/// lies outside its task). cargo's last pass prints what is left on the fixed files, which is
/// [`run`]'s answer for them when the fix linted what [`run`] lints (every target, no rule
/// left out): kept, so the check of the fixes and the review ask nothing again.
pub async fn fix(ctx: &Ctx) -> Result<(), Failure> {
    let (_, targets) = run(ctx).await?;
    let mut args = clippy_args(
        &[
            "--fix",
            "--allow-dirty",
            "--allow-staged",
            "--allow-no-vcs",
            "--message-format=json",
            "--quiet",
        ],
        &targets.flags,
    );
    let avoided = super::avoid::clippy_flags(&ctx.avoided_for(Tool::Clippy));
    let whole = avoided.is_empty() && targets.left_out.is_none();
    args.extend(avoided);
    let ran = cargo(ctx, &args, "cargo clippy --fix").await?;
    if !ran.success {
        let why = first_error(&ran.stdout).unwrap_or_else(|| ran.first_error_line());
        return Err(Failure::Crashed(why));
    }
    if whole {
        let root = ctx.root.clone();
        let _ = tokio::task::spawn_blocking(move || keep(&root, &ran.stdout, &targets)).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_clippy_json_and_marks_machine_applicable_fixes() {
        let fixable = r#"{"reason":"compiler-message","message":{"level":"warning","message":"writing `&Vec` instead of `&[_]`","code":{"code":"clippy::ptr_arg"},"spans":[{"file_name":"src/main.rs","line_start":2,"is_primary":true,"suggestion_applicability":null}],"children":[{"spans":[{"file_name":"src/main.rs","line_start":2,"is_primary":true,"suggestion_applicability":"MachineApplicable"}]}]}}"#;
        let manual = r#"{"reason":"compiler-message","message":{"level":"warning","message":"function `f` is never used","code":{"code":"dead_code"},"spans":[{"file_name":"src/main.rs","line_start":3,"is_primary":true}],"children":[]}}"#;
        let foreign = r#"{"reason":"compiler-message","message":{"level":"warning","message":"x","code":null,"spans":[{"file_name":"/root/.cargo/registry/x.rs","line_start":1,"is_primary":true}],"children":[]}}"#;
        let note = r#"{"reason":"compiler-message","message":{"level":"note","message":"n","spans":[{"file_name":"src/main.rs","line_start":1,"is_primary":true}]}}"#;
        let text = [
            fixable,
            manual,
            manual,
            foreign,
            note,
            r#"{"reason":"build-finished"}"#,
        ]
        .join("\n");
        assert_eq!(diagnostics(&text).len(), 3, "each once, notes left out");
        let found = parse(&text);
        assert_eq!(found.len(), 2);
        assert!(found[0].fixable);
        assert_eq!(
            found[0].message,
            "clippy::ptr_arg: writing `&Vec` instead of `&[_]`"
        );
        assert_eq!(found[0].line, Some(2));
        assert!(!found[1].fixable);
    }

    #[test]
    fn a_compile_error_is_named() {
        let stdout = [
            r#"{"reason":"compiler-message","message":{"message":"mismatched types","level":"error","code":{"code":"E0308"},"spans":[{"file_name":"src/lib.rs","line_start":4,"is_primary":true}]}}"#,
            r#"{"reason":"build-finished","success":false}"#,
        ]
        .join("\n");
        assert_eq!(
            first_error(&stdout).as_deref(),
            Some("mismatched types (src/lib.rs:4)")
        );
    }

    #[test]
    fn configuration_is_named() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(detect(dir.path()), Use::Absent);
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"x\"\nrust-version = \"1.70\"\n\n[lints.clippy]\nall = \"warn\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("clippy.toml"), "").unwrap();
        assert_eq!(
            detect(dir.path()),
            Use::Used("clippy.toml, [lints] in Cargo.toml, MSRV 1.70".to_owned())
        );
    }
}
