//! `automaintainer run`: every phase of a run, here and now, in this process; over several
//! repositories, one run after another with a summary table at the end.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::contract::{Protocol, TaskEnv};
use crate::error::Error;
use crate::orchestration::local_run::{self, LocalRun, LocalRunOptions, RunEnd};
use crate::orchestration::many_runs::{self, RunRow};
use crate::secrets::Secrets;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The repository to improve (URL or path); the bundled example when absent. Repeat it to
    /// run several repositories one after another.
    #[arg(long, value_name = "URL|PATH")]
    repository: Vec<String>,
    /// A file naming the repositories to run one after another: one URL or path a line, `#`
    /// comments and blank lines ignored (after those given with --repository).
    #[arg(long, value_name = "FILE")]
    repositories: Option<PathBuf>,
    /// The branch to start from; the repository's default branch when absent.
    #[arg(long)]
    base_branch: Option<String>,
    /// Keep the working directory (the phases' input files and artifacts) and print its path.
    #[arg(long)]
    keep_run_dir: bool,
    /// Everything but pushing and opening the pull request.
    #[arg(long)]
    dry_run: bool,
    /// Run the phases as the `am-*` binaries in this directory instead of in this process.
    #[arg(long, value_name = "DIR")]
    spawn_from: Option<PathBuf>,
}

impl RunArgs {
    fn options(&self, repository: Option<String>) -> LocalRunOptions {
        LocalRunOptions {
            repository,
            base_branch: self.base_branch.clone(),
            dry_run: self.dry_run,
            keep_run_dir: self.keep_run_dir,
            spawn_from: self.spawn_from.clone(),
        }
    }
}

pub fn run(args: &RunArgs, secrets: &Secrets) -> Result<(), Error> {
    let mut repositories = args.repository.clone();
    if let Some(file) = &args.repositories {
        repositories.extend(many_runs::read_repositories_file(file)?);
    }
    // The phases' metrics are for Kestra; here the progress lines and the summary say it all.
    let env = TaskEnv {
        secrets: secrets.clone(),
        protocol: Protocol::new(Box::new(std::io::sink()), secrets.redactor()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))?;
    if args.repositories.is_none() && repositories.len() <= 1 {
        let outcome = runtime.block_on(run_one(args.options(repositories.pop()), &env))?;
        return single_result(&outcome);
    }
    runtime.block_on(run_many(args, &repositories, &env))
}

/// One run with its progress lines and summary.
async fn run_one(options: LocalRunOptions, env: &TaskEnv) -> Result<LocalRun, Error> {
    let phases = local_run::phases(local_run::MAIN_FLOW);
    let outcome = local_run::run(&options, env, &mut |event| {
        if let Some(line) = local_run::progress_line(&event, &phases) {
            tracing::info!("{line}");
        }
    })
    .await?;
    if outcome.interrupted.is_none() {
        for line in outcome.summary() {
            tracing::info!("{line}");
        }
    }
    Ok(outcome)
}

/// How one run ends the command: 0 when it ran (done, nothing to do, skipped), else the failure.
fn single_result(outcome: &LocalRun) -> Result<(), Error> {
    if let Some(signal) = outcome.interrupted {
        return Err(Error::step(
            "run the flow",
            format!("interrupted by {signal}; the run is recorded as failed and its repository released"),
        ));
    }
    match &outcome.report.failed {
        Some((phase, message)) => Err(Error::step(
            format!("run the {phase} phase"),
            message.lines().next().unwrap_or_default().to_owned(),
        )),
        None if outcome.report.any_failed() => Err(Error::step(
            "finish the run",
            "a cleanup step failed (see above)",
        )),
        None => Ok(()),
    }
}

/// The repositories one after another, past failures; Ctrl-C (or SIGTERM) ends the current run
/// (recorded as failed) and starts no other. The table comes last.
async fn run_many(args: &RunArgs, repositories: &[String], env: &TaskEnv) -> Result<(), Error> {
    let stop = stop_flag();
    let mut rows = Vec::new();
    for (index, repository) in repositories.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        tracing::info!(
            "repository {} of {}: {repository}",
            index + 1,
            repositories.len()
        );
        let started = Instant::now();
        match run_one(args.options(Some(repository.clone())), env).await {
            Ok(outcome) => {
                rows.push(RunRow::of(&outcome, started.elapsed()));
                if let Some(signal) = outcome.interrupted {
                    tracing::warn!(
                        "interrupted by {signal}: run {} is recorded as failed and its repository released; no further repository is started",
                        outcome.run_id
                    );
                    stop.store(true, Ordering::SeqCst);
                }
            }
            Err(e) => {
                tracing::error!("{repository}: {}", e.chain());
                rows.push(RunRow::not_started(repository, started.elapsed()));
            }
        }
    }
    for line in many_runs::table(&rows) {
        tracing::info!("{line}");
    }
    let failed = rows.iter().filter(|r| r.end == RunEnd::Failed).count();
    let not_run = repositories.len() - rows.len();
    match (failed, not_run) {
        (0, 0) => Ok(()),
        (failed, not_run) => Err(Error::step(
            "run the repositories",
            format!(
                "{failed} of {} failed{}",
                repositories.len(),
                if not_run > 0 {
                    format!(", {not_run} not started (interrupted)")
                } else {
                    String::new()
                }
            ),
        )),
    }
}

/// Set once Ctrl-C or SIGTERM arrives, between runs as well as during one (the run in progress
/// sees the same signal and records itself as failed).
fn stop_flag() -> Arc<AtomicBool> {
    use tokio::signal::unix::{signal, SignalKind};
    let stop = Arc::new(AtomicBool::new(false));
    if let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        let flag = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            flag.store(true, Ordering::SeqCst);
        });
    }
    stop
}
