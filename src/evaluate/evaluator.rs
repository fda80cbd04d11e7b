//! Evaluating one committed change: reads it from git, measures or estimates each component, and
//! combines them into the evolution score.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::artifacts::{Component, Evaluation, Implementation, Review, TaskKind, Weights};
use crate::error::Error;

use super::code_quality::code_quality;
use super::coverage;
use super::lint::{lint_changes, Change, LintOutcome};
use super::maintainability::maintainability;
use super::readability::readability;
use super::score::evaluation;
use super::test_coverage::{behaviour_preserving, not_applicable, test_coverage};
use super::test_functions::test_delta;
use crate::repo::change::{changed_files, ChangedFile};

/// What the evaluation may do besides reading git.
#[derive(Debug, Clone)]
pub struct Options {
    pub weights: Weights,
    /// Run the repository's coverage tool when one is installed.
    pub coverage: bool,
    /// Run the linters on both sides of the change.
    pub lint: bool,
    /// The kind of the task the change carried out, when known: lint, format and refactors
    /// whose tests pass unchanged preserve behaviour, so test coverage does not apply.
    pub task_kind: Option<TaskKind>,
    pub coverage_timeout: Duration,
    /// Time each linter gets for both sides of the change.
    pub lint_timeout: Duration,
    /// The run's cargo target directory, where the context phase already built the
    /// dependencies; clippy builds them again in a scratch directory when None.
    pub cargo_target_dir: Option<PathBuf>,
    /// The run directory, whose lint records (context's of the base, the review's of the head)
    /// stand in for linting a side again; every side is linted when None.
    pub run_dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            weights: Weights::default(),
            coverage: true,
            lint: true,
            task_kind: None,
            coverage_timeout: Duration::from_secs(900),
            lint_timeout: Duration::from_secs(600),
            cargo_target_dir: None,
            run_dir: None,
        }
    }
}

/// The change of `implementation` in the clone at `clone`: None when nothing was committed.
pub fn change_of(
    clone: &Path,
    implementation: &Implementation,
) -> Result<Option<Vec<ChangedFile>>, Error> {
    let Some(commit) = &implementation.commit else {
        return Ok(None);
    };
    Ok(Some(changed_files(
        clone,
        &implementation.base_commit,
        commit,
    )?))
}

/// Every component but readability, which the caller may hand to a model.
pub fn measure_components(
    clone: &Path,
    implementation: &Implementation,
    files: &[ChangedFile],
    review: Option<&Review>,
    options: &Options,
) -> [Component; 3] {
    let linted = if options.lint {
        lint(clone, implementation, files, options)
    } else {
        Vec::new()
    };
    let quality = code_quality(review, &linted);
    let kind = options
        .task_kind
        .or_else(|| implementation.task.as_ref().map(|task| task.kind));
    let preserving = behaviour_preserving(kind, &test_delta(files), &implementation.checks);
    let coverage = match preserving {
        Some(reason) => not_applicable(reason),
        None => {
            let measured = if options.coverage {
                measure_coverage(clone, implementation, files, options.coverage_timeout)
            } else {
                Err("coverage measurement is turned off".to_owned())
            };
            test_coverage(measured, files, &implementation.checks)
        }
    };
    [quality, coverage, maintainability(files)]
}

/// The deterministic evaluation of a change (readability from signals, not a model).
pub fn evaluate(
    clone: &Path,
    implementation: &Implementation,
    files: &[ChangedFile],
    review: Option<&Review>,
    options: &Options,
) -> Evaluation {
    let [quality, coverage, maintainability] =
        measure_components(clone, implementation, files, review, options);
    evaluation(
        quality,
        coverage,
        maintainability,
        readability(files),
        options.weights,
    )
}

/// The linters' view of the change; nothing to lint when nothing was committed.
fn lint(
    clone: &Path,
    implementation: &Implementation,
    files: &[ChangedFile],
    options: &Options,
) -> Vec<LintOutcome> {
    let Some(head) = implementation.commit.as_deref() else {
        return Vec::new();
    };
    let change = Change {
        clone,
        base: &implementation.base_commit,
        head,
        cargo_target_dir: options.cargo_target_dir.as_deref(),
        run_dir: options.run_dir.as_deref(),
    };
    lint_changes(&change, files, options.lint_timeout)
}

fn measure_coverage(
    clone: &Path,
    implementation: &Implementation,
    files: &[ChangedFile],
    timeout: Duration,
) -> Result<coverage::ChangedLineCoverage, String> {
    let head = head_commit(clone).ok_or_else(|| "the clone has no readable HEAD".to_owned())?;
    let commit = implementation.commit.as_deref().unwrap_or_default();
    if commit.is_empty() || !head.starts_with(commit) {
        return Err(format!(
            "the clone is at {head}, not at the change's commit {commit}, so its tests cannot be measured"
        ));
    }
    let scratch = tempfile::tempdir().map_err(|e| format!("create a scratch directory: {e}"))?;
    let plan = coverage::plan(clone, scratch.path(), files).ok_or_else(|| {
        "no coverage tool for the changed files' languages is installed".to_owned()
    })?;
    let report = coverage::run(&plan, clone, timeout)?;
    Ok(coverage::changed_lines(plan.tool, &report, files))
}

fn head_commit(clone: &Path) -> Option<String> {
    let repository = git2::Repository::open(clone).ok()?;
    let commit = repository.head().ok()?.peel_to_commit().ok()?;
    Some(commit.id().to_string())
}

/// The clone of a run: `<run_dir>/repo` unless given.
pub fn clone_dir(run_dir: &Path, repo: Option<&PathBuf>) -> PathBuf {
    repo.cloned().unwrap_or_else(|| run_dir.join("repo"))
}
