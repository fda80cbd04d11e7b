//! Very long or deeply nested functions the change added to or touched. A brace and indentation
//! heuristic over the file at the head: no parser, so it works for any brace language and for
//! Python, and errs on the side of saying nothing.

use std::sync::OnceLock;

use regex::Regex;

use super::diff::ChangedFile;
use crate::artifacts::{FindingCategory, ReviewFinding, Severity};
use crate::review::coderabbit::markup::regex;

/// Lines a function may span before it is called very long.
pub const MAX_LINES: u32 = 60;
/// Block depth inside a function body before it is called deeply nested.
pub const MAX_NESTING: u32 = 4;

/// One function found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSpan {
    pub name: String,
    /// 1-based, inclusive.
    pub start: u32,
    pub end: u32,
    /// Deepest block nesting inside the body (the body itself is 0).
    pub nesting: u32,
}

pub fn findings(file: &ChangedFile) -> Vec<ReviewFinding> {
    spans(&file.path, &file.content)
        .into_iter()
        .filter(|f| file.touches(f.start, f.end))
        .filter_map(|f| {
            let lines = f.end - f.start + 1;
            let (title, body) = if lines > MAX_LINES {
                (
                    format!("`{}` is very long ({lines} lines)", f.name),
                    format!("Functions over {MAX_LINES} lines are hard to review and test; split it."),
                )
            } else if f.nesting > MAX_NESTING {
                (
                    format!("`{}` is deeply nested ({} levels)", f.name, f.nesting),
                    format!("Blocks nested over {MAX_NESTING} deep are hard to follow; return early or extract helpers."),
                )
            } else {
                return None;
            };
            Some(ReviewFinding {
                category: FindingCategory::Refactor,
                severity: Severity::Minor,
                path: Some(file.path.clone()),
                line_start: Some(f.start),
                line_end: Some(f.end),
                title,
                body,
                suggestion: None,
                actionable: true,
            })
        })
        .collect()
}

/// The functions of a file, by its extension.
pub fn spans(path: &str, content: &str) -> Vec<FunctionSpan> {
    let extension = path.rsplit('.').next().unwrap_or_default();
    match extension {
        "py" => python_spans(content),
        "rs" | "go" | "js" | "jsx" | "ts" | "tsx" | "java" | "c" | "h" | "cc" | "cpp" | "cs"
        | "kt" | "swift" | "php" | "scala" => brace_spans(content),
        _ => Vec::new(),
    }
}

fn brace_spans(content: &str) -> Vec<FunctionSpan> {
    static HEAD: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(head) = regex(
        &HEAD,
        r"^\s*(?:(?:pub(?:\([^)]*\))?|export|async|const|unsafe|static|extern\s+\S+|default)\s+)*(?:fn|func|function)\s*(?:\([^)]*\)\s*)?([A-Za-z_][A-Za-z0-9_]*)",
    ) else {
        return Vec::new();
    };
    let lines: Vec<&str> = content.lines().collect();
    let mut spans = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(name) = head.captures(line).and_then(|c| c.get(1)) else {
            continue;
        };
        let mut depth = 0i64;
        let mut opened = false;
        let mut deepest = 0i64;
        let mut end = None;
        'scan: for (offset, text) in lines[index..].iter().enumerate() {
            for ch in code_part(text).chars() {
                match ch {
                    '{' => {
                        depth += 1;
                        opened = true;
                        deepest = deepest.max(depth);
                    }
                    '}' => {
                        depth -= 1;
                        if opened && depth == 0 {
                            end = Some(index + offset);
                            break 'scan;
                        }
                    }
                    // A declaration without a body (a trait method, a prototype).
                    ';' if !opened => break 'scan,
                    _ => {}
                }
            }
        }
        if let Some(end) = end {
            spans.push(FunctionSpan {
                name: name.as_str().to_owned(),
                start: line_number(index),
                end: line_number(end),
                nesting: u32::try_from(deepest - 1).unwrap_or(0),
            });
        }
    }
    spans
}

/// The line without a trailing `//` comment and string literals, so their braces do not count.
fn code_part(line: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match quote {
            Some(_) if ch == '\\' => {
                chars.next();
            }
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '"' || ch == '`' => quote = Some(ch),
            // A character literal ('{' or '\''); a lone quote is a lifetime and is kept.
            None if ch == '\'' => {
                let ahead: String = chars.clone().take(3).collect();
                let literal = if ahead.starts_with('\\') { 3 } else { 2 };
                if ahead.chars().nth(literal - 1) == Some('\'') {
                    for _ in 0..literal {
                        chars.next();
                    }
                }
            }
            None if ch == '/' && chars.peek() == Some(&'/') => break,
            None => out.push(ch),
        }
    }
    out
}

fn python_spans(content: &str) -> Vec<FunctionSpan> {
    static DEF: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(def) = regex(&DEF, r"^(\s*)(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)") else {
        return Vec::new();
    };
    let lines: Vec<&str> = content.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut spans = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(capture) = def.captures(line) else {
            continue;
        };
        let base = capture.get(1).map_or(0, |m| m.as_str().len());
        let name = capture.get(2).map_or("", |m| m.as_str());
        let mut end = index;
        let mut body_indent = None;
        let mut deepest = 0usize;
        for (offset, text) in lines[index + 1..].iter().enumerate() {
            if text.trim().is_empty() || text.trim_start().starts_with('#') {
                continue;
            }
            let level = indent(text);
            if level <= base {
                break;
            }
            let body = *body_indent.get_or_insert(level);
            deepest = deepest.max(level.saturating_sub(body));
            end = index + 1 + offset;
        }
        let step = body_indent.map_or(4, |b| (b - base).max(1));
        spans.push(FunctionSpan {
            name: name.to_owned(),
            start: line_number(index),
            end: line_number(end),
            nesting: u32::try_from(deepest / step).unwrap_or(0),
        });
    }
    spans
}

fn line_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rust_functions_with_length_and_nesting() {
        let code = "pub fn short(a: i32) -> i32 {\n    a + 1\n}\n\nasync fn nested() {\n    if a {\n        for x in y {\n            while z {\n                match q {\n                    _ => { let s = \"}\"; }\n                }\n            }\n        }\n    }\n}\ntrait T { fn decl(&self); }\n";
        let spans = spans("src/x.rs", code);
        assert_eq!(
            spans[0],
            FunctionSpan {
                name: "short".into(),
                start: 1,
                end: 3,
                nesting: 0
            }
        );
        assert_eq!(spans[1].name, "nested");
        assert_eq!((spans[1].start, spans[1].end), (5, 15));
        assert_eq!(spans[1].nesting, 5);
        assert_eq!(
            spans.len(),
            2,
            "a body-less declaration is not a function: {spans:?}"
        );
    }

    #[test]
    fn finds_python_functions_by_indentation() {
        let code = "def a():\n    if x:\n        for y in z:\n            pass\n    return 1\n\ndef b():\n    return 2\n";
        let spans = spans("m.py", code);
        assert_eq!(
            spans[0],
            FunctionSpan {
                name: "a".into(),
                start: 1,
                end: 5,
                nesting: 2
            }
        );
        assert_eq!((spans[1].start, spans[1].end), (7, 8));
    }
}
