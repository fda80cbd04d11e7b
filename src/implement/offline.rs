//! Carrying out a task without a model, with the repository's own tools (`crate::lint`): its
//! linter's safe fixes, then its formatter on the changed files (or the formatter alone, for a
//! formatting task), on the task's target files only — anything a tool touched elsewhere is
//! restored. The checks run on the base first: when they already fail there, nothing is kept and
//! no tool is blamed. The change must leave the repository's linter with no new findings and pass
//! the checks that pass on the base; with no tests at all it must still build and lint. Tasks no
//! tool can do are "nothing to do", naming what was found, missing or crashed. What the learnings
//! say to avoid holds here too: an avoided tool does not run, an avoided path is not changed, and
//! the fixers are told to leave avoided rules alone (a fix run that changed one anyway keeps
//! nothing).

use std::collections::BTreeMap;

use super::avoidance::Avoidance;
use super::baseline::{self, Baseline};
use super::outcome::{commit_message, Outcome};
use super::workspace::{Verdict, Workspace};
use crate::artifacts::{Finding, ImplementationStatus, TaskKind, TaskSpec};
use crate::error::Error;
use crate::lint::tool::{self, Ctx, Language, Tool, Use};

/// The repository's tools for a task: the fixers in order, the linter whose findings must not
/// grow, and what was found or missing on the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub fixers: Vec<(Tool, String)>,
    pub checker: Option<Tool>,
    /// Why tools were passed over (not used by the repository, not installed).
    pub passed_over: Vec<String>,
}

/// The linters that fix, and the formatters, per language, in order of preference.
fn candidates(language: Language) -> (&'static [Tool], &'static [Tool]) {
    match language {
        Language::Rust => (&[Tool::Clippy], &[Tool::Rustfmt]),
        Language::Python => (
            &[Tool::Ruff, Tool::Flake8, Tool::Pyflakes],
            &[Tool::Black, Tool::RuffFormat],
        ),
        Language::JavaScript => (&[Tool::Eslint, Tool::Biome, Tool::Xo], &[Tool::Prettier]),
        Language::Go => (&[], &[Tool::Gofmt]),
    }
}

/// The task's language: its target files', else the build files at the root.
fn language_of(task: &TaskSpec, ctx: &Ctx) -> Option<Language> {
    task.target_files
        .iter()
        .find_map(|f| Language::of_path(f))
        .or_else(|| {
            let has = |name: &str| ctx.root.join(name).is_file();
            if has("Cargo.toml") {
                Some(Language::Rust)
            } else if has("pyproject.toml") || has("setup.py") {
                Some(Language::Python)
            } else if has("go.mod") {
                Some(Language::Go)
            } else if has("package.json") {
                Some(Language::JavaScript)
            } else {
                None
            }
        })
}

/// The first of `tools` the repository uses, this machine runs and no learning avoids (the one
/// the task names first); what was passed over is noted.
async fn first_used(
    ctx: &Ctx,
    tools: &[Tool],
    title: &str,
    avoidance: &Avoidance,
    passed_over: &mut Vec<String>,
) -> Option<(Tool, String)> {
    let mut ordered: Vec<Tool> = tools.to_vec();
    ordered.sort_by_key(|t| !title.split_whitespace().any(|w| w == t.name()));
    for candidate in ordered {
        if let Some(id) = avoidance.tool(candidate) {
            passed_over.push(format!(
                "{}: avoided in this repository (learning #{id})",
                candidate.name()
            ));
            continue;
        }
        match candidate.detect(ctx).await {
            Use::Used(config) if tool::installed(candidate) => return Some((candidate, config)),
            Use::Used(config) => {
                passed_over.push(format!("{} ({config}) is not installed", candidate.name()));
            }
            Use::NotUsed(why) => passed_over.push(format!("{}: {why}", candidate.name())),
            Use::Absent => {}
        }
    }
    None
}

