//! The `automaintainer` command: one subcommand per file.

mod command;
mod kestra;
mod run;
mod schemas;

pub use command::main;
