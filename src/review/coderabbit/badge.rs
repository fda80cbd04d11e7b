//! The label line CodeRabbit starts a comment with, `_⚠️ Potential issue_ | _🟠 Major_`: the
//! category of the finding and its severity.

use std::sync::OnceLock;

use regex::Regex;

use crate::artifacts::{FindingCategory, Severity};
use crate::review::pattern::regex;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Badges {
    pub category: Option<FindingCategory>,
    pub severity: Option<Severity>,
}

/// Reads a badge line: italic labels separated by `|`. `None` when the line is not one.
pub fn parse_line(line: &str) -> Option<Badges> {
    static ITALIC: OnceLock<Option<Regex>> = OnceLock::new();
    let line = line.trim();
    if !line.starts_with('_') {
        return None;
    }
    let italic = regex(&ITALIC, r"_([^_|]+?)_")?;
    let mut badges = Badges::default();
    let mut any = false;
    for capture in italic.captures_iter(line) {
        let label = capture.get(1).map_or("", |m| m.as_str()).to_lowercase();
        if let Some(severity) = severity(&label) {
            badges.severity = Some(severity);
            any = true;
        } else if let Some(category) = category(&label) {
            badges.category = Some(category);
            any = true;
        }
    }
    any.then_some(badges)
}

/// The first badge line among the first few lines of `text`.
pub fn find(text: &str) -> Option<Badges> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .find_map(parse_line)
}

fn severity(label: &str) -> Option<Severity> {
    [
        ("critical", Severity::Critical),
        ("major", Severity::Major),
        ("minor", Severity::Minor),
        ("trivial", Severity::Trivial),
        ("info", Severity::Info),
    ]
    .into_iter()
    .find(|(word, _)| {
        label
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == *word)
    })
    .map(|(_, severity)| severity)
}

/// Category labels as CodeRabbit writes them (with emoji or `:shortcode:` prefixes).
pub fn category(label: &str) -> Option<FindingCategory> {
    let label = label.to_lowercase();
    let table = [
        ("potential issue", FindingCategory::PotentialIssue),
        ("bug", FindingCategory::PotentialIssue),
        ("security", FindingCategory::Security),
        ("performance", FindingCategory::Performance),
        ("refactor", FindingCategory::Refactor),
        ("nitpick", FindingCategory::Nitpick),
        ("style", FindingCategory::Style),
        ("test", FindingCategory::Testing),
        ("documentation", FindingCategory::Documentation),
        ("docs", FindingCategory::Documentation),
        ("verification", FindingCategory::Other),
        ("suggestion", FindingCategory::Refactor),
    ];
    table
        .into_iter()
        .find(|(words, _)| label.contains(words))
        .map(|(_, category)| category)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_current_and_older_badges() {
        let b = parse_line("_⚠️ Potential issue_ | _🟠 Major_").unwrap();
        assert_eq!(b.category, Some(FindingCategory::PotentialIssue));
        assert_eq!(b.severity, Some(Severity::Major));
        let b = parse_line("_:hammer_and_wrench: Refactor suggestion_").unwrap();
        assert_eq!(b.category, Some(FindingCategory::Refactor));
        assert_eq!(b.severity, None);
        let b = parse_line("_🔒 Security_ | _🔴 Critical_").unwrap();
        assert_eq!(
            b,
            Badges {
                category: Some(FindingCategory::Security),
                severity: Some(Severity::Critical)
            }
        );
        let b = parse_line("_🧹 Nitpick_ | _🔵 Trivial_").unwrap();
        assert_eq!(b.severity, Some(Severity::Trivial));
        assert_eq!(parse_line("**Not a badge**"), None);
        assert_eq!(parse_line("_just emphasis_"), None);
    }
}
