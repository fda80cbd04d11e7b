//! What kind of source a file is, for the summary: its language name and line-comment marker,
//! from the file name. Wider than the languages the repo map parses.

use std::path::Path;

/// A language as the summary counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceKind {
    pub name: &'static str,
    /// Lines starting with one of these (after indentation) are comments, not code.
    pub comments: &'static [&'static str],
}

const SLASHES: &[&str] = &["//", "/*", "*"];
const HASH: &[&str] = &["#"];

/// The kind of `path`, or None for files the summary does not count as code.
pub fn of_path(path: &Path) -> Option<SourceKind> {
    let name = path.file_name()?.to_str()?;
    if matches!(name, "Makefile" | "makefile" | "GNUmakefile") {
        return Some(kind("Makefile", HASH));
    }
    if name == "Dockerfile" {
        return Some(kind("Dockerfile", HASH));
    }
    let extension = path.extension()?.to_str()?;
    Some(match extension {
        "rs" => kind("Rust", SLASHES),
        "py" | "pyi" => kind("Python", HASH),
        "js" | "mjs" | "cjs" | "jsx" => kind("JavaScript", SLASHES),
        "ts" | "mts" | "cts" | "tsx" => kind("TypeScript", SLASHES),
        "go" => kind("Go", SLASHES),
        "c" | "h" => kind("C", SLASHES),
        "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => kind("C++", SLASHES),
        "java" => kind("Java", SLASHES),
        "kt" | "kts" => kind("Kotlin", SLASHES),
        "swift" => kind("Swift", SLASHES),
        "cs" => kind("C#", SLASHES),
        "rb" => kind("Ruby", HASH),
        "php" => kind("PHP", SLASHES),
        "sh" | "bash" | "zsh" => kind("Shell", HASH),
        "toml" => kind("TOML", HASH),
        "yml" | "yaml" => kind("YAML", HASH),
        "json" => kind("JSON", &[]),
        "md" | "markdown" => kind("Markdown", &[]),
        "html" | "htm" => kind("HTML", &["<!--"]),
        "css" | "scss" => kind("CSS", &["/*", "*"]),
        "sql" => kind("SQL", &["--"]),
        _ => return None,
    })
}

const fn kind(name: &'static str, comments: &'static [&'static str]) -> SourceKind {
    SourceKind { name, comments }
}

impl SourceKind {
    /// Lines that are neither blank nor comments.
    pub fn code_lines(&self, text: &[u8]) -> u32 {
        let mut count = 0;
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len()));
        for end in ends {
            let mut first = start;
            while first < end && matches!(text[first], b' ' | b'\t' | b'\r' | 0x0b | 0x0c) {
                first += 1;
            }
            let line = &text[first..end];
            if !line.is_empty() && !self.comments.iter().any(|c| starts_with(line, c)) {
                count += 1;
            }
            start = end + 1;
        }
        count
    }
}

/// `line.starts_with(prefix)` for the one- to four-byte comment markers, without a call to
/// memcmp for each line of every file.
fn starts_with(line: &[u8], prefix: &str) -> bool {
    let prefix = prefix.as_bytes();
    line.len() >= prefix.len() && prefix.iter().zip(line).all(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_code_lines_without_comments_and_blanks() {
        let rust = of_path(Path::new("src/lib.rs")).unwrap();
        assert_eq!(rust.name, "Rust");
        assert_eq!(rust.code_lines(b"//! doc\n\nfn a() {\n    // note\n}\n"), 2);
        assert_eq!(of_path(Path::new("x/Makefile")).unwrap().name, "Makefile");
        assert!(of_path(Path::new("image.png")).is_none());
    }
}
