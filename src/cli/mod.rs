//! The `automaintainer` command: one subcommand per file.

mod command;
mod kestra;
mod run;
mod dashboard;
mod migrate;
mod schemas;

pub use command::main;