/// The repository's tools for `task`.
pub async fn plan(ctx: &Ctx, task: &TaskSpec, avoidance: &Avoidance) -> Plan {
    let mut plan = Plan::default();
    let Some(language) = language_of(task, ctx) else {
        plan.passed_over
            .push("no target file is in a language the offline tools cover".to_owned());
        return plan;
    };
    let (linters, formatters) = candidates(language);
    match task.kind {
        TaskKind::Lint => {
            let Some(linter) =
                first_used(ctx, linters, &task.title, avoidance, &mut plan.passed_over).await
            else {
                return plan;
            };
            plan.checker = Some(linter.0);
            plan.fixers.push(linter);
            if let Some(formatter) = first_used(
                ctx,
                formatters,
                &task.title,
                avoidance,
                &mut plan.passed_over,
            )
            .await
            {
                plan.fixers.push(formatter);
            }
        }
        TaskKind::Format => {
            if let Some(formatter) = first_used(
                ctx,
                formatters,
                &task.title,
                avoidance,
                &mut plan.passed_over,
            )
            .await
            {
                plan.checker = Some(formatter.0);
                plan.fixers.push(formatter);
            }
        }
        _ => plan
            .passed_over
            .push(format!("a {} task needs a model", task.kind.as_str())),
    }
    plan
}

/// Findings per file, among `files`.
fn counts(findings: &[Finding], files: &[String]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for finding in findings.iter().filter(|f| files.contains(&f.path)) {
        *counts.entry(finding.path.clone()).or_insert(0) += 1;
    }
    counts
}

/// Findings of avoided rules per (file, rule), among `files`.
fn avoided_counts(
    findings: &[Finding],
    files: &[String],
    avoidance: &Avoidance,
) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for finding in findings.iter().filter(|f| files.contains(&f.path)) {
        if let Some(rule) = super::offline_selection::rule_of(finding) {
            if avoidance.rule(&rule).is_some() {
                *counts.entry((finding.path.clone(), rule)).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// What the checker found before the fixes: per file, and of avoided rules.
#[derive(Debug, Default)]
struct Before {
    counts: BTreeMap<String, usize>,
    avoided: BTreeMap<(String, String), usize>,
}

/// Restores every tracked file a tool changed outside `targets`.
fn restore_outside(ws: &Workspace, targets: &[String]) -> Result<(), Error> {
    let outside: Vec<String> = crate::repo::diff::changed_tracked_files(&ws.root, &ws.base.commit)?
        .into_iter()
        .filter(|p| !targets.contains(p))
        .collect();
    if !outside.is_empty() {
        tracing::info!(files = ?outside, "restoring what the tools changed outside the task's files");
        crate::repo::branch::restore_paths(&ws.root, &ws.base, &outside)?;
    }
    Ok(())
}

fn quote(path: &str) -> String {
    format!("'{}'", path.replace('\'', r"'\''"))
}

/// A build check for a change with no tests to run: the changed Python files compile, the
/// changed JavaScript files parse.
fn build_check(files: &[String]) -> Option<String> {
    let python: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".py"))
        .map(|f| quote(f))
        .collect();
    let script: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".js") || f.ends_with(".mjs") || f.ends_with(".cjs"))
        .map(|f| format!("node --check {}", quote(f)))
        .collect();
    let mut parts = Vec::new();
    if !python.is_empty() {
        parts.push(format!("python3 -m py_compile {}", python.join(" ")));
    }
    parts.extend(script);
    (!parts.is_empty()).then(|| parts.join(" && "))
}

