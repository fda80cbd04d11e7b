//! The `automaintainer` command: one subcommand per file.

mod command;
mod dashboard;
mod kestra;
mod migrate;
mod run;
mod schemas;

pub use command::main;
