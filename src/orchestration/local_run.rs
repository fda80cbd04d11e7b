//! `automaintainer run`: the main flow, executed in this process on the embedded defaults (the
//! SQLite store in the data directory, the offline provider, the local forge) unless the
//! environment configures otherwise, on the bundled example repository unless given another.
//! The phases get the same input documents and leave the same artifacts as under Kestra.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::example_repo;
use super::expressions::{Renderer, Strictness};
use super::flow::{Flow, Section};
use super::in_process::InProcessExecutor;
use super::pipeline::{self, Event, FlowRun, RunReport, StepOutcome};
use super::shell::ShellExecutor;
use crate::contract::TaskEnv;
use crate::error::Error;

/// The main flow, compiled in so `automaintainer run` needs no checkout.
pub const MAIN_FLOW: &str = include_str!("../../flows/main-orchestration.yml");

/// The artifacts a run leaves in its run directory (a dry run's change and PR text too).
const ARTIFACTS: [&str; 8] = [
    "context.json",
    "task.json",
    "implementation.json",
    "pr.json",
    "review.json",
    "evaluation.json",
    crate::artifacts::CHANGE_PATCH,
    crate::artifacts::PR_TEXT,
];

#[derive(Debug, Clone, Default)]
pub struct LocalRunOptions {
    /// A URL or path; the bundled example when absent.
    pub repository: Option<String>,
    pub base_branch: Option<String>,
    pub dry_run: bool,
    /// Keep the working directory (input files and artifacts) instead of removing it at the end.
    pub keep_run_dir: bool,
    /// Run the phases as binaries from this directory instead of in this process.
    pub spawn_from: Option<PathBuf>,
}

/// What a local run did.
#[derive(Debug, Clone)]
pub struct LocalRun {
    pub run_id: String,
    pub repository: String,
    pub report: RunReport,
    /// The working directory, when it was kept.
    pub kept: Option<PathBuf>,
    /// The phases' run directory, which am-cleanup removed.
    pub run_dir: PathBuf,
    /// The signal (Ctrl-C, SIGTERM) that stopped the run, which is then recorded as failed.
    pub interrupted: Option<&'static str>,
}

/// How a local run ended, as the store records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// A pull request opened or updated (or a dry run's).
    Done,
    Nothing,
    /// Another run held the repository; nothing ran.
    Skipped,
    Failed,
}

impl RunEnd {
    pub fn label(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Nothing => "nothing to do",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
}

impl LocalRun {
    fn output(&self, step: &str, key: &str) -> Option<&Value> {
        self.report.outputs(step).and_then(|o| o.get(key))
    }

    /// Why setup turned the run away (another run holds the repository), when it did.
    pub fn skipped(&self) -> Option<String> {
        let status = self.output("setup", "status").and_then(Value::as_str);
        (status == Some("skipped")).then(|| {
            self.output("setup", "reason")
                .and_then(Value::as_str)
                .unwrap_or("skipped: another run holds the repository")
                .to_owned()
        })
    }

    /// How the run ended: failed when a step failed or it was interrupted, else as am-cleanup
    /// closed it in the store.
    pub fn end(&self) -> RunEnd {
        if self.interrupted.is_some() || self.report.failed.is_some() || self.report.any_failed() {
            return RunEnd::Failed;
        }
        if self.skipped().is_some() {
            return RunEnd::Skipped;
        }
        match self.output("cleanup", "status").and_then(Value::as_str) {
            Some("succeeded") => RunEnd::Done,
            Some("nothing") => RunEnd::Nothing,
            Some("skipped") => RunEnd::Skipped,
            _ => RunEnd::Failed,
        }
    }

    /// The pull request (`#N`) and its branch, or the work branch, as one short text.
    pub fn pull_request_or_branch(&self) -> Option<String> {
        let branch = self
            .output("open_pr", "branch")
            .or_else(|| self.output("implement", "branch"))
            .and_then(Value::as_str);
        match (
            self.output("open_pr", "number").and_then(Value::as_u64),
            branch,
        ) {
            (Some(number), Some(branch)) => Some(format!("#{number} {branch}")),
            (Some(number), None) => Some(format!("#{number}")),
            (None, branch) => branch.map(str::to_owned),
        }
    }

    /// The evolution score, when the run was evaluated.
    pub fn score(&self) -> Option<f64> {
        self.output("evaluate", "evolution_score")
            .and_then(Value::as_f64)
    }

