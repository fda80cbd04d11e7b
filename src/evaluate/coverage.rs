//! Measured coverage of the changed lines: the repository's coverage tool, when installed, runs
//! its tests at the head commit and writes an LCOV report; the score is the share of the added
//! lines the tool instruments that ran.
//!
//! Tools, first match wins: Rust — `cargo llvm-cov`, then `cargo tarpaulin`; Python —
//! coverage.py (with pytest when importable, else unittest); JavaScript/TypeScript — c8, then
//! nyc, around `npm test`. Only the repository's own test suite runs, as the checks do.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::lcov::{self, LineCoverage};
use crate::analysis::Language;
use crate::lint::paths::is_test_path;
use crate::repo::change::ChangedFile;
use crate::runner::{self, Request};

/// The result of a coverage run over the changed lines.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedLineCoverage {
    pub tool: String,
    pub instrumented: u32,
    pub covered: u32,
}

impl ChangedLineCoverage {
    pub fn percent(&self) -> Option<f64> {
        (self.instrumented > 0)
            .then(|| 100.0 * f64::from(self.covered) / f64::from(self.instrumented))
    }
}

/// How a coverage tool is run: commands in order, the last leaving an LCOV report at `report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveragePlan {
    pub tool: &'static str,
    pub commands: Vec<Vec<String>>,
    pub report: PathBuf,
}

/// The coverage tool for the repository at `clone`, if one is installed. A tool runs only for a
/// language the change touched code in (a Python coverage run says nothing about a Rust change,
/// and on a repository without Python it has nothing to run).
pub fn plan(clone: &Path, out_dir: &Path, files: &[ChangedFile]) -> Option<CoveragePlan> {
    let changed: BTreeSet<Language> = files
        .iter()
        .filter(|f| f.after.is_some())
        .filter_map(|f| Language::of_path(Path::new(&f.path)))
        .collect();
    let touches = |languages: &[Language]| languages.iter().any(|l| changed.contains(l));
    let report = out_dir.join("lcov.info");
    let report_arg = report.to_string_lossy().into_owned();
    let out_arg = out_dir.to_string_lossy().into_owned();
    let words = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    if touches(&[Language::Rust]) && clone.join("Cargo.toml").is_file() {
        if succeeds("cargo", &["llvm-cov", "--version"], clone) {
            return Some(CoveragePlan {
                tool: "cargo llvm-cov",
                commands: vec![[
                    words(&["cargo", "llvm-cov", "--lcov", "--output-path"]),
                    vec![report_arg],
                ]
                .concat()],
                report,
            });
        }
        if succeeds("cargo", &["tarpaulin", "--version"], clone) {
            return Some(CoveragePlan {
                tool: "cargo tarpaulin",
                commands: vec![[
                    words(&["cargo", "tarpaulin", "--out", "Lcov", "--output-dir"]),
                    vec![out_arg],
                ]
                .concat()],
                report,
            });
        }
    }
    if touches(&[Language::Python])
        && is_python_project(clone)
        && succeeds("python3", &["-m", "coverage", "--version"], clone)
    {
        let runner = if succeeds("python3", &["-c", "import pytest"], clone) {
            words(&["-m", "pytest", "-q"])
        } else {
            words(&["-m", "unittest", "discover"])
        };
        return Some(CoveragePlan {
            tool: "coverage.py",
            commands: vec![
                [words(&["python3", "-m", "coverage", "run"]), runner].concat(),
                [
                    words(&["python3", "-m", "coverage", "lcov", "-o"]),
                    vec![report_arg],
                ]
                .concat(),
            ],
            report,
        });
    }
    let scripts = [Language::JavaScript, Language::TypeScript, Language::Tsx];
    if touches(&scripts) && clone.join("package.json").is_file() {
        for (tool, reporter) in [("c8", "--reporter=lcov"), ("nyc", "--reporter=lcovonly")] {
            let local = clone.join("node_modules/.bin").join(tool);
            let program = if local.is_file() {
                local.to_string_lossy().into_owned()
            } else if succeeds(tool, &["--version"], clone) {
                tool.to_owned()
            } else {
                continue;
            };
            return Some(CoveragePlan {
                tool,
                commands: vec![vec![
                    program,
                    reporter.to_owned(),
                    "--report-dir".to_owned(),
                    out_arg,
                    "npm".to_owned(),
                    "test".to_owned(),
                ]],
                report,
            });
        }
    }
    None
}

fn is_python_project(clone: &Path) -> bool {
    [
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "pytest.ini",
        "tox.ini",
    ]
    .iter()
    .any(|f| clone.join(f).is_file())
        || std::fs::read_dir(clone).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.ends_with(".py")
            })
        })
}

fn succeeds(program: &str, args: &[&str], dir: &Path) -> bool {
    let request = Request::new(program, dir)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output_cap(4096);
    runner::run(&request).is_ok_and(|ran| ran.success())
}

/// Runs the plan in `clone` through the runner (the report's directory writable too); the LCOV
/// report, or why there is none.
pub fn run(plan: &CoveragePlan, clone: &Path, timeout: Duration) -> Result<LineCoverage, String> {
    let deadline = Instant::now().checked_add(timeout);
    for command in &plan.commands {
        let (program, args) = command
            .split_first()
            .ok_or_else(|| "an empty coverage command".to_owned())?;
        let mut request = Request::new(program, clone)
            .args(args)
            .timeout(timeout)
            .output_cap(64 * 1024);
        if let Some(deadline) = deadline {
            request = request.deadline(deadline);
        }
        if let Some(out_dir) = plan.report.parent() {
            request = request.writable(out_dir);
        }
        let ran = runner::run(&request).map_err(|e| format!("start {program}: {e}"))?;
        if ran.timed_out {
            return Err(format!(
                "{} timed out after {}s",
                plan.tool,
                timeout.as_secs()
            ));
        }
        // Failing tests still leave a report worth reading; a missing report is the error.
        if !ran.success() {
            tracing::info!("{} exited with {:?}", command.join(" "), ran.code);
        }
    }
    let report = std::fs::read_to_string(&plan.report).map_err(|e| {
        format!(
            "{} wrote no report at {}: {e}",
            plan.tool,
            plan.report.display()
        )
    })?;
    Ok(lcov::parse(&report))
}

/// The coverage of the lines the change added to code (test files are left out: that tests
/// run themselves says nothing), by the report.
pub fn changed_lines(
    tool: &str,
    report: &LineCoverage,
    files: &[ChangedFile],
) -> ChangedLineCoverage {
    let mut result = ChangedLineCoverage {
        tool: tool.to_owned(),
        instrumented: 0,
        covered: 0,
    };
    for file in files.iter().filter(|f| !is_test_path(&f.path)) {
        let Some(lines) = report.file(&file.path) else {
            continue;
        };
        for line in &file.added_lines {
            if lines.instrumented.contains(line) {
                result.instrumented += 1;
                if lines.covered.contains(line) {
                    result.covered += 1;
                }
            }
        }
    }
    result
}
