//! Checks of single added lines: new TODOs, and anything that looks like a secret.

use std::sync::OnceLock;

use regex::Regex;

use super::diff::ChangedFile;
use crate::artifacts::{FindingCategory, ReviewFinding, Severity};
use crate::review::pattern::regex;

pub fn todos(file: &ChangedFile) -> Vec<ReviewFinding> {
    static TODO: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(todo) = regex(&TODO, r"\b(TODO|FIXME|XXX|HACK)\b[:(]?\s*(.*)") else {
        return Vec::new();
    };
    file.added
        .iter()
        .filter_map(|(line, text)| {
            let capture = todo.captures(text)?;
            let marker = capture.get(1)?.as_str();
            let note = capture.get(2).map_or("", |m| m.as_str()).trim();
            Some(ReviewFinding {
                category: FindingCategory::Other,
                severity: Severity::Minor,
                path: Some(file.path.clone()),
                line_start: Some(*line),
                line_end: Some(*line),
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
        r#"(?i)\b(api[_-]?key|secret|passw(or)?d|access[_-]?token|auth[_-]?token|private[_-]?key)\b["']?\s*[:=]\s*["'][^"'\s]{12,}["']"#,
    );
    file.added
        .iter()
        .filter(|(_, text)| {
            crate::secrets::looks_like_token(text) || assigned.is_some_and(|re| re.is_match(text))
        })
        .map(|(line, _)| ReviewFinding {
            category: FindingCategory::Security,
            severity: Severity::Critical,
            path: Some(file.path.clone()),
            line_start: Some(*line),
            line_end: Some(*line),
            title: "Possible secret committed".to_owned(),
            body: "An added line holds what looks like a credential; remove it and rotate it."
                .to_owned(),
            suggestion: None,
            actionable: true,
        })
        .collect()
}