    /// The summary lines: task, PR, score, learnings.
    pub fn summary(&self) -> Vec<String> {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let dry = self
            .output("setup", "dry_run")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut lines = vec![format!(
            "run {} on {}{}",
            self.run_id,
            self.repository,
            if dry { " (dry run)" } else { "" }
        )];
        if let Some(reason) = self.skipped() {
            // Nothing ran: no task, no change, nothing to show.
            lines.push(reason);
            return lines;
        }
        if let Some(synced) = self
            .output("setup", "pull_requests")
            .and_then(Value::as_array)
        {
            lines.extend(
                synced
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|note| format!("earlier: {note}")),
            );
        }
        let task = match (
            text(self.output("select", "status")),
            text(self.output("select", "title")),
        ) {
            (Some(status), Some(title)) if status == "selected" => format!("task: {title}"),
            (Some(_), _) => format!(
                "task: none ({})",
                text(self.output("select", "reason"))
                    .unwrap_or_else(|| "nothing worth doing".to_owned())
            ),
            _ => "task: not chosen".to_owned(),
        };
        lines.push(task);
        if let Some(skipped) = self.output("select", "skipped").and_then(Value::as_array) {
            lines.extend(
                skipped
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|line| format!("skipped: {line}")),
            );
        }
        if let Some(branch) = text(self.output("implement", "branch")) {
            let status = text(self.output("implement", "status")).unwrap_or_default();
            let why = text(self.output("implement", "reason"))
                .filter(|_| status != "committed")
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            lines.push(format!("change: {status} on branch {branch}{why}"));
        }
        match (
            self.output("open_pr", "number"),
            text(self.output("open_pr", "url")),
        ) {
            (Some(number), url) => {
                lines.push(format!(
                    "pull request: #{number}{} ({})",
                    url.map(|u| format!(" {u}")).unwrap_or_default(),
                    text(self.output("open_pr", "status")).unwrap_or_default()
                ));
                let status = text(self.output("open_pr", "status"));
                if matches!(status.as_deref(), Some("unchanged" | "skipped_update")) {
                    if let Some(message) = text(self.output("open_pr", "message")) {
                        lines.push(format!("  {message}"));
                    }
                }
            }
            _ => {
                if let Some(message) = text(self.output("open_pr", "message")) {
                    lines.push(format!("pull request: {message}"));
                }
            }
        }
        if let Some(diffstat) = text(self.output("open_pr", "diffstat")) {
            lines.push("the change (dry run):".to_owned());
            lines.extend(diffstat.lines().map(|l| format!("  {}", l.trim())));
            if let Some(kept) = &self.kept {
                let artifacts = kept.join("artifacts");
                lines.push(format!(
                    "the change as a patch: {}",
                    artifacts.join(crate::artifacts::CHANGE_PATCH).display()
                ));
                lines.push(format!(
                    "the pull request's text: {}",
                    artifacts.join(crate::artifacts::PR_TEXT).display()
                ));
            }
        }
        if let Some(score) = self
            .output("evaluate", "evolution_score")
            .and_then(Value::as_f64)
        {
            lines.push(format!("evolution score: {score:.1}/100"));
        }
        if let Some(added) = self.output("reflect", "added").and_then(Value::as_array) {
            let reinforced = self
                .output("reflect", "reinforced")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            lines.push(format!(
                "learnings: {} new, {reinforced} reinforced",
                added.len()
            ));
        }
        if let Some((phase, message)) = &self.report.failed {
            // The whole cause chain, with paths into the removed run directory pointing at the
            // kept copies instead.
            let message = self.kept.as_ref().map_or_else(
                || message.clone(),
                |kept| {
                    message.replace(
                        &format!("{}/", self.run_dir.display()),
                        &format!("{}/", kept.join("artifacts").display()),
                    )
                },
            );
            let mut chain = message.lines();
            lines.push(format!(
                "failed in {phase}: {}",
                chain.next().unwrap_or_default()
            ));
            lines.extend(chain.map(|l| format!("  {}", l.trim())));
        }
        if let Some(kept) = &self.kept {
            lines.push(format!("kept: {}", kept.display()));
        }
        // Last, so it is the line left on the screen: how to look at what the run did.
        lines.push(format!(
            "see the task, pull request and diff: automaintainer show {}",
            self.run_id
        ));
        lines
    }
}

