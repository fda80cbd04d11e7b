//! The `automaintainer` command: one subcommand per file.

mod command;
<<<<<<< HEAD
=======
mod kestra;
mod run;
>>>>>>> orch
mod dashboard;
mod kestra;
mod migrate;
<<<<<<< HEAD
mod run;
=======
>>>>>>> orch
mod schemas;

pub use command::main;
