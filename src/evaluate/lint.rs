//! Linter findings on the changed files, before and after the change, by every linter that
//! covers some of them: ruff or, in a repository that configures flake8 and not ruff, flake8
//! (Python), clippy (Rust), eslint (JavaScript/TypeScript) and golangci-lint (Go). Each linter counts its findings per file on both sides; the change
//! *introduced* what a file gained and *fixed* what it lost. A linter that covers changed files
//! but cannot judge them (not installed, no configuration, a side that does not build, out of
//! time) says why instead of giving a number.

mod checkout;
mod clippy;
mod eslint;
mod flake8;
mod golangci;
mod ruff;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::repo::change::ChangedFile;

/// Findings by repository-relative path, on one side of the change.
pub type Counts = BTreeMap<String, u32>;

/// A linter's counts on both sides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sides {
    pub before: Counts,
    pub after: Counts,
    /// Sides taken from an earlier phase's lint record (`before: reused from context`).
    pub reused: Vec<String>,
}

/// The change as the linters that need the whole project see it: the clone and its two commits.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub clone: &'a Path,
    pub base: &'a str,
    pub head: &'a str,
    /// The run's shared cargo target directory; a scratch one when None.
    pub cargo_target_dir: Option<&'a Path>,
    /// The run directory with the lint records earlier phases made; None lints every side.
    pub run_dir: Option<&'a Path>,
}

type LintFn = fn(&Change, &[&ChangedFile], Instant) -> Result<Sides, String>;

/// A linter: its name, the file extensions it covers, which files of those are its to judge in
/// the clone (`applies(clone, path)`), and how it lints both sides.
#[derive(Debug, Clone, Copy)]
struct Linter {
    name: &'static str,
    extensions: &'static [&'static str],
    applies: fn(&Path, &str) -> bool,
    lint: LintFn,
}

fn always(_clone: &Path, _path: &str) -> bool {
    true
}

const LINTERS: &[Linter] = &[
    Linter {
        name: "ruff",
        extensions: ruff::EXTENSIONS,
        applies: ruff::applies,
        lint: ruff::lint,
    },
    Linter {
        name: "flake8",
        extensions: ruff::EXTENSIONS,
        applies: flake8::applies,
        lint: flake8::lint,
    },
    Linter {
        name: "clippy",
        extensions: clippy::EXTENSIONS,
        applies: always,
        lint: clippy::lint,
    },
    Linter {
        name: "eslint",
        extensions: eslint::EXTENSIONS,
        applies: always,
        lint: eslint::lint,
    },
    Linter {
        name: "golangci-lint",
        extensions: golangci::EXTENSIONS,
        applies: always,
        lint: golangci::lint,
    },
];

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
    /// Sides taken from an earlier phase's lint record rather than linted again.
    pub reused: Vec<String>,
}

impl LintDelta {
    /// The delta of `sides` over `files`.
    pub fn of(linter: &'static str, files: &[&ChangedFile], sides: &Sides) -> Self {
        let mut delta = Self {
            linter,
            files: files.len(),
            before: 0,
            after: 0,
            introduced: 0,
            fixed: 0,
            reused: sides.reused.clone(),
        };
        for file in files {
            let was = sides.before.get(&file.path).copied().unwrap_or(0);
            let is = sides.after.get(&file.path).copied().unwrap_or(0);
            delta.before += was;
            delta.after += is;
            delta.introduced += is.saturating_sub(was);
            delta.fixed += was.saturating_sub(is);
        }
        delta
    }
}

/// What one linter made of the changed files it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LintOutcome {
    Linted(LintDelta),
    /// The linter covers `files` changed files but could not judge them, for `reason`.
    NotLinted {
        linter: &'static str,
        files: usize,
        reason: String,
    },
}

impl LintOutcome {
    pub fn delta(&self) -> Option<&LintDelta> {
        match self {
            Self::Linted(delta) => Some(delta),
            Self::NotLinted { .. } => None,
        }
    }

    /// Why the linter gave no number, for the evidence.
    pub fn note(&self) -> Option<String> {
        match self {
            Self::Linted(_) => None,
            Self::NotLinted {
                linter,
                files,
                reason,
            } => Some(format!(
                "{linter} could not lint {files} changed file(s): {reason}"
            )),
        }
    }
}

/// Runs every linter that covers some of `files` (those the head still has); each gets
/// `timeout` for both sides.
pub fn lint_changes(change: &Change, files: &[ChangedFile], timeout: Duration) -> Vec<LintOutcome> {
    LINTERS
        .iter()
        .filter_map(|linter| {
            let covered: Vec<&ChangedFile> = files
                .iter()
                .filter(|f| f.after.is_some() && has_extension(&f.path, linter.extensions))
                .filter(|f| (linter.applies)(change.clone, &f.path))
                .collect();
            if covered.is_empty() {
                return None;
            }
            let deadline = Instant::now() + timeout;
            let outcome = match (linter.lint)(change, &covered, deadline) {
                Ok(sides) => LintOutcome::Linted(LintDelta::of(linter.name, &covered, &sides)),
                Err(reason) => {
                    tracing::warn!("{} could not lint the changed files: {reason}", linter.name);
                    let reason = if reason.ends_with("ran out of time") {
                        format!("{reason} (limit {}s)", timeout.as_secs())
                    } else {
                        reason
                    };
                    LintOutcome::NotLinted {
                        linter: linter.name,
                        files: covered.len(),
                        reason,
                    }
                }
            };
            Some(outcome)
        })
        .collect()
}

fn has_extension(path: &str, extensions: &[&str]) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.contains(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> ChangedFile {
        ChangedFile {
            path: path.to_owned(),
            before: Some(String::new()),
            after: Some(String::new()),
            added_lines: Default::default(),
            removed: 0,
            removed_lines: std::collections::BTreeSet::new(),
        }
    }

    #[test]
    fn introduced_and_fixed_are_counted_file_by_file() {
        let (a, b, c) = (file("a.rs"), file("b.rs"), file("c.rs"));
        let sides = Sides {
            before: Counts::from([("a.rs".to_owned(), 3), ("b.rs".to_owned(), 1)]),
            // a.rs: 3 -> 1 (2 fixed); b.rs: 1 -> 2 (1 introduced); c.rs: 0 -> 1 (1 introduced);
            // other.rs is not a changed file.
            after: Counts::from([
                ("a.rs".to_owned(), 1),
                ("b.rs".to_owned(), 2),
                ("c.rs".to_owned(), 1),
                ("other.rs".to_owned(), 9),
            ]),
            reused: Vec::new(),
        };
        let delta = LintDelta::of("clippy", &[&a, &b, &c], &sides);
        assert_eq!(
            delta,
            LintDelta {
                linter: "clippy",
                files: 3,
                before: 4,
                after: 4,
                introduced: 2,
                fixed: 2,
                reused: Vec::new(),
            }
        );
    }

    #[test]
    fn a_linter_that_cannot_judge_says_why() {
        let outcome = LintOutcome::NotLinted {
            linter: "eslint",
            files: 2,
            reason: "eslint is not installed".to_owned(),
        };
        assert_eq!(outcome.delta(), None);
        assert_eq!(
            outcome.note().unwrap(),
            "eslint could not lint 2 changed file(s): eslint is not installed"
        );
    }
}
