//! Parsing `automaintainer`'s arguments and dispatching to a subcommand.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::contract::{EXIT_BAD_INPUT, EXIT_OK};
use crate::error::Error;
use crate::secrets::Secrets;

#[derive(Debug, Parser)]
#[command(
    name = "automaintainer",
    version,
    about = "One reviewed, scored pull request a day"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the JSON Schemas of every task binary (or check that they are current).
    Schemas(super::schemas::SchemasArgs),
    /// Run every phase now, in this process (the bundled example repository by default).
    Run(super::run::RunArgs),
    /// Deploy the flows to Kestra, or trigger an execution there.
    Kestra(super::kestra::KestraArgs),
    /// Apply the memory store's migrations to DATABASE_URL (or the embedded SQLite default).
    Migrate(super::migrate::MigrateArgs),
    /// Serve the web dashboard over the store (127.0.0.1:3000 by default).
    Dashboard(super::dashboard::DashboardArgs),
    /// Check this machine: the tools, the store, the model settings (and GitHub when asked).
    Doctor(super::doctor::DoctorArgs),
    /// Show a run (the latest by default): its task, pull request and diff, from the store.
    Show(super::show::ShowArgs),
    /// Serve the memory (learnings, runs, pull requests) to a coding agent over MCP on stdio.
    Mcp(super::mcp::McpArgs),
    /// Send a notification now: the daily digest to AM_WEBHOOK_URL.
    Notify(super::notify::NotifyArgs),
}

/// Runs the CLI and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let secrets = Secrets::from_env();
    let redactor = secrets.redactor();
    crate::contract::init_logging(
        crate::contract::LogFormat::Terminal,
        crate::contract::Protocol::stdout(redactor.clone()),
    );
    let done = |result: Result<(), Error>| result.map(|()| EXIT_OK);
    let result: Result<u8, Error> = match cli.command {
        Command::Schemas(args) => done(super::schemas::run(&args)),
        Command::Run(args) => done(super::run::run(&args, &secrets)),
        Command::Kestra(args) => done(super::kestra::run(&args, &secrets)),
        Command::Migrate(args) => done(super::migrate::run(&args, &secrets)),
        Command::Dashboard(args) => done(super::dashboard::run(&args, &secrets)),
        Command::Doctor(args) => super::doctor::run(&args, &secrets),
        Command::Show(args) => done(super::show::run(&args, &secrets)),
        Command::Mcp(args) => done(super::mcp::run(&args, &secrets)),
        Command::Notify(args) => done(super::notify::run(&args, &secrets)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            crate::contract::report("automaintainer", &error, &redactor);
            ExitCode::from(error.exit_code())
        }
    }
}