pub async fn implement(
    ws: &Workspace,
    task: &TaskSpec,
    avoidance: &Avoidance,
) -> Result<Outcome, Error> {
    let ctx = Ctx {
        root: ws.root.clone(),
        cargo_target_dir: crate::runner::build_dir::cargo_target_dir(&ws.root.join("target")),
        timeout: ws.check_timeout,
        avoided_rules: avoidance.rule_names(),
        recording: None,
    };
    let plan = plan(&ctx, task, avoidance).await;
    if plan.fixers.is_empty() {
        let mut reason = format!(
            "the offline provider has no tool of the repository's that can carry out this {} task",
            task.kind.as_str()
        );
        if !plan.passed_over.is_empty() {
            reason.push_str(&format!(": {}", plan.passed_over.join("; ")));
        }
        return Ok(Outcome::nothing(reason));
    }
    let baseline = baseline::establish(ws).await?;
    if let Some(reason) = baseline.failure(&ws.base.branch, &ws.base.commit) {
        return Ok(Outcome::nothing(reason));
    }
    let targets: Vec<String> = task
        .target_files
        .iter()
        .filter(|f| ws.policy.check(f).is_ok() && ws.root.join(f).is_file())
        .filter(|f| avoidance.path(f).is_none())
        .cloned()
        .collect();
    let names: Vec<String> = plan
        .fixers
        .iter()
        .map(|(t, config)| format!("{} ({config})", t.name()))
        .collect();
    let before = match plan.checker {
        Some(checker) if task.kind == TaskKind::Lint => {
            checker.findings(&ctx).await.ok().map(|found| Before {
                counts: counts(&found, &targets),
                avoided: avoided_counts(&found, &targets, avoidance),
            })
        }
        _ => None,
    };
    for (fixer, config) in &plan.fixers {
        let files = if fixer.formats() && task.kind == TaskKind::Lint {
            crate::repo::diff::changed_tracked_files(&ws.root, &ws.base.commit)?
                .into_iter()
                .filter(|p| targets.contains(p))
                .collect()
        } else {
            targets.clone()
        };
        if let Err(failure) = fixer.fix(&ctx, &files).await {
            ws.reset()?;
            return Ok(Outcome::nothing(format!(
                "{} ({config}) {failure}; nothing was kept",
                fixer.name()
            )));
        }
        restore_outside(ws, &targets)?;
    }
    let changed: Vec<String> = crate::repo::diff::changed_tracked_files(&ws.root, &ws.base.commit)?
        .into_iter()
        .filter(|p| ws.policy.check(p).is_ok())
        .collect();
    tidy_python(ws, &changed)?;
    tidy_blank_additions(ws, &changed)?;
    if changed.is_empty() {
        ws.reset()?;
        return Ok(Outcome::nothing(format!(
            "{} changed nothing in {}",
            names.join(" and "),
            targets.join(", ")
        )));
    }
    if let (Some(before), Some(checker)) = (before, plan.checker) {
        if let Some(problem) = new_findings(&ctx, checker, &changed, &before, avoidance).await {
            ws.reset()?;
            return Ok(failed(
                format!(
                    "the fixes of {} were not kept: {problem}",
                    names.join(" and ")
                ),
                Vec::new(),
            ));
        }
    }
    let mut notes = notes(&ctx, &plan).await;
    let mut checks: Vec<String> = baseline.checks(&ws.checks).into_iter().cloned().collect();
    notes.extend(no_tests_notes(&baseline, &mut checks, &changed));
    let checks: Vec<&String> = checks.iter().collect();
    let mut runs = Vec::new();
    match ws.verify_with(&changed, 1, &mut runs, &checks).await? {
        Verdict::Accepted(summary) => {
            let body = format!(
                "Applied the automatic fixes of {} to {} file(s); no hand edits.",
                names.join(" and "),
                summary.files.len()
            );
            let message = commit_message(&task.title, &body, task);
            let commit = ws.commit(&changed, &message)?;
            Ok(Outcome {
                status: ImplementationStatus::Committed,
                commit: Some(commit),
                summary,
                checks: runs,
                attempts: 1,
                usage: Default::default(),
                failure: None,
                notes,
            })
        }
        Verdict::Rejected(reason) => {
            ws.reset()?;
            let mut outcome = failed(
                format!(
                    "the fixes of {} were not kept: {reason}",
                    names.join(" and ")
                ),
                runs,
            );
            outcome.notes = notes;
            Ok(outcome)
        }
    }
}

