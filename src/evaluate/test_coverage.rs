//! test_coverage: measured coverage of the changed lines where a coverage tool is installed,
//! otherwise an estimate.
//!
//! The estimate, marked `estimated`: `0.3·suite + 0.7·tests`, where
//! - `tests = 100·min(1, test_lines / (0.5·code_lines))`: lines added to tests against lines
//!   added to code (one test line per two code lines counts as fully tested);
//! - `suite` is 100 when the implementation's final attempt ran a test command and it passed,
//!   0 when it failed, 50 when no test command ran.
//!
//! Test lines are lines of test files (under `tests/`, `test/`, `__tests__/`, `spec/`, or named
//! `test_*.py`, `*_test.py`, `*_test.go`, `*.test.*`, `*.spec.*`) and, in Rust, lines added
//! after a file's `#[cfg(test)]`. A change with no code and no test lines (documentation,
//! configuration) leaves the component unavailable: there is nothing to cover.

use std::path::Path;

use crate::analysis::Language;
use crate::artifacts::{CheckRun, Component, Method};

use super::change::ChangedFile;
use super::coverage::ChangedLineCoverage;
use super::score::{component, unavailable};
use crate::lint::paths::is_test_path;

/// Lines the change added to tests and to code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TestLines {
    pub test: u32,
    pub code: u32,
}

pub fn count_lines(files: &[ChangedFile]) -> TestLines {
    let mut lines = TestLines::default();
    for file in files {
        let path = Path::new(&file.path);
        if is_test_path(&file.path) {
            lines.test += file.added();
            continue;
        }
        if Language::of_path(path).is_none() {
            continue;
        }
        let test_module_start = (Language::of_path(path) == Some(Language::Rust))
            .then(|| rust_test_module_line(file.after.as_deref().unwrap_or_default()))
            .flatten();
        for line in &file.added_lines {
            match test_module_start {
                Some(start) if *line >= start => lines.test += 1,
                _ => lines.code += 1,
            }
        }
    }
    lines
}

/// The 1-based line of the first `#[cfg(test)]` in a Rust file.
fn rust_test_module_line(text: &str) -> Option<u32> {
    text.lines()
        .position(|l| l.trim_start().starts_with("#[cfg(test)]"))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Whether a check command runs tests.
pub fn is_test_command(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    words.iter().any(|w| {
        matches!(
            *w,
            "test"
                | "pytest"
                | "nextest"
                | "jest"
                | "vitest"
                | "mocha"
                | "unittest"
                | "tox"
                | "ctest"
        ) || w.ends_with("pytest")
    })
}

/// 100 when the final attempt's test commands passed, 0 when one failed, None when none ran.
fn suite_result(checks: &[CheckRun]) -> Option<bool> {
    let last = checks.iter().map(|c| c.attempt).max()?;
    let tests: Vec<&CheckRun> = checks
        .iter()
        .filter(|c| c.attempt == last && is_test_command(&c.command))
        .collect();
    (!tests.is_empty()).then(|| tests.iter().all(|c| c.passed))
}

pub fn estimate(files: &[ChangedFile], checks: &[CheckRun]) -> Component {
    let lines = count_lines(files);
    if lines.code == 0 && lines.test == 0 {
        return unavailable("the change adds no code and no tests: nothing to cover");
    }
    let tests = if lines.code == 0 {
        100.0
    } else {
        100.0 * (f64::from(lines.test) / (0.5 * f64::from(lines.code))).min(1.0)
    };
    let (suite, suite_text) = match suite_result(checks) {
        Some(true) => (100.0, "the test suite passed"),
        Some(false) => (0.0, "the test suite failed"),
        None => (50.0, "no test command ran"),
    };
    component(
        0.3 * suite + 0.7 * tests,
        Method::Estimated,
        format!(
            "no coverage tool measured the change; {} test line(s) added for {} code line(s), {suite_text}",
            lines.test, lines.code
        ),
    )
}

/// The component from a coverage run, falling back to the estimate when the run measured none
/// of the changed lines.
pub fn test_coverage(
    measured: Result<ChangedLineCoverage, String>,
    files: &[ChangedFile],
    checks: &[CheckRun],
) -> Component {
    match measured {
        Ok(coverage) => match coverage.percent() {
            Some(percent) => component(
                percent,
                Method::Measured,
                format!(
                    "{}: {} of {} instrumented changed line(s) ran under the tests",
                    coverage.tool, coverage.covered, coverage.instrumented
                ),
            ),
            None => with_reason(
                estimate(files, checks),
                &format!("{} instrumented none of the changed lines", coverage.tool),
            ),
        },
        Err(reason) => with_reason(estimate(files, checks), &reason),
    }
}

fn with_reason(mut component: Component, reason: &str) -> Component {
    component.evidence = format!("{reason}; {}", component.evidence);
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, after: &str, added: &[u32]) -> ChangedFile {
        ChangedFile {
            path: path.to_owned(),
            before: None,
            after: Some(after.to_owned()),
            added_lines: added.iter().copied().collect(),
            removed: 0,
        }
    }

    fn check(command: &str, passed: bool, attempt: u32) -> CheckRun {
        CheckRun {
            command: command.to_owned(),
            exit_code: Some(if passed { 0 } else { 1 }),
            passed,
            duration_secs: 1.0,
            timed_out: false,
            output_tail: String::new(),
            attempt,
        }
    }

    #[test]
    fn classifies_test_files_and_rust_test_modules() {
        let lib = "fn a() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n";
        let lines = count_lines(&[
            file("src/lib.rs", lib, &[1, 5, 6]),
            file("README.md", "x\n", &[1]),
        ]);
        assert_eq!(lines, TestLines { test: 2, code: 1 });
    }

    #[test]
    fn estimate_from_hand_computed_inputs() {
        // 10 code lines, 2 test lines: tests = 100 * 2 / 5 = 40; suite passed: 0.3*100 + 0.7*40 = 58.
        let code = file("src/a.py", "", &(1..=10).collect::<Vec<_>>());
        let test = file("tests/test_a.py", "", &[1, 2]);
        let checks = [
            check("pytest -q", false, 1),
            check("pytest -q", true, 2),
            check("ruff check", true, 2),
        ];
        let c = estimate(&[code.clone(), test.clone()], &checks);
        assert_eq!((c.score, c.method), (Some(58.0), Method::Estimated));
        // No test command: suite 50 -> 0.3*50 + 0.7*40 = 43.
        assert_eq!(estimate(&[code.clone(), test], &[]).score, Some(43.0));
        // No tests added and a failed suite: 0.
        assert_eq!(
            estimate(&[code], &[check("cargo test", false, 1)]).score,
            Some(0.0)
        );
        let docs = estimate(&[file("README.md", "x\n", &[1])], &[]);
        assert_eq!((docs.score, docs.method), (None, Method::Unavailable));
    }

    #[test]
    fn measured_coverage_wins_and_falls_back_when_empty() {
        let files = [file("src/a.py", "", &[1, 2, 3])];
        let measured = ChangedLineCoverage {
            tool: "coverage.py".into(),
            instrumented: 4,
            covered: 3,
        };
        let c = test_coverage(Ok(measured), &files, &[]);
        assert_eq!((c.score, c.method), (Some(75.0), Method::Measured));
        let empty = ChangedLineCoverage {
            tool: "coverage.py".into(),
            instrumented: 0,
            covered: 0,
        };
        let c = test_coverage(Ok(empty), &files, &[]);
        assert_eq!(c.method, Method::Estimated);
        assert!(
            c.evidence.starts_with("coverage.py instrumented none"),
            "{}",
            c.evidence
        );
    }
}
