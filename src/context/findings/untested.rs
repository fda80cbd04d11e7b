//! Modules without tests: source files that hold no tests themselves and whose definitions no
//! test file references. Language-agnostic, through the tags the walk already has.

use std::collections::HashSet;

use crate::artifacts::{Finding, FindingKind};
use crate::context::walk::FileRecord;
use crate::lint::paths::is_test_path;

/// Files smaller than this are not worth a test task of their own.
const MIN_CODE_LINES: u32 = 15;

/// The untested modules, largest first; score is their code lines.
pub fn findings(files: &[FileRecord]) -> Vec<Finding> {
    let tested_names: HashSet<&str> = files
        .iter()
        .filter(|f| f.has_tests || is_test_path(&f.path))
        .filter_map(|f| f.tags.as_ref())
        .flat_map(|t| t.references.iter().map(|(name, _)| name.as_str()))
        .collect();
    let mut found: Vec<Finding> = files
        .iter()
        .filter(|f| !f.has_tests && !is_test_path(&f.path) && f.code_lines >= MIN_CODE_LINES)
        .filter(|f| !is_example_or_generated(&f.path))
        .filter_map(|f| {
            let tags = f.tags.as_ref()?;
            if tags.definitions.is_empty() {
                return None;
            }
            let referenced = tags
                .definitions
                .iter()
                .any(|d| tested_names.contains(d.name.as_str()));
            (!referenced).then(|| Finding {
                kind: FindingKind::Untested,
                path: f.path.clone(),
                line: None,
                message: format!(
                    "no test covers this module ({} code lines, {} definitions)",
                    f.code_lines,
                    tags.definitions.len()
                ),
                tool: "repo-map".to_owned(),
                fixable: false,
                score: Some(f64::from(f.code_lines)),
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.score
            .unwrap_or(0.0)
            .total_cmp(&a.score.unwrap_or(0.0))
            .then_with(|| a.path.cmp(&b.path))
    });
    found
}

fn is_example_or_generated(path: &str) -> bool {
    path.split('/').any(|part| {
        matches!(
            part,
            "examples" | "benches" | "bench" | "vendor" | "node_modules"
        )
    }) || path.ends_with("build.rs")
        || path.ends_with(".d.ts")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tags::{Definition, FileTags};

    fn record(path: &str, defs: &[&str], refs: &[&str], has_tests: bool) -> FileRecord {
        FileRecord {
            path: path.into(),
            bytes: 0,
            language: Some("Rust"),
            code_lines: 40,
            tags: Some(FileTags {
                definitions: defs
                    .iter()
                    .map(|n| Definition {
                        name: n.to_string(),
                        kind: "function".into(),
                        line: 1,
                        signature: String::new(),
                    })
                    .collect(),
                references: refs.iter().map(|r| (r.to_string(), 1)).collect(),
            }),
            complexity_estimate: 0,
            complex_functions: vec![],
            generated: false,
            has_tests,
            markers: vec![],
        }
    }

    #[test]
    fn files_no_test_references_are_untested() {
        let files = vec![
            record("src/covered.rs", &["parse"], &[], false),
            record("src/inline.rs", &["helper"], &[], true),
            record("src/lonely.rs", &["lonely"], &[], false),
            record("tests/it.rs", &["it_parses"], &["parse"], false),
        ];
        let found = findings(&files);
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, vec!["src/lonely.rs"]);
    }
}
