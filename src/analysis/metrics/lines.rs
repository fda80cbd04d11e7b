//! Line counts of a file: blank, source and comment lines, and the comment density.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tree_sitter::Node;

use super::syntax::{is, Syntax};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LineCounts {
    pub lines: u32,
    pub blank_lines: u32,
    /// Lines that are not blank (code, comments or both).
    pub source_lines: u32,
    /// Lines holding (part of) a comment or, in Python, a docstring.
    pub comment_lines: u32,
    /// comment_lines / source_lines, 0 for an empty file.
    pub comment_density: f64,
}

pub(super) fn line_counts(root: Node<'_>, source: &str, syntax: &Syntax) -> LineCounts {
    let lines = source.lines().count();
    let blank = source.lines().filter(|l| l.trim().is_empty()).count();
    let mut comment_rows = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if is(syntax.comments, node.kind()) || (syntax.docstrings && is_docstring(node)) {
            comment_rows.extend(node.start_position().row..=last_row(node));
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let source_lines = count(lines - blank);
    let comment_lines = count(comment_rows.len()).min(source_lines);
    LineCounts {
        lines: count(lines),
        blank_lines: count(blank),
        source_lines,
        comment_lines,
        comment_density: if source_lines == 0 {
            0.0
        } else {
            f64::from(comment_lines) / f64::from(source_lines)
        },
    }
}

/// The last row a node covers (Rust's line comments end at column 0 of the next row, since they
/// include their newline).
fn last_row(node: Node<'_>) -> usize {
    let (start, end) = (node.start_position(), node.end_position());
    if end.column == 0 && end.row > start.row {
        end.row - 1
    } else {
        end.row
    }
}

/// A Python string statement that opens a module, class or function body.
fn is_docstring(node: Node<'_>) -> bool {
    if node.kind() != "expression_statement" || node.named_child_count() != 1 {
        return false;
    }
    let Some(string) = node.named_child(0) else {
        return false;
    };
    if string.kind() != "string" {
        return false;
    }
    let Some(parent) = node.parent() else {
        return false;
    };
    let opens_body = parent.named_child(0).map(|first| first.id()) == Some(node.id());
    opens_body && matches!(parent.kind(), "module" | "block")
}
