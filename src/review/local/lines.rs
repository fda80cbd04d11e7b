//! Checks of single added lines: new TODOs, anything that looks like a secret, and new calls
//! that panic on bad input.

use std::sync::OnceLock;

use regex::Regex;

use crate::artifacts::{FindingCategory, ReviewFinding, Severity};
use crate::repo::change::ChangedFile;
use crate::review::pattern::regex;

pub fn todos(file: &ChangedFile) -> Vec<ReviewFinding> {
    static TODO: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(todo) = regex(&TODO, r"\b(TODO|FIXME|XXX|HACK)\b[:(]?\s*(.*)") else {
        return Vec::new();
    };
    file.added_with_numbers()
        .into_iter()
        .filter_map(|(line, text)| {
            let capture = todo.captures(text)?;
            let marker = capture.get(1)?.as_str();
            let note = capture.get(2).map_or("", |m| m.as_str()).trim();
            Some(ReviewFinding {
                category: FindingCategory::Other,
                severity: Severity::Minor,
                path: Some(file.path.clone()),
                line_start: Some(line),
                line_end: Some(line),
                title: format!("New {marker} left in the change"),
                body: if note.is_empty() {
                    format!("A {marker} marker was added without a note.")
                } else {
                    format!("{marker}: {note}")
                },
                suggestion: None,
                actionable: false,
            })
        })
        .collect()
}

/// Token shapes (`crate::secrets::looks_like_token`) and credentials assigned as literals. The
/// finding never repeats the value.
pub fn secrets(file: &ChangedFile) -> Vec<ReviewFinding> {
    static ASSIGNED: OnceLock<Option<Regex>> = OnceLock::new();
    let assigned = regex(
        &ASSIGNED,
        // A type between the name and the value (`API_KEY: &str = "..."`, `apiKey string = "..."`)
        // still makes it an assignment.
        r#"(?i)\b(api[_-]?key|secret|passw(or)?d|access[_-]?token|auth[_-]?token|private[_-]?key)\b["']?(\s*:?\s*&?('static\s+)?\w+)?\s*[:=]\s*["'][^"'\s]{12,}["']"#,
    );
    file.added_with_numbers()
        .into_iter()
        .filter(|(_, text)| {
            crate::secrets::looks_like_token(text) || assigned.is_some_and(|re| re.is_match(text))
        })
        .map(|(line, _)| ReviewFinding {
            category: FindingCategory::Security,
            severity: Severity::Critical,
            path: Some(file.path.clone()),
            line_start: Some(line),
            line_end: Some(line),
            title: "Possible secret committed".to_owned(),
            body: "An added line holds what looks like a credential; remove it and rotate it."
                .to_owned(),
            suggestion: None,
            actionable: true,
        })
        .collect()
}

/// New calls that end the program on bad input instead of handling it: Rust's `.unwrap()` and
/// `.expect(...)` outside tests, and Go errors discarded with `_`.
pub fn panics(file: &ChangedFile) -> Vec<ReviewFinding> {
    let is_rust = file.path.ends_with(".rs");
    let is_go = file.path.ends_with(".go") && !file.path.ends_with("_test.go");
    if (!is_rust && !is_go) || crate::lint::paths::is_test_path(&file.path) {
        return Vec::new();
    }
    let test_module = file
        .head_text()
        .lines()
        .position(|l| l.trim_start().starts_with("#[cfg(test)]"))
        .and_then(|i| u32::try_from(i + 1).ok());
    static DISCARDED: OnceLock<Option<Regex>> = OnceLock::new();
    let discarded = regex(&DISCARDED, r"(,\s*_\s*:?=|^\s*_\s*=\s*\w[\w.]*\()");
    file.added_with_numbers()
        .into_iter()
        .filter(|(line, _)| test_module.is_none_or(|start| *line < start))
        .filter(|(_, text)| !text.trim_start().starts_with("//"))
        .filter_map(|(line, text)| {
            let (title, body) = if is_rust && (text.contains(".unwrap()") || text.contains(".expect(")) {
                (
                    "New `unwrap()`/`expect()` can panic",
                    "A value that can be missing or invalid is unwrapped: return or handle the error instead.",
                )
            } else if is_go && discarded.is_some_and(|re| re.is_match(text)) {
                (
                    "Error discarded with `_`",
                    "An error result is thrown away: handle it or return it.",
                )
            } else {
                return None;
            };
            Some(ReviewFinding {
                category: FindingCategory::PotentialIssue,
                severity: Severity::Major,
                path: Some(file.path.clone()),
                line_start: Some(line),
                line_end: Some(line),
                title: title.to_owned(),
                body: body.to_owned(),
                suggestion: None,
                actionable: true,
            })
        })
        .collect()
}
