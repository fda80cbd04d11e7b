//! The complexity of each function in an already parsed tree, and nothing else: for callers that
//! parsed the file themselves (the context's walk parses once for tags and metrics) and need
//! neither the Halstead counts nor the line counts of [`measure`](super::measure).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tree_sitter::Tree;

use super::complexity::analyse;
use crate::analysis::Language;

/// One function's place and complexity (the figures [`FunctionMetrics`](super::FunctionMetrics)
/// has for it too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FunctionComplexity {
    pub name: String,
    /// 1-based.
    pub line_start: u32,
    pub cyclomatic: u32,
    pub cognitive: u32,
    pub max_nesting: u32,
}

/// Every function of `tree` (parsed from `source` in `language`) with its complexity, in source
/// order.
pub fn function_complexity(
    language: Language,
    tree: &Tree,
    source: &[u8],
) -> Vec<FunctionComplexity> {
    let (sites, _top_level) = analyse(tree.root_node(), source, language);
    sites
        .into_iter()
        .map(|site| FunctionComplexity {
            line_start: u32::try_from(site.node.start_position().row + 1).unwrap_or(u32::MAX),
            name: site.name,
            cyclomatic: site.complexity.decision_points() + 1,
            cognitive: site.complexity.cognitive,
            max_nesting: site.complexity.max_nesting,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::metrics::measure;

    #[test]
    fn agrees_with_the_full_measure() {
        let source = "fn a() -> i32 { 1 }\n\nfn b(x: i32) -> i32 {\n    if x > 0 {\n        for _ in 0..x {\n            if x % 2 == 0 && x > 3 { return 1; }\n        }\n    }\n    0\n}\n";
        let mut parser = Language::Rust.parser().unwrap();
        let tree = parser.parse(source, None).unwrap();
        let quick = function_complexity(Language::Rust, &tree, source.as_bytes());
        let full = measure(Language::Rust, source).unwrap().functions;
        assert_eq!(quick.len(), 2);
        for (q, f) in quick.iter().zip(&full) {
            assert_eq!(
                (
                    &q.name,
                    q.line_start,
                    q.cyclomatic,
                    q.cognitive,
                    q.max_nesting
                ),
                (
                    &f.name,
                    f.line_start,
                    f.cyclomatic,
                    f.cognitive,
                    f.max_nesting
                )
            );
        }
        assert!(quick[1].cognitive > quick[0].cognitive);
    }
}
