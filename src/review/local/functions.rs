//! Very long, deeply nested or very complex functions the change added to or touched, measured on
//! the file at the head with the project's tree-sitter metrics.

use std::path::Path;

use crate::analysis::metrics::{measure_path, FileMetrics, FunctionMetrics};
use crate::artifacts::{FindingCategory, ReviewFinding, Severity};
use crate::repo::change::ChangedFile;

/// Lines a function may span before it is called very long.
pub const MAX_LINES: u32 = 60;
/// Control-flow nesting a function may reach before it is called deeply nested.
pub const MAX_NESTING: u32 = 4;
/// Cognitive complexity (SonarSource) above which a function is called too complex; Sonar's
/// default threshold.
pub const MAX_COGNITIVE: u32 = 15;

/// The metrics of a changed file; None for languages without a grammar, or on a parse failure.
pub fn metrics(file: &ChangedFile) -> Option<FileMetrics> {
    measure_path(Path::new(&file.path), file.head_text())?.ok()
}

/// The functions of the file whose span holds an added line.
pub fn touched<'m>(file: &ChangedFile, metrics: &'m FileMetrics) -> Vec<&'m FunctionMetrics> {
    metrics
        .functions
        .iter()
        .filter(|f| file.touches(f.line_start, f.line_end))
        .collect()
}

pub fn findings(file: &ChangedFile, metrics: &FileMetrics) -> Vec<ReviewFinding> {
    touched(file, metrics)
        .into_iter()
        .filter_map(|f| {
            let (title, body) = if f.lines > MAX_LINES {
                (
                    format!("`{}` is very long ({} lines)", f.name, f.lines),
                    format!("Functions over {MAX_LINES} lines are hard to review and test; split it."),
                )
            } else if f.max_nesting > MAX_NESTING {
                (
                    format!("`{}` is deeply nested ({} levels)", f.name, f.max_nesting),
                    format!("Control flow nested over {MAX_NESTING} deep is hard to follow; return early or extract helpers."),
                )
            } else if f.cognitive > MAX_COGNITIVE {
                (
                    format!("`{}` is complex (cognitive complexity {})", f.name, f.cognitive),
                    format!("Cognitive complexity over {MAX_COGNITIVE} makes a function hard to understand; simplify its branches."),
                )
            } else {
                return None;
            };
            Some(ReviewFinding {
                category: FindingCategory::Refactor,
                severity: Severity::Minor,
                path: Some(file.path.clone()),
                line_start: Some(f.line_start),
                line_end: Some(f.line_end),
                title,
                body,
                suggestion: None,
                actionable: true,
            })
        })
        .collect()
}
