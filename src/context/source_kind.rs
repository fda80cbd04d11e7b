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
    pub fn code_lines(&self, text: &str) -> u32 {
        let mut count = 0;
        for line in text.lines() {
            let line = line.trim_start();
            if !line.is_empty() && !self.comments.iter().any(|c| line.starts_with(c)) {
                count += 1;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_code_lines_without_comments_and_blanks() {
        let rust = of_path(Path::new("src/lib.rs")).unwrap();
        assert_eq!(rust.name, "Rust");
        assert_eq!(rust.code_lines("//! doc\n\nfn a() {\n    // note\n}\n"), 2);
        assert_eq!(of_path(Path::new("x/Makefile")).unwrap().name, "Makefile");
        assert!(of_path(Path::new("image.png")).is_none());
    }
}
