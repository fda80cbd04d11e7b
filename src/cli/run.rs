//! `automaintainer run`: every phase of a run, here and now, in this process.

use std::path::PathBuf;

use crate::contract::{Protocol, TaskEnv};
use crate::error::Error;
use crate::orchestration::local_run::{self, LocalRunOptions};
use crate::secrets::Secrets;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The repository to improve (URL or path); the bundled example when absent.
    #[arg(long)]
    repository: Option<String>,
    /// The branch to start from; the repository's default branch when absent.
    #[arg(long)]
    base_branch: Option<String>,
    /// Keep the working directory (example remote, input files, artifacts) and print its path.
    #[arg(long)]
    keep_run_dir: bool,
    /// Everything but pushing and opening the pull request.
    #[arg(long)]
    dry_run: bool,
    /// Run the phases as the `am-*` binaries in this directory instead of in this process.
    #[arg(long, value_name = "DIR")]
    spawn_from: Option<PathBuf>,
}

pub fn run(args: &RunArgs, secrets: &Secrets) -> Result<(), Error> {
    let options = LocalRunOptions {
        repository: args.repository.clone(),
        base_branch: args.base_branch.clone(),
        dry_run: args.dry_run,
        keep_run_dir: args.keep_run_dir,
        spawn_from: args.spawn_from.clone(),
    };
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
    let phases = local_run::phases(local_run::MAIN_FLOW);
    let outcome = runtime.block_on(local_run::run(&options, &env, &mut |event| {
        if let Some(line) = local_run::progress_line(&event, &phases) {
            tracing::info!("{line}");
        }
    }))?;
    for line in outcome.summary() {
        tracing::info!("{line}");
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
