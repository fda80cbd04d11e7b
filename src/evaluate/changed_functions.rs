//! The functions a change touched, on both sides: at the head, every function holding an added
//! line; at the base, every function holding a removed line; and, on each side, the functions of
//! the same names (so a function the change edited is compared with itself). Test functions are
//! marked: maintainability and readability judge the code, the test-coverage component the tests.

use std::collections::BTreeSet;
use std::path::Path;

use crate::analysis::metrics::{measure, FunctionMetrics};
use crate::analysis::Language;

use crate::lint::paths::is_test_path;
use crate::repo::change::ChangedFile;

/// One function on one side of the change.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub path: String,
    pub metrics: FunctionMetrics,
    /// The function's source lines.
    pub lines: Vec<String>,
    pub is_test: bool,
}

/// The changed functions of one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileFunctions {
    pub path: String,
    pub language: Option<Language>,
    pub before: Vec<Function>,
    pub after: Vec<Function>,
}

impl FileFunctions {
    /// (before, after) pairs of the code (not test) functions by name; None on a side where the
    /// function does not exist.
    pub fn code_pairs(&self) -> Vec<(Option<&Function>, Option<&Function>)> {
        let names: BTreeSet<&str> = self
            .before
            .iter()
            .chain(&self.after)
            .filter(|f| !f.is_test)
            .map(|f| f.metrics.name.as_str())
            .collect();
        names
            .into_iter()
            .map(|name| {
                // A name defined twice on a side (overloads, nested helpers) pairs its first
                // definition; the rest are rare enough to leave out.
                (find(&self.before, name), find(&self.after, name))
            })
            .collect()
    }
}

fn measured(language: Language, text: Option<&str>) -> Option<(&str, Vec<FunctionMetrics>)> {
    text.and_then(|t| measure(language, t).ok().map(|m| (t, m.functions)))
}

fn find<'f>(side: &'f [Function], name: &str) -> Option<&'f Function> {
    side.iter().find(|f| !f.is_test && f.metrics.name == name)
}

/// Every changed file in a language the metrics cover, with its changed functions. Files that
/// fail to parse on both sides are left out.
pub fn changed_functions(files: &[ChangedFile]) -> Vec<FileFunctions> {
    files.iter().filter_map(file_functions).collect()
}

fn file_functions(file: &ChangedFile) -> Option<FileFunctions> {
    let language = Language::of_path(Path::new(&file.path))?;
    let before = measured(language, file.before.as_deref());
    let after = measured(language, file.after.as_deref());
    if before.is_none() && after.is_none() {
        return None;
    }
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let touching = |functions: &[FunctionMetrics], lines: &BTreeSet<u32>| {
        functions
            .iter()
            .filter(|f| lines.range(f.line_start..=f.line_end).next().is_some())
            .map(|f| f.name.clone())
            .collect::<Vec<_>>()
    };
    if let Some((_, functions)) = &before {
        touched.extend(touching(functions, &file.removed_lines));
    }
    if let Some((_, functions)) = &after {
        touched.extend(touching(functions, &file.added_lines));
    }
    let collect = |side: Option<(&str, Vec<FunctionMetrics>)>| -> Vec<Function> {
        let Some((text, functions)) = side else {
            return Vec::new();
        };
        let lines: Vec<&str> = text.lines().collect();
        let test_module = rust_test_module_line(language, &lines);
        functions
            .into_iter()
            .filter(|f| touched.contains(&f.name))
            .map(|metrics| {
                let start = metrics.line_start.saturating_sub(1) as usize;
                let end = (metrics.line_end as usize).min(lines.len());
                let body: Vec<String> = lines
                    .get(start..end)
                    .unwrap_or_default()
                    .iter()
                    .map(|l| (*l).to_owned())
                    .collect();
                let is_test = is_test_path(&file.path)
                    || test_module.is_some_and(|line| metrics.line_start > line)
                    || is_test_function(language, &metrics, &lines, &file.path);
                Function {
                    path: file.path.clone(),
                    metrics,
                    lines: body,
                    is_test,
                }
            })
            .collect()
    };
    Some(FileFunctions {
        path: file.path.clone(),
        language: Some(language),
        before: collect(before),
        after: collect(after),
    })
}

/// The 1-based line of a Rust file's `#[cfg(test)]`.
fn rust_test_module_line(language: Language, lines: &[&str]) -> Option<u32> {
    if language != Language::Rust {
        return None;
    }
    lines
        .iter()
        .position(|l| l.trim_start().starts_with("#[cfg(test)]"))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn is_test_function(
    language: Language,
    function: &FunctionMetrics,
    lines: &[&str],
    path: &str,
) -> bool {
    match language {
        Language::Rust => {
            // Attributes sit on the lines just above the function (or open it).
            let start = function.line_start.saturating_sub(1) as usize;
            lines[start.saturating_sub(3)..=start.min(lines.len().saturating_sub(1))]
                .iter()
                .any(|l| {
                    let t = l.trim_start();
                    t.starts_with("#[test]") || t.starts_with("#[tokio::test")
                })
        }
        Language::Python => function.name.starts_with("test"),
        Language::Go => path.ends_with("_test.go"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_edited_function_on_both_sides_and_marks_tests() {
        let before = "fn a() -> u32 {\n    1\n}\n\nfn b() -> u32 {\n    2\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {\n        assert_eq!(super::a(), 1);\n    }\n}\n";
        let after = "fn a() -> u32 {\n    1\n}\n\nfn b() -> u32 {\n    if true { 2 } else { 3 }\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {\n        assert_eq!(super::a(), 1);\n        assert_eq!(super::b(), 2);\n    }\n}\n";
        let files = changed_functions(&[ChangedFile::from_sides(
            "src/lib.rs",
            Some(before),
            Some(after),
        )]);
        let file = &files[0];
        let names = |side: &[Function]| -> Vec<(String, bool)> {
            side.iter()
                .map(|f| (f.metrics.name.clone(), f.is_test))
                .collect()
        };
        assert_eq!(
            names(&file.after),
            [("b".to_owned(), false), ("t".to_owned(), true)]
        );
        assert_eq!(
            names(&file.before),
            [("b".to_owned(), false), ("t".to_owned(), true)]
        );
        let pairs = file.code_pairs();
        assert_eq!(pairs.len(), 1);
        assert!(pairs[0].0.is_some() && pairs[0].1.is_some());
    }
}
