//! What the context keeps of one parsed source file, and caches between runs: its tags and its
//! most complex functions (from the code metrics).

use serde::{Deserialize, Serialize};

use crate::analysis::tags::{self, FileTags};
use crate::analysis::{metrics, Language};

/// Functions at least this complex (cognitive complexity, SonarSource's default threshold) are
/// kept as candidates for a refactoring finding.
pub const COMPLEX_COGNITIVE: u32 = 15;

/// A function complex enough to report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplexFunction {
    pub name: String,
    pub line: u32,
    pub cyclomatic: u32,
    pub cognitive: u32,
}

/// The cached result of parsing one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileAnalysis {
    pub tags: FileTags,
    pub complex_functions: Vec<ComplexFunction>,
}

/// Tags and complex functions of `content`, from one parse shared by both. Text the parser
/// cannot read at all has neither.
pub fn analyse(language: Language, content: &[u8]) -> FileAnalysis {
    let Some(tree) = tags::parse(language, content) else {
        return FileAnalysis::default();
    };
    let complex_functions = metrics::function_complexity(language, &tree, content)
        .into_iter()
        .filter(|f| f.cognitive >= COMPLEX_COGNITIVE)
        .map(|f| ComplexFunction {
            name: f.name,
            line: f.line_start,
            cyclomatic: f.cyclomatic,
            cognitive: f.cognitive,
        })
        .collect();
    FileAnalysis {
        tags: tags::extract_from_tree(language, &tree, content),
        complex_functions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_complex_functions() {
        let simple = "fn a() -> i32 { 1 }\n";
        let nested = "fn b(v: &[i32]) -> i32 {\n    let mut t = 0;\n    for x in v {\n        if *x > 0 {\n            for y in v {\n                if *y > *x {\n                    if *y % 2 == 0 {\n                        t += 1;\n                    } else if *y % 3 == 0 {\n                        t += 2;\n                    } else {\n                        t -= 1;\n                    }\n                }\n            }\n        } else if *x < -10 {\n            while t > 0 {\n                if t % 5 == 0 {\n                    break;\n                }\n                t -= 1;\n            }\n        }\n    }\n    t\n}\n";
        let analysis = analyse(Language::Rust, format!("{simple}{nested}").as_bytes());
        let names: Vec<&str> = analysis
            .complex_functions
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(
            names,
            vec!["b"],
            "{:?}",
            metrics::measure(Language::Rust, nested).unwrap().functions
        );
        assert_eq!(analysis.complex_functions[0].line, 2);
        assert_eq!(analysis.tags.definitions.len(), 2);
    }
}
