//! Static analysis of source files: a cheap lexical pass (definitions, references and a
//! complexity estimate for every file of a tree), and with tree-sitter, tags (definitions with
//! signatures, references) for the repo map and code metrics for findings and evaluation.

mod language;
pub mod lexical;
pub mod metrics;
pub mod rank;
pub mod tags;

pub use language::Language;
