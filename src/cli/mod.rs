//! The `automaintainer` command: one subcommand per file.

mod command;
mod migrate;
mod schemas;

pub use command::main;
