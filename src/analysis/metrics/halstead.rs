//! Halstead's software-science measures from the tokens of a syntax tree.
//!
//! Operands are identifiers and literals (a string literal is one operand, not its quotes and
//! content); operators are every other token — keywords, operators and punctuation — except
//! closing brackets, which pair with their opening one. Comments are neither.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tree_sitter::Node;

use super::syntax::{is, Syntax};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Halstead {
    /// n1: distinct operators.
    pub distinct_operators: u32,
    /// n2: distinct operands.
    pub distinct_operands: u32,
    /// N1: operator occurrences.
    pub total_operators: u32,
    /// N2: operand occurrences.
    pub total_operands: u32,
    /// n = n1 + n2.
    pub vocabulary: u32,
    /// N = N1 + N2.
    pub length: u32,
    /// V = N * log2(n).
    pub volume: f64,
    /// D = (n1 / 2) * (N2 / n2).
    pub difficulty: f64,
    /// E = D * V.
    pub effort: f64,
}

const CLOSING: &[&str] = &[")", "]", "}"];

pub(super) fn halstead(root: Node<'_>, source: &[u8], syntax: &Syntax) -> Halstead {
    let mut operators: HashMap<&[u8], u32> = HashMap::new();
    let mut operands: HashMap<&[u8], u32> = HashMap::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let kind = node.kind();
        if is(syntax.comments, kind) || node.is_missing() {
            continue;
        }
        let atomic = is(syntax.literals, kind);
        if node.child_count() > 0 && !atomic {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
            continue;
        }
        let text = source.get(node.byte_range()).unwrap_or_default();
        if text.iter().all(u8::is_ascii_whitespace) || is(CLOSING, kind) {
            continue;
        }
        let counts = if atomic || node.is_named() {
            &mut operands
        } else {
            &mut operators
        };
        *counts.entry(text).or_default() += 1;
    }
    Halstead::from_counts(
        operators.len(),
        operands.len(),
        operators.values().sum(),
        operands.values().sum(),
    )
}

impl Halstead {
    fn from_counts(n1: usize, n2: usize, total1: u32, total2: u32) -> Self {
        let distinct_operators = u32::try_from(n1).unwrap_or(u32::MAX);
        let distinct_operands = u32::try_from(n2).unwrap_or(u32::MAX);
        let vocabulary = distinct_operators.saturating_add(distinct_operands);
        let length = total1.saturating_add(total2);
        let volume = if vocabulary > 1 {
            f64::from(length) * f64::from(vocabulary).log2()
        } else {
            0.0
        };
        let difficulty = if distinct_operands > 0 {
            f64::from(distinct_operators) / 2.0 * f64::from(total2) / f64::from(distinct_operands)
        } else {
            0.0
        };
        Self {
            distinct_operators,
            distinct_operands,
            total_operators: total1,
            total_operands: total2,
            vocabulary,
            length,
            volume,
            difficulty,
            effort: difficulty * volume,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Language;

    #[test]
    fn counts_operators_and_operands_of_a_statement() {
        // `x = a + a * "s"`: operators = + * (3 occurrences, 3 distinct: = + *);
        // operands x a a "s" (4 occurrences, 3 distinct).
        let source = "x = a + a * \"s\"\n";
        let mut parser = Language::Python.parser().expect("grammar");
        let tree = parser.parse(source, None).expect("parse");
        let h = halstead(
            tree.root_node(),
            source.as_bytes(),
            Syntax::of(Language::Python),
        );
        assert_eq!((h.distinct_operators, h.total_operators), (3, 3));
        assert_eq!((h.distinct_operands, h.total_operands), (3, 4));
        assert_eq!(h.vocabulary, 6);
        assert_eq!(h.length, 7);
        assert!((h.volume - 7.0 * 6f64.log2()).abs() < 1e-9);
        assert!((h.difficulty - 1.5 * 4.0 / 3.0).abs() < 1e-9);
    }
}
