//! The `automaintainer` command: one subcommand per file.

mod command;
mod dashboard;
mod doctor;
mod kestra;
mod mcp;
mod migrate;
mod notify;
mod run;
mod schemas;
mod show;

pub use command::main;
