//! Static analysis of source files with tree-sitter: languages, tags (definitions and
//! references) for the repo map, and code metrics for findings and evaluation.

mod language;
pub mod metrics;
pub mod rank;
pub mod tags;

pub use language::Language;
