//! test_coverage: whether the change's new behaviour is tested.
//!
//! - Behaviour-preserving changes have nothing new to cover: lint and format tasks, and
//!   refactors that add and remove no test while the final test run passes ("tests pass
//!   unchanged"), mark the component `not_applicable`; like `unavailable`, it then carries no
//!   weight and the others' weights are renormalised.
//! - Otherwise measured coverage of the changed lines where the repository's coverage tool is
//!   installed (see [`coverage`](super::coverage)), else an estimate, marked `estimated`:
//!   `0.3·suite + 0.7·tests − 25·removed`, clamped to 0-100, where
//!   - `tests = 100·min(1, added_tests / ceil(changed_code_functions / 2))`: new test cases
//!     (test functions, `it()`/`test()` calls; see [`test_functions`](super::test_functions)),
//!     one per two changed code functions counting as fully tested (100 when no code function
//!     changed but tests were added);
//!   - `removed` the test cases the change deleted;
//!   - `suite` is 100 when the implementation's final attempt ran a test command and it passed,
//!     0 when it failed, 50 when no test command ran.
//!
//! A change with no code and no tests (documentation, configuration) leaves the component
//! unavailable: there is nothing to cover.

use std::path::Path;

use crate::analysis::Language;
use crate::artifacts::{CheckRun, Component, Method, TaskKind};

use super::changed_functions::changed_functions;
use super::coverage::ChangedLineCoverage;
use super::score::{component, unavailable};
use super::test_functions::{test_delta, TestDelta};
use crate::lint::paths::is_test_path;
use crate::repo::change::ChangedFile;

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

/// Whether a change of this kind, with these tests and checks, preserves behaviour; the
/// reason when it does.
pub fn behaviour_preserving(
    kind: Option<TaskKind>,
    tests: &TestDelta,
    checks: &[CheckRun],
) -> Option<String> {
    match kind? {
        TaskKind::Lint | TaskKind::Format => Some(format!(
            "a {} task preserves behaviour: no new behaviour to cover",
            kind?.as_str()
        )),
        TaskKind::Refactor
            if tests.added.is_empty() && tests.removed.is_empty()
                && suite_result(checks) == Some(true) =>
        {
            Some("a refactor whose tests pass unchanged preserves behaviour: no new behaviour to cover".to_owned())
        }
        _ => None,
    }
}

/// A component for a behaviour-preserving change.
pub fn not_applicable(reason: impl Into<String>) -> Component {
    Component {
        score: None,
        method: Method::NotApplicable,
        evidence: reason.into(),
    }
}

/// The estimate documented above.
pub fn estimate(files: &[ChangedFile], checks: &[CheckRun]) -> Component {
    let tests = test_delta(files);
    let code_functions: usize = changed_functions(files)
        .iter()
        .map(|f| {
            f.code_pairs()
                .iter()
                .filter(|(_, after)| after.is_some())
                .count()
        })
        .sum();
    let code_lines: usize = files
        .iter()
        .filter(|f| !is_test_path(&f.path) && Language::of_path(Path::new(&f.path)).is_some())
        .map(|f| f.added_lines.len())
        .sum();
    if code_functions == 0 && code_lines == 0 && tests.added.is_empty() && tests.removed.is_empty()
    {
        return unavailable("the change adds no code and no tests: nothing to cover");
    }
    let expected = code_functions.div_ceil(2);
    let tested = if expected == 0 {
        if tests.added.is_empty() {
            0.0
        } else {
            100.0
        }
    } else {
        100.0 * (tests.added.len() as f64 / expected as f64).min(1.0)
    };
    let (suite, suite_text) = match suite_result(checks) {
        Some(true) => (100.0, "the test suite passed"),
        Some(false) => (0.0, "the test suite failed"),
        None => (50.0, "no test command ran"),
    };
    let removed = f64::from(tests.removed_count());
    component(
        0.3 * suite + 0.7 * tested - 25.0 * removed,
        Method::Estimated,
        format!(
            "no coverage tool measured the change; {} test case(s) added and {} removed for {code_functions} changed code function(s), {suite_text}",
            tests.added_count(),
            tests.removed_count(),
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
            added_lines: added.iter().copied().collect(),
            ..ChangedFile::from_sides(path, None, Some(after))
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
    fn estimate_counts_test_functions_not_lines() {
        let before = "def half(value):\n    return value\n";
        let after = "def half(value):\n    return value / 2\n\n\ndef double(value):\n    return value * 2\n";
        let code = ChangedFile::from_sides("calc.py", Some(before), Some(after));
        let one_test = ChangedFile::from_sides(
            "test_calc.py",
            None,
            Some("from calc import half\n\n\ndef test_half():\n    assert half(4) == 2\n    assert half(2) == 1\n    assert half(0) == 0\n"),
        );
        let checks = [check("pytest -q", false, 1), check("pytest -q", true, 2)];
        // Two changed code functions expect one test: fully tested; suite passed: 100.
        let c = estimate(&[code.clone(), one_test.clone()], &checks);
        assert_eq!(
            (c.score, c.method),
            (Some(100.0), Method::Estimated),
            "{}",
            c.evidence
        );
        assert!(
            c.evidence.contains("1 test case(s) added"),
            "{}",
            c.evidence
        );
        // No test: 0.3 * 100.
        assert_eq!(
            estimate(std::slice::from_ref(&code), &checks).score,
            Some(30.0)
        );
        // Lines added to an existing test without a new test function add no test.
        let touched = ChangedFile::from_sides(
            "test_calc.py",
            Some("def test_half():\n    assert 1\n"),
            Some("def test_half():\n    assert 1\n    assert 2\n    assert 3\n"),
        );
        assert_eq!(
            estimate(&[code.clone(), touched], &checks).score,
            Some(30.0)
        );
        // A deleted test costs 25.
        let deleted = ChangedFile::from_sides(
            "test_calc.py",
            Some("def test_half():\n    assert 1\n"),
            None,
        );
        assert_eq!(estimate(&[code, deleted], &checks).score, Some(5.0));
        let docs = estimate(
            &[ChangedFile::from_sides("README.md", None, Some("x\n"))],
            &[],
        );
        assert_eq!((docs.score, docs.method), (None, Method::Unavailable));
    }

    #[test]
    fn behaviour_preserving_tasks_are_not_applicable() {
        let none = TestDelta::default();
        let passed = [check("cargo test", true, 1)];
        assert!(behaviour_preserving(Some(TaskKind::Lint), &none, &[]).is_some());
        assert!(behaviour_preserving(Some(TaskKind::Format), &none, &[]).is_some());
        assert!(behaviour_preserving(Some(TaskKind::Refactor), &none, &passed).is_some());
        assert!(behaviour_preserving(Some(TaskKind::Refactor), &none, &[]).is_none());
        assert!(behaviour_preserving(Some(TaskKind::BugFix), &none, &passed).is_none());
        assert!(behaviour_preserving(None, &none, &passed).is_none());
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
