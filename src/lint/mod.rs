//! One home for the linters and formatters of the repositories the project works on. Each tool
//! has one file: how the repository's configuration says it uses the tool, how the tool runs
//! (through [`spawn`], the one way this module starts the repository's tools), and how its
//! output is read. The context's findings ([`survey`]), the offline fixes, the local review and
//! the evaluation all come here.

pub mod avoid;
pub mod biome;
pub mod black;
pub(crate) mod blank_added;
pub mod blank_runs;
pub mod clippy;
pub mod eslint;
pub mod flake8;
pub mod gofmt;
pub mod govet;
pub(crate) mod memo;
pub mod node;
pub mod paths;
pub(crate) mod pinned;
pub mod presence;
pub mod prettier;
pub mod pyflakes;
pub mod python;
pub mod ruff;
pub mod ruff_format;
pub mod rustfmt;
pub mod spawn;
pub mod survey;
pub mod tool;
pub mod versions;
pub mod xo;
