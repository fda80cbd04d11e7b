//! The checks on the base commit, before anything changes: a change is only blamed for what it
//! broke. Checks that already fail on the base mean the run keeps nothing and says so, naming the
//! base, never the tool; a test command that finds no tests at all (pytest's exit 5) is "no
//! tests", left out of the change's checks, which then still must build and lint. Results are
//! cached per base tree and check list, in the cache directory, so a daily run on an unchanged
//! base does not run the suite twice.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use super::checks;
use super::workspace::Workspace;
use crate::artifacts::CheckRun;
use crate::error::Error;

/// What the checks said on the base.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baseline {
    /// Every check's run on the base.
    pub runs: Vec<CheckRun>,
    /// The checks that already fail there.
    pub failing: Vec<CheckRun>,
    /// The test commands that found no tests.
    pub no_tests: Vec<String>,
}

impl Baseline {
    /// From the base runs of the checks.
    pub fn of(runs: Vec<CheckRun>) -> Self {
        let mut baseline = Self::default();
        for run in &runs {
            if run.passed {
                continue;
            }
            if finds_no_tests(run) {
                baseline.no_tests.push(run.command.clone());
            } else {
                baseline.failing.push(run.clone());
            }
        }
        baseline.runs = runs;
        baseline
    }

    /// The checks the change must pass: those that pass on the base.
    pub fn checks<'a>(&self, configured: &'a [String]) -> Vec<&'a String> {
        configured
            .iter()
            .filter(|c| !self.no_tests.contains(c))
            .collect()
    }

    /// "the checks already fail on main (1a2b3c4d5e): `pytest` exited 1: FAILED tests/..." —
    /// None when nothing fails on the base.
    pub fn failure(&self, branch: &str, commit: &str) -> Option<String> {
        let first = self.failing.first()?;
        let how = if first.timed_out {
            "did not finish".to_owned()
        } else {
            match first.exit_code {
                Some(code) => format!("exited {code}"),
                None => "could not start".to_owned(),
            }
        };
        let line = first_failure_line(&first.output_tail);
        Some(format!(
            "the checks already fail on {branch} ({}): `{}` {how}{}; nothing was changed and no tool is to blame",
            commit.get(..10).unwrap_or(commit),
            first.command,
            if line.is_empty() { String::new() } else { format!(": {line}") }
        ))
    }
}

/// Whether a failed test command ran no tests: pytest's exit 5 ("no tests collected").
fn finds_no_tests(run: &CheckRun) -> bool {
    let pytest = run
        .command
        .split_whitespace()
        .any(|w| w == "pytest" || w.ends_with("/pytest"));
    pytest && run.exit_code == Some(5)
}

/// The line of a check's output that says what failed (an error or a failure), else its last.
fn first_failure_line(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .find(|l| {
            let lower = l.to_ascii_lowercase();
            lower.contains("error") || lower.contains("failed") || lower.contains("panicked")
        })
        .or(lines.last())
        .map(|l| l.chars().take(200).collect())
        .unwrap_or_default()
}

/// Runs the workspace's checks on its base (the tree must be the base, untouched), or reads them
/// from the cache; the tree is reset to the base afterwards.
pub async fn establish(ws: &Workspace) -> Result<Baseline, Error> {
    if ws.checks.is_empty() {
        return Ok(Baseline::default());
    }
    let cache = cache_file(&ws.root, &ws.base.commit, &ws.checks);
    if let Some(runs) = cache.as_deref().and_then(read) {
        tracing::info!("the checks' results on the base come from the cache");
        return Ok(Baseline::of(runs));
    }
    let mut runs = Vec::new();
    for command in &ws.checks {
        runs.push(checks::run(&ws.root, command, ws.check_timeout, 0, &ws.redactor).await);
    }
    ws.reset()?;
    if let Some(path) = cache.as_deref() {
        write(path, &runs);
    }
    Ok(Baseline::of(runs))
}

/// `<cache>/baselines/<base tree>-<checks hash>.json`; None when the tree cannot be read.
fn cache_file(root: &Path, commit: &str, commands: &[String]) -> Option<PathBuf> {
    let repo = git2::Repository::open(root).ok()?;
    let tree = repo
        .find_commit(git2::Oid::from_str(commit).ok()?)
        .ok()?
        .tree_id();
    let mut hasher = DefaultHasher::new();
    commands.hash(&mut hasher);
    let dir = crate::repo::cache::cache_dir(None).join("baselines");
    Some(dir.join(format!("{tree}-{:016x}.json", hasher.finish())))
}

fn read(path: &Path) -> Option<Vec<CheckRun>> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn write(path: &Path, runs: &[CheckRun]) {
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| {
            let text = serde_json::to_vec(runs).map_err(std::io::Error::other)?;
            std::fs::write(path, text)
        });
    if let Err(e) = written {
        tracing::warn!("the base's check results could not be cached: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(command: &str, exit: i32, tail: &str) -> CheckRun {
        CheckRun {
            command: command.into(),
            exit_code: Some(exit),
            passed: exit == 0,
            duration_secs: 0.1,
            timed_out: false,
            output_tail: tail.into(),
            attempt: 0,
        }
    }

    #[test]
    fn failing_base_and_no_tests_are_told_apart() {
        let baseline = Baseline::of(vec![
            run("pytest", 5, "no tests ran in 0.01s"),
            run("cargo test", 0, ""),
        ]);
        assert_eq!(baseline.no_tests, vec!["pytest"]);
        assert!(baseline.failure("main", "abc").is_none());
        let configured = vec!["pytest".to_owned(), "cargo test".to_owned()];
        assert_eq!(baseline.checks(&configured), vec![&configured[1]]);

        let failing = Baseline::of(vec![run(
            "npm test",
            1,
            "> x@1 test\n> node --test\nnot ok 1 - adds\nError: expected 5, got 4\n# fail 1",
        )]);
        assert_eq!(
            failing.failure("main", "0123456789abcdef").unwrap(),
            "the checks already fail on main (0123456789): `npm test` exited 1: Error: expected 5, got 4; nothing was changed and no tool is to blame"
        );
    }
}
