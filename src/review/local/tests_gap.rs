//! New code without tests: source files that gained functions while nothing in the change is a
//! test (no test file touched, no test added inline).

use super::diff::ChangedFile;
use super::functions;
use crate::artifacts::{FindingCategory, ReviewFinding, Severity};

/// Whether a path is a test file by the common conventions of the languages we read.
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    lower
        .split('/')
        .any(|part| matches!(part, "tests" | "test" | "__tests__" | "spec" | "specs"))
        || name.starts_with("test_")
        || name.ends_with("_test.go")
        || name.ends_with("_test.py")
        || name.ends_with("_tests.rs")
        || name.contains(".test.")
        || name.contains(".spec.")
}

fn adds_inline_tests(file: &ChangedFile) -> bool {
    file.added.iter().any(|(_, text)| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_paths() {
        for path in [
            "tests/it.rs",
            "src/foo_test.go",
            "pkg/test_util.py",
            "web/a.test.ts",
            "src/__tests__/x.js",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in ["src/lib.rs", "src/contest.rs", "latest/main.go"] {
            assert!(!is_test_path(path), "{path}");
        }
    }
}