/// Runs the main flow locally. Progress goes to `observe`; the run's failure is in the report
/// (and recorded by the flow's error handler), not an `Err`; so is an interruption (Ctrl-C,
/// SIGTERM: `interrupted`), recorded as the run's failure here.
pub async fn run(
    options: &LocalRunOptions,
    env: &TaskEnv,
    observe: &mut dyn FnMut(Event<'_>),
) -> Result<LocalRun, Error> {
    // Every run uses libgit2; its start (OpenSSL's CA bundle) overlaps setup's first waits.
    crate::repo::libgit2::start_in_background();
    let flow = Flow::parse(MAIN_FLOW)?;
    let root = tempfile::Builder::new()
        .prefix("automaintainer-run-")
        .tempdir()
        .map_err(|e| Error::io("create the run's working directory", e))?;
    let repository = match &options.repository {
        Some(repository) => repository.clone(),
        None => example_repo::ensure(&example_dir()?)?
            .remote
            .to_string_lossy()
            .into_owned(),
    };
    let inputs = pipeline::inputs_with_defaults(&flow, &given_inputs(options, &repository))?;
    let run_id = format!("local-{}", uuid::Uuid::new_v4().simple());
    let working_dir = root.path().join("flow");
    let flow_run = FlowRun {
        flow: &flow,
        inputs,
        execution_id: run_id.clone(),
        working_dir: working_dir.clone(),
        trigger: serde_json::json!({ "type": "manual" }),
    };
    let renderer = Renderer::with_process_secrets(Strictness::Strict);
    // A dry run keeps its artifacts: the change and the PR text are what it is for.
    let keep = options.keep_run_dir || options.dry_run;
    let kept_artifacts = root.path().join("artifacts");
    // A failed run keeps its artifacts too, so what its message points at is still there.
    let mut failed = false;
    let mut observe_and_keep = |event: Event<'_>| {
        if let Event::Finished(step) = &event {
            failed |= matches!(step.outcome, StepOutcome::Failed(_));
        }
        if (keep || failed) && matches!(event, Event::BeforeFinally) {
            // am-cleanup removes the run directory; a kept run keeps its artifacts.
            copy_artifacts(&working_dir.join("run"), &kept_artifacts);
        }
        observe(event);
    };
    let flow = async {
        match &options.spawn_from {
            None => {
                let executor = InProcessExecutor { env: env.clone() };
                pipeline::run_flow(&flow_run, &executor, &renderer, &mut observe_and_keep).await
            }
            Some(bin_dir) => {
                let executor = ShellExecutor {
                    bin_dir: Some(bin_dir.clone()),
                    env: Vec::new(),
                };
                pipeline::run_flow(&flow_run, &executor, &renderer, &mut observe_and_keep).await
            }
        }
    };
    let report = tokio::select! {
        report = flow => report,
        signal = interrupted() => {
            // The flow's error handler never runs: record the failure here, which also releases
            // the repository for the next run.
            record_interruption(env, &run_id, signal).await;
            return Ok(LocalRun {
                run_id,
                repository,
                report: RunReport {
                    steps: Vec::new(),
                    failed: Some(("run".to_owned(), format!("interrupted by {signal}"))),
                },
                kept: None,
                run_dir: working_dir.join("run"),
                interrupted: Some(signal),
            });
        }
    };
    let kept = (keep || report.failed.is_some()).then(|| root.keep());
    Ok(LocalRun {
        run_id,
        repository,
        report,
        kept,
        run_dir: working_dir.join("run"),
        interrupted: None,
    })
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM; says which.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = interrupt.recv() => "Ctrl-C (SIGINT)",
        _ = terminate.recv() => "SIGTERM",
    }
}

/// Records an interrupted run as failed (best effort: the store may be what is failing).
async fn record_interruption(env: &TaskEnv, run_id: &str, signal: &str) {
    let failure = crate::store::RunFailure {
        run_id: run_id.to_owned(),
        phase: "run".to_owned(),
        message: format!("interrupted by {signal}"),
        at: crate::store::clock::now(),
    };
    match crate::store::open(env.secrets.database_url.as_ref()).await {
        Ok(store) => {
            if let Err(e) = store.record_failure(&failure).await {
                tracing::warn!("could not record the interrupted run: {e}");
            }
        }
        Err(e) => tracing::warn!("could not record the interrupted run: {e}"),
    }
}

