//! The `automaintainer` command: one subcommand per file.

mod command;
mod schemas;

pub use command::main;