/// Blank lines a removed import left between blank lines are cut back (ruff removes the import
/// line only): the joined run to the longer of its parts, and never three blank lines where the
/// file had two.
fn tidy_python(ws: &Workspace, changed: &[String]) -> Result<(), Error> {
    for path in changed.iter().filter(|p| p.ends_with(".py")) {
        let Some(before) = crate::repo::diff::base_text(&ws.root, &ws.base.commit, path)? else {
            continue;
        };
        let file = ws.root.join(path);
        let after = std::fs::read_to_string(&file)
            .map_err(|e| Error::io(format!("read {}", file.display()), e))?;
        let rejoined = crate::lint::blank_runs::rejoin(&before, &after);
        let after = rejoined.clone().unwrap_or(after);
        let collapsed = crate::lint::python::collapse_blank_runs(&before, &after);
        if let Some(tidied) = collapsed.or(rejoined) {
            std::fs::write(&file, tidied)
                .map_err(|e| Error::io(format!("write {}", file.display()), e))?;
        }
    }
    Ok(())
}

/// Whitespace-only lines the fixers added are dropped where they open or close a block and left
/// empty elsewhere (`lint::blank_added`): clippy's fixes inside macro calls are not formatted.
fn tidy_blank_additions(ws: &Workspace, changed: &[String]) -> Result<(), Error> {
    for path in changed {
        let Some(before) = crate::repo::diff::base_text(&ws.root, &ws.base.commit, path)? else {
            continue;
        };
        let file = ws.root.join(path);
        let Ok(after) = std::fs::read_to_string(&file) else {
            continue;
        };
        if let Some(tidied) = crate::lint::blank_added::tidy(&before, &after) {
            std::fs::write(&file, tidied)
                .map_err(|e| Error::io(format!("write {}", file.display()), e))?;
        }
    }
    Ok(())
}

fn failed(reason: String, checks: Vec<crate::artifacts::CheckRun>) -> Outcome {
    Outcome {
        status: ImplementationStatus::Failed,
        commit: None,
        summary: Default::default(),
        checks,
        attempts: 1,
        usage: Default::default(),
        failure: Some(reason),
        notes: Vec::new(),
    }
}

/// "flake8 reports 2 new finding(s) in pkg/a.py", when the checker's findings grew in a file;
/// "… fixed `F401` in pkg/a.py, which learning #3 says to leave alone", when a fixer changed the
/// findings of an avoided rule after all.
async fn new_findings(
    ctx: &Ctx,
    checker: Tool,
    changed: &[String],
    before: &Before,
    avoidance: &Avoidance,
) -> Option<String> {
    let found = match checker.findings(ctx).await {
        Ok(found) => found,
        Err(failure) => {
            return Some(format!(
                "{} could not check the change: {failure}",
                checker.name()
            ))
        }
    };
    let avoided_after = avoided_counts(&found, changed, avoidance);
    let touched: Vec<String> = before
        .avoided
        .iter()
        .filter(|((file, _), _)| changed.contains(file))
        .filter(|(key, n)| avoided_after.get(key).copied().unwrap_or(0) != **n)
        .map(|((file, rule), _)| {
            let id = avoidance.rule(rule).unwrap_or_default();
            format!("`{rule}` in {file}, which learning #{id} says to leave alone")
        })
        .collect();
    if !touched.is_empty() {
        return Some(format!(
            "the fixes also changed findings of {}",
            touched.join("; ")
        ));
    }
    let before = &before.counts;
    let after = counts(&found, changed);
    let grown: Vec<String> = after
        .iter()
        .filter_map(|(file, n)| {
            let was = before.get(file).copied().unwrap_or(0);
            (*n > was).then(|| format!("{} in {file}", n - was))
        })
        .collect();
    (!grown.is_empty()).then(|| {
        format!(
            "{} would report new findings ({})",
            checker.name(),
            grown.join(", ")
        )
    })
}

