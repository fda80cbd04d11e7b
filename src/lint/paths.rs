//! Which files are tests, by the conventions of the languages we read: the one rule the context,
//! the review, the evaluation and the linters share.

/// Whether `path` (repository-relative, `/`-separated) is a test file by its place or name:
/// under `tests/`, `test/`, `__tests__/`, `spec/`, `specs/`, `testdata/` or `testing/`, or named
/// `test_*.py`, `*_test.py`, `*_test.go`, `*_tests.rs`, `*.test.*`, `*.spec.*`.
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    parts.iter().any(|part| {
        matches!(
            *part,
            "tests" | "test" | "__tests__" | "spec" | "specs" | "testdata" | "testing"
        )
    }) || (name.starts_with("test_") && name.ends_with(".py"))
        || name.ends_with("_test.py")
        || name.ends_with("_test.go")
        || name.ends_with("_tests.rs")
        || name.contains(".test.")
        || name.contains(".spec.")
}

#[cfg(test)]
mod tests {
    use super::is_test_path;

    #[test]
    fn test_files_by_place_and_name() {
        for path in [
            "tests/it.rs",
            "pkg/test_api.py",
            "pkg/api_test.py",
            "web/app.spec.ts",
            "web/__tests__/cart.js",
            "srv/handler_test.go",
            "src/parser_tests.rs",
            "Spec/models.rb",
            "go/testdata/input.go",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in [
            "src/latest.rs",
            "src/contest.rs",
            "tests",
            "src/attest.py",
            "docs/testing.md",
        ] {
            assert!(!is_test_path(path), "{path}");
        }
    }
}
