//! The one way the target repository's code is run: checks, fixers, linters, coverage and test
//! runs all go through [`run`] (or [`run_async`]). A command gets an allowlisted environment (no
//! secret, no database URL) with a throwaway `HOME`, its own process group killed on timeout, a
//! capped output, and, where bubblewrap is present, a sandbox that sees the clone read-write, a
//! private `/tmp`, the toolchains read-only, no network, and nothing of the data directory, the
//! store, the mirrors or the run's artifacts.

pub mod build_dir;
pub(crate) mod build_sweep;
mod capture;
mod cargo_fetched;
mod command;
mod env;
mod error;
mod execute;
mod group;
mod mode;
mod policy;
mod prepare;
mod python_deps;
mod python_env;
mod resolve;
mod sandbox;
mod seen_clone;
mod whole_file;

pub use command::{Ran, Request};
pub(crate) use env::Toolchains;
pub use error::RunError;
pub(crate) use execute::lint_memo_dir;
pub use execute::{resolved_program, run, run_async, run_dir};
pub use mode::SandboxMode;
pub use policy::{configure, set_policy, Policy};
pub use prepare::prepare;
pub(crate) use prepare::worktree_id;
pub use sandbox::bwrap_available;
pub(crate) use whole_file::write_json;
