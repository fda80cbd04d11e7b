//! Test cases a change added and removed, counted as test functions, not lines: Rust functions
//! under `#[test]` (or `#[tokio::test]`, `#[rstest]`, ...), pytest's `test_*` functions, the
//! `it(...)` / `test(...)` calls of JavaScript and TypeScript test runners, and Go's
//! `func TestXxx(t *testing.T)` in `_test.go` files. A test is known by its file and name, so a
//! test whose body a lint fix touched is neither added nor removed.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

use crate::analysis::Language;

use crate::repo::change::ChangedFile;

/// Tests the change added and removed, as `path::name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestDelta {
    pub added: BTreeSet<String>,
    pub removed: BTreeSet<String>,
}

impl TestDelta {
    pub fn added_count(&self) -> u32 {
        u32::try_from(self.added.len()).unwrap_or(u32::MAX)
    }

    pub fn removed_count(&self) -> u32 {
        u32::try_from(self.removed.len()).unwrap_or(u32::MAX)
    }
}

/// The tests added and removed over every changed file.
pub fn test_delta(files: &[ChangedFile]) -> TestDelta {
    let mut delta = TestDelta::default();
    for file in files {
        let before = test_names(&file.path, file.before.as_deref().unwrap_or_default());
        let after = test_names(&file.path, file.after.as_deref().unwrap_or_default());
        let qualify = |name: &String| format!("{}::{name}", file.path);
        delta.added.extend(after.difference(&before).map(qualify));
        delta.removed.extend(before.difference(&after).map(qualify));
    }
    delta
}

/// The names of the test cases in one file.
pub fn test_names(path: &str, text: &str) -> BTreeSet<String> {
    let file = Path::new(path);
    match Language::of_path(file) {
        Some(Language::Rust) => rust_tests(text),
        Some(Language::Python) => captures(python_test(), text, 1),
        Some(Language::JavaScript | Language::TypeScript | Language::Tsx) => {
            captures(js_test(), text, 3)
        }
        Some(Language::Go) if path.ends_with("_test.go") => captures(go_test(), text, 1),
        _ => BTreeSet::new(),
    }
}

fn rust_tests(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut pending = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[") && is_rust_test_attribute(trimmed) {
            pending = true;
            continue;
        }
        if pending {
            if let Some(name) = rust_fn_name(trimmed) {
                names.insert(name);
                pending = false;
            } else if !trimmed.starts_with("#[") && !trimmed.is_empty() {
                pending = false;
            }
        }
    }
    names
}

fn is_rust_test_attribute(attribute: &str) -> bool {
    let inner = attribute.trim_start_matches("#[");
    let path = inner.split([']', '(']).next().unwrap_or_default();
    path == "test" || path.ends_with("::test") || path == "rstest" || path == "test_case"
}

fn rust_fn_name(line: &str) -> Option<String> {
    let at = line.find("fn ")?;
    let before = &line[..at];
    let allowed = before
        .split_whitespace()
        .all(|w| matches!(w, "pub" | "pub(crate)" | "async" | "unsafe" | "const"));
    if !allowed {
        return None;
    }
    let name: String = line[at + 3..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn captures(pattern: Option<&Regex>, text: &str, group: usize) -> BTreeSet<String> {
    let Some(pattern) = pattern else {
        return BTreeSet::new();
    };
    pattern
        .captures_iter(text)
        .filter_map(|c| c.get(group).map(|m| m.as_str().to_owned()))
        .collect()
}

fn python_test() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?m)^\s*(?:async\s+)?def\s+(test\w*)\s*\(").ok())
        .as_ref()
}

fn js_test() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?m)\b(it|test)(\.only|\.skip|\.each\([^)]*\))?\s*\(\s*['"`]([^'"`]+)['"`]"#)
            .ok()
    })
    .as_ref()
}

fn go_test() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?m)^func\s+(Test[A-Z_0-9]\w*|Test)\s*\(\s*\w+\s+\*testing\.T\s*\)").ok()
    })
    .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_test_functions_in_each_language() {
        let rust = "fn a() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {}\n    #[tokio::test]\n    #[ignore = \"slow\"]\n    async fn fetches() {}\n    fn helper() {}\n}\n";
        assert_eq!(
            test_names("src/lib.rs", rust),
            BTreeSet::from(["adds".to_owned(), "fetches".to_owned()])
        );
        let python = "def helper():\n    pass\n\ndef test_half():\n    assert 1\n\nclass TestX:\n    def test_more(self):\n        pass\n";
        assert_eq!(test_names("tests/test_m.py", python).len(), 2);
        let js = "describe('cart', () => {\n  it('totals', () => {});\n  test(\"empties\", async () => {});\n  it.skip('later', () => {});\n});\n";
        assert_eq!(test_names("cart.test.js", js).len(), 3);
        let go = "package s\n\nfunc TestAddress(t *testing.T) {}\nfunc helper(t *testing.T) {}\nfunc BenchmarkX(b *testing.B) {}\n";
        assert_eq!(
            test_names("server_test.go", go),
            BTreeSet::from(["TestAddress".to_owned()])
        );
        assert!(test_names("server.go", go).is_empty());
    }

    #[test]
    fn a_touched_test_is_neither_added_nor_removed() {
        let before = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn totals() {\n        let v = vec![1];\n    }\n}\n";
        let after = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn totals() {\n        let v = [1];\n    }\n    #[test]\n    fn empty() {}\n}\n";
        let delta = test_delta(&[ChangedFile::from_sides(
            "src/lib.rs",
            Some(before),
            Some(after),
        )]);
        assert_eq!(delta.added_count(), 1);
        assert_eq!(delta.removed_count(), 0);
        let gone = test_delta(&[ChangedFile::from_sides(
            "src/lib.rs",
            Some(after),
            Some(before),
        )]);
        assert_eq!(
            gone.removed,
            BTreeSet::from(["src/lib.rs::empty".to_owned()])
        );
    }
}
