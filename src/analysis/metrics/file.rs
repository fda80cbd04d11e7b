//! The metrics of one source file and of each function in it.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::complexity::analyse;
use super::halstead::{halstead, Halstead};
use super::lines::{line_counts, LineCounts};
use super::maintainability::maintainability_index;
use super::syntax::{is, Syntax};
use crate::analysis::Language;

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("load the {0} grammar")]
    Grammar(&'static str),
    #[error("parse a {0} file")]
    Parse(&'static str),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunctionMetrics {
    pub name: String,
    /// 1-based, inclusive.
    pub line_start: u32,
    pub line_end: u32,
    pub lines: u32,
    pub parameters: u32,
    pub cyclomatic: u32,
    pub cognitive: u32,
    pub max_nesting: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FileMetrics {
    pub language: String,
    pub lines: LineCounts,
    pub functions: Vec<FunctionMetrics>,
    /// The sum over functions plus the decisions outside every function.
    pub cyclomatic: u32,
    /// The sum over functions plus the increments outside every function.
    pub cognitive: u32,
    pub max_cyclomatic: u32,
    pub max_cognitive: u32,
    pub max_nesting: u32,
    /// Mean function length in lines; 0 without functions.
    pub mean_function_lines: f64,
    pub halstead: Halstead,
    /// 0-100; see [`maintainability_index`].
    pub maintainability_index: f64,
    /// Whether tree-sitter had to recover from syntax errors (the figures are then approximate).
    pub has_syntax_errors: bool,
}

/// The metrics of a file whose language is known from its path; None for other files.
pub fn measure_path(path: &Path, source: &str) -> Option<Result<FileMetrics, MetricsError>> {
    Language::of_path(path).map(|language| measure(language, source))
}

/// The metrics of `source`, written in `language`.
pub fn measure(language: Language, source: &str) -> Result<FileMetrics, MetricsError> {
    let mut parser = language
        .parser()
        .ok_or(MetricsError::Grammar(language.name()))?;
    let tree = parser
        .parse(source, None)
        .ok_or(MetricsError::Parse(language.name()))?;
    let root = tree.root_node();
    let syntax = Syntax::of(language);
    let bytes = source.as_bytes();

    let (sites, top_level) = analyse(root, bytes, language);
    let functions: Vec<FunctionMetrics> = sites
        .iter()
        .map(|site| {
            let start = site.node.start_position().row;
            let end = site.node.end_position().row;
            FunctionMetrics {
                name: site.name.clone(),
                line_start: row_number(start),
                line_end: row_number(end),
                lines: row_number(end - start),
                parameters: parameter_count(site.node, bytes, syntax),
                cyclomatic: site.complexity.decision_points() + 1,
                cognitive: site.complexity.cognitive,
                max_nesting: site.complexity.max_nesting,
            }
        })
        .collect();

    let cyclomatic =
        functions.iter().map(|f| f.cyclomatic).sum::<u32>() + top_level.decision_points();
    let cognitive = functions.iter().map(|f| f.cognitive).sum::<u32>() + top_level.cognitive;
    let lines = line_counts(root, source, syntax);
    let halstead = halstead(root, bytes, syntax);
    let maintainability_index =
        maintainability_index(halstead.volume, cyclomatic.max(1), lines.source_lines);
    let mean_function_lines = if functions.is_empty() {
        0.0
    } else {
        f64::from(functions.iter().map(|f| f.lines).sum::<u32>()) / functions.len() as f64
    };
    Ok(FileMetrics {
        language: language.name().to_owned(),
        max_cyclomatic: functions.iter().map(|f| f.cyclomatic).max().unwrap_or(0),
        max_cognitive: functions.iter().map(|f| f.cognitive).max().unwrap_or(0),
        max_nesting: functions
            .iter()
            .map(|f| f.max_nesting)
            .chain([top_level.max_nesting])
            .max()
            .unwrap_or(0),
        functions,
        cyclomatic,
        cognitive,
        mean_function_lines,
        lines,
        halstead,
        maintainability_index,
        has_syntax_errors: root.has_error(),
    })
}

fn row_number(row: usize) -> u32 {
    u32::try_from(row + 1).unwrap_or(u32::MAX)
}

/// The declared parameters of a function (Rust's `self` and Python's `self`/`cls` excluded;
/// Go's `a, b int` counts two).
fn parameter_count(function: tree_sitter::Node<'_>, source: &[u8], syntax: &Syntax) -> u32 {
    let Some(list) = function
        .child_by_field_name("parameters")
        .or_else(|| function.child_by_field_name("parameter"))
    else {
        return 0;
    };
    if !list.kind().contains("parameter") || list.kind() == "parameter" {
        // A single bare parameter (`x => ...`).
        return 1;
    }
    let mut cursor = list.walk();
    let count = list
        .named_children(&mut cursor)
        .filter(|p| !is(syntax.non_parameters, p.kind()))
        .filter(|p| !matches!(p.utf8_text(source), Ok("self" | "cls")))
        .map(|p| {
            let mut names = p.walk();
            let declared = p.children_by_field_name("name", &mut names).count();
            declared.max(1)
        })
        .sum::<usize>();
    u32::try_from(count).unwrap_or(u32::MAX)
}