/// Where the example repository lives: beside the embedded store, in the data directory.
fn example_dir() -> Result<PathBuf, Error> {
    let store_file = crate::store::default_sqlite_path()?;
    Ok(store_file
        .parent()
        .map_or_else(|| PathBuf::from("example"), |dir| dir.join("example")))
}

/// The flow's inputs from the options and, where they say nothing, the environment's settings.
fn given_inputs(options: &LocalRunOptions, repository: &str) -> BTreeMap<String, String> {
    let mut given = BTreeMap::from([
        ("repository".to_owned(), repository.to_owned()),
        ("dry_run".to_owned(), options.dry_run.to_string()),
    ]);
    if let Some(branch) = &options.base_branch {
        given.insert("base_branch".to_owned(), branch.clone());
    }
    for (variable, input) in [
        ("AM_LLM", "llm"),
        ("AM_FORGE", "forge"),
        ("AM_REVIEW", "review"),
    ] {
        if let Some(value) = std::env::var(variable).ok().filter(|v| !v.is_empty()) {
            given.insert(input.to_owned(), value);
        }
    }
    given
}

fn copy_artifacts(run_dir: &Path, into: &Path) {
    if std::fs::create_dir_all(into).is_err() {
        return;
    }
    for name in ARTIFACTS {
        let from = run_dir.join(name);
        if from.exists() {
            if let Err(e) = std::fs::copy(&from, into.join(name)) {
                tracing::warn!("could not keep {}: {e}", from.display());
            }
        }
    }
}

/// One progress line for a finished step, or none. `phases` are the flow's phase ids in order.
pub fn progress_line(event: &Event<'_>, phases: &[String]) -> Option<String> {
    let Event::Finished(report) = event else {
        return None;
    };
    let place = match phases.iter().position(|id| id == &report.id) {
        Some(index) => format!("[{}/{}]", index + 1, phases.len()),
        None => "error handler".to_owned(),
    };
    let secs = report.elapsed.as_secs_f64();
    Some(match &report.outcome {
        StepOutcome::Succeeded => format!(
            "{place} {}: done in {secs:.1}s{}",
            report.id,
            status_of(&report.outputs)
        ),
        StepOutcome::Skipped => format!("{place} {}: skipped", report.id),
        StepOutcome::Failed(message) => format!(
            "{place} {}: FAILED after {secs:.1}s: {}",
            report.id,
            message.lines().next().unwrap_or_default()
        ),
    })
}

fn status_of(outputs: &Map<String, Value>) -> String {
    outputs
        .get("status")
        .map(|s| match s {
            Value::String(s) => format!(" ({s})"),
            other => format!(" ({other})"),
        })
        .unwrap_or_default()
}

/// The ids of the phases a run of `flow_text` goes through, in order: the main tasks and the
/// `finally` ones (error handlers are not phases).
pub fn phases(flow_text: &str) -> Vec<String> {
    Flow::parse(flow_text)
        .map(|flow| {
            flow.steps()
                .iter()
                .filter(|s| s.section != Section::Errors)
                .map(|s| s.task.id.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_prints_its_causes_and_points_at_what_was_kept() {
        let run = LocalRun {
            run_id: "local-1".into(),
            repository: "/srv/repo.git".into(),
            report: RunReport {
                steps: Vec::new(),
                failed: Some((
                    "open_pr".into(),
                    "am-open-pr: failed to read /tmp/r/flow/run/implementation.json\n  caused by: expected value at line 1".into(),
                )),
            },
            kept: Some(PathBuf::from("/tmp/r")),
            run_dir: PathBuf::from("/tmp/r/flow/run"),
            interrupted: None,
        };
        let lines = run.summary();
        assert!(
            lines.contains(&"failed in open_pr: am-open-pr: failed to read /tmp/r/artifacts/implementation.json".to_owned()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"  caused by: expected value at line 1".to_owned()),
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l.contains("/flow/run/")), "{lines:?}");
    }

    #[test]
    fn the_main_flow_has_ten_phases() {
        assert_eq!(
            phases(MAIN_FLOW),
            [
                "setup",
                "context",
                "select",
                "implement",
                "open_pr",
                "review",
                "evaluate",
                "persist",
                "reflect",
                "cleanup"
            ]
        );
    }
}
