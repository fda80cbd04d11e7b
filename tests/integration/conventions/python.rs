//! Python repositories: flake8 with black, no linter at all, a side-effect import in a script,
//! tests failing on the base, no tests.

use super::Case;

#[tokio::test]
async fn a_flake8_and_black_package_gets_flake8s_fixes_then_black() {
    let case = Case::run("flake8_black").await;
    // Only what flake8 reports under setup.cfg (two unused imports, trailing whitespace), fixed,
    // then black on the changed file: no three blank lines left behind, no whitespace-only line.
    case.assert_change(&[(
        "shapes/geometry.py",
        &["import os", "import sys", "", "    return width * height "],
        &["    return width * height"],
    )]);
    case.assert_no_new_findings("flake8", &["."], ": ");
    case.assert_no_new_findings("black", &["--check", "."], "would reformat");
}

#[tokio::test]
async fn an_unconfigured_package_gets_only_pyflakes_class_fixes() {
    let case = Case::run("plain_python").await;
    // The unused import goes and the f-string loses its `f`; the unsorted imports and the
    // unspaced `width*height` stay: no import sorting or style nobody asked for.
    case.assert_change(&[(
        "shapes/geometry.py",
        &["import sys", "    label = f\"area\""],
        &["    label = \"area\""],
    )]);
    case.assert_no_new_findings(
        "ruff",
        &["check", "--isolated", "--select", "F", "--no-cache", "."],
        ": F",
    );
}

#[tokio::test]
async fn side_effect_and_first_party_imports_are_kept() {
    let case = Case::run("script_import").await;
    // `import os` goes; `from shapes import plugins` (first-party, registers on import) stays,
    // and the demo script, whose `import fixpath` is there for its side effect, is untouched.
    // The blank lines around `import os` become one, as a person deleting it would leave them.
    case.assert_change(&[("shapes/rectangle.py", &["import os", ""], &[])]);
    case.assert_no_new_findings("ruff", &["check", "--no-cache", "."], "F401");
}

#[tokio::test]
async fn checks_failing_on_the_base_keep_nothing_and_blame_no_tool() {
    let case = Case::run("failing_base").await;
    case.assert_nothing("the checks already fail on main");
    assert!(
        !case.ran.stderr.contains("the fixes of"),
        "{}",
        case.ran.stderr
    );
}

#[tokio::test]
async fn a_package_without_tests_is_checked_by_building_and_linting() {
    let case = Case::run_with("no_tests", &["--keep-run-dir"]).await;
    case.assert_change(&[("shapes/geometry.py", &["import os", ""], &[])]);
    case.assert_no_new_findings("ruff", &["check", "--no-cache", "."], "F401");
    let implementation = case.artifact("implementation.json");
    let notes = implementation["notes"].to_string();
    assert!(
        notes.contains("No tests: `pytest` found no tests on the base."),
        "{notes}"
    );
    assert!(
        notes.contains("python3 -m py_compile 'shapes/geometry.py'"),
        "{notes}"
    );
    assert!(
        notes.contains("configuration: pyproject.toml [tool.ruff]"),
        "{notes}"
    );
    let checks = &implementation["checks"];
    assert_eq!(
        checks[0]["command"], "python3 -m py_compile 'shapes/geometry.py'",
        "{checks}"
    );
    assert_eq!(checks[0]["passed"], true);
}

/// Needs PyPI (a package registry, as the npm fixtures need npm's): the repository's own
/// requirements and its pinned black come from there.
#[tokio::test]
async fn a_package_with_requirements_and_a_pinned_black_gets_its_own_environment() {
    let case = Case::run("python_deps").await;
    // Its test imports `tabulate`, which the machine's Python does not have: the checks pass on
    // the base only in the repository's own environment.
    assert!(
        case.ran
            .stderr
            .contains("prepared the dependencies: a Python environment with"),
        "{}",
        case.ran.stderr
    );
    // black 24.8.0, the pre-commit pin, finds the test file formatted (a newer black would
    // restyle its multi-line assert), so the only change is ruff's unused import.
    assert!(
        case.ran.stderr.contains("black 24.8.0"),
        "{}",
        case.ran.stderr
    );
    case.assert_change(&[("src/tables/render.py", &["import os", ""], &[])]);
}

/// black is pinned (pre-commit) at a version no index has: the machine's black, of another
/// year, would restyle `area`'s signature and body, which the repository's own pre-commit would
/// revert, so it is not used; ruff's lint fix is still made (with its pinned 0.6.9 where PyPI is
/// reachable, else the machine's: a pinned ruff's lint rules do not restyle).
#[tokio::test]
async fn a_pinned_black_that_cannot_be_had_is_not_replaced_by_another_years() {
    let case = Case::run_with("python_pinned_unavailable", &["--keep-run-dir"]).await;
    case.assert_change(&[("shapes/geometry.py", &["import os", ""], &[])]);
    let context = case.artifact("context.json").to_string();
    assert!(
        context.contains("is not the repository's pinned 21.99.0 (.pre-commit-config.yaml)"),
        "{context}"
    );
}