/// The tools, versions and configurations used, for the PR.
async fn notes(ctx: &Ctx, plan: &Plan) -> Vec<String> {
    let mut notes = Vec::new();
    for (tool, config) in &plan.fixers {
        let version = tool
            .version(ctx)
            .await
            .unwrap_or_else(|| tool.name().to_owned());
        notes.push(format!("Made with {version}, configuration: {config}."));
    }
    if let Some(checker) = plan.checker {
        notes.push(format!(
            "{} reports no new findings in the changed files.",
            checker.name()
        ));
    }
    notes
}

/// With tests missing on the base, "no tests" is said, and a build check takes their place when
/// nothing else would run.
fn no_tests_notes(
    baseline: &Baseline,
    checks: &mut Vec<String>,
    changed: &[String],
) -> Vec<String> {
    let mut notes = Vec::new();
    for command in &baseline.no_tests {
        notes.push(format!("No tests: `{command}` found no tests on the base."));
    }
    let any_tests = checks
        .iter()
        .any(|c| crate::evaluate::test_coverage::is_test_command(c));
    if !any_tests {
        if baseline.no_tests.is_empty() {
            notes.push("No tests: the repository has no test command.".to_owned());
        }
        if let Some(build) = build_check(changed) {
            notes.push(format!("The change was checked by building it: `{build}`."));
            checks.push(build);
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_of_avoided_rules_are_counted_per_file_and_rule() {
        let finding = |path: &str, message: &str| Finding {
            kind: crate::artifacts::FindingKind::Lint,
            path: path.into(),
            line: Some(1),
            message: message.into(),
            tool: "xo".into(),
            fixable: true,
            score: None,
        };
        let found = [
            finding("a.js", "prefer-const: 'x' is never reassigned"),
            finding("a.js", "prefer-const: 'y' is never reassigned"),
            finding("a.js", "no-var: Unexpected var"),
            finding("b.js", "prefer-const: 'z' is never reassigned"),
        ];
        let avoidance = Avoidance {
            rules: vec![(4, "prefer-const".to_owned())],
            ..Avoidance::default()
        };
        let counts = avoided_counts(&found, &["a.js".to_owned()], &avoidance);
        assert_eq!(
            counts,
            BTreeMap::from([(("a.js".to_owned(), "prefer-const".to_owned()), 2)])
        );
        assert!(avoided_counts(&found, &["a.js".to_owned()], &Avoidance::default()).is_empty());
    }

    #[test]
    fn a_build_check_replaces_missing_tests() {
        let files = vec![
            "pkg/a.py".to_owned(),
            "web/it's.js".to_owned(),
            "README.md".to_owned(),
        ];
        assert_eq!(
            build_check(&files).unwrap(),
            r"python3 -m py_compile 'pkg/a.py' && node --check 'web/it'\''s.js'"
        );
        assert!(build_check(&["README.md".to_owned()]).is_none());
        let baseline = Baseline::of(vec![crate::artifacts::CheckRun {
            command: "pytest".into(),
            exit_code: Some(5),
            passed: false,
            duration_secs: 0.1,
            timed_out: false,
            output_tail: String::new(),
            attempt: 0,
        }]);
        let mut checks: Vec<String> = baseline
            .checks(&["pytest".to_owned()])
            .into_iter()
            .cloned()
            .collect();
        let notes = no_tests_notes(&baseline, &mut checks, &files[..1]);
        assert_eq!(checks, vec!["python3 -m py_compile 'pkg/a.py'"]);
        assert_eq!(notes[0], "No tests: `pytest` found no tests on the base.");
    }
}
