//! `automaintainer doctor`: what this machine can do (see [`crate::doctor`]). Exits 0 when the
//! embedded defaults can run; 3 when a tool they need is missing, 4 when the store cannot be
//! used, 5 when the asked model call failed, 6 when the asked GitHub check failed.

use std::io::Write;

use crate::doctor::{diagnose, DoctorOptions};
use crate::error::Error;
use crate::secrets::Secrets;

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Also make one small call to the configured model (it may cost money).
    #[arg(long)]
    check_model: bool,
    /// Also ask GitHub for GITHUB_TOKEN's scopes (AM_GITHUB_API_URL, else api.github.com).
    #[arg(long)]
    check_github: bool,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Prints the report; returns the exit code it adds up to.
pub fn run(args: &DoctorArgs, secrets: &Secrets) -> Result<u8, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))?;
    let options = DoctorOptions {
        check_model: args.check_model,
        check_github: args.check_github,
        ..DoctorOptions::default()
    };
    let report = runtime.block_on(diagnose(&options, secrets));
    let text = if args.json {
        serde_json::to_string_pretty(&report).map_err(|e| Error::json("write the report", e))?
            + "\n"
    } else {
        report.render()
    };
    // Nothing secret is in the report; redacted anyway, as everything that leaves.
    let text = secrets.redactor().redact(&text);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(Error::io("write the report", e))
        }
        _ => {}
    }
    Ok(report.exit_code())
}
