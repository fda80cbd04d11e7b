//! Code metrics computed from tree-sitter syntax trees with our own node-kind tables, for every
//! [`Language`](super::Language): per function (cyclomatic and cognitive complexity, nesting,
//! length, parameters) and per file (totals, comment density, Halstead measures and the
//! maintainability index).
//!
//! We do not use rust-code-analysis: it pins tree-sitter 0.20, and the project keeps exactly one
//! tree-sitter (the current one) for tags and metrics alike.

mod complexity;
mod file;
mod function_complexity;
mod halstead;
mod lines;
mod maintainability;
mod syntax;

#[cfg(test)]
mod complexity_tests;

pub use file::{measure, measure_path, FileMetrics, FunctionMetrics, MetricsError};
pub use function_complexity::{function_complexity, FunctionComplexity};
pub use halstead::Halstead;
pub use lines::LineCounts;
pub use maintainability::maintainability_index;
