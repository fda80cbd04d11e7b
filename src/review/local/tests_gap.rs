//! New code without tests: source files that gained functions while nothing in the change is a
//! test (no test file touched, no test added inline).

use super::functions;
use crate::artifacts::{FindingCategory, ReviewFinding, Severity};
use crate::lint::paths::is_test_path;
use crate::repo::change::ChangedFile;

fn adds_inline_tests(file: &ChangedFile) -> bool {
    file.added_text().iter().any(|text| {
        let t = text.trim();
        t.starts_with("#[test]")
            || t.starts_with("#[tokio::test")
            || t.starts_with("#[cfg(test)]")
            || t.starts_with("def test_")
            || t.starts_with("func Test")
    })
}

pub fn findings(files: &[ChangedFile]) -> Vec<ReviewFinding> {
    let tested = files
        .iter()
        .any(|f| is_test_path(&f.path) || adds_inline_tests(f));
    if tested {
        return Vec::new();
    }
    files
        .iter()
        .filter(|f| !is_test_path(&f.path))
        .filter_map(|file| {
            let metrics = functions::metrics(file)?;
            let new: Vec<_> = metrics
                .functions
                .iter()
                .filter(|f| file.is_added(f.line_start))
                .collect();
            let first = new.first()?;
            let names: Vec<String> = new.iter().map(|f| format!("`{}`", f.name)).collect();
            Some(ReviewFinding {
                category: FindingCategory::Testing,
                severity: Severity::Minor,
                path: Some(file.path.clone()),
                line_start: Some(first.line_start),
                line_end: Some(first.line_end),
                title: format!("New code without tests in {}", file.path),
                body: format!("The change adds {} and no test.", names.join(", ")),
                suggestion: None,
                actionable: true,
            })
        })
        .collect()
}
