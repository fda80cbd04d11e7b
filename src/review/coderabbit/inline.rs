//! One inline review comment: badge line (category, severity), bold title, explanation, the
//! proposed diff and the committable suggestion.

use super::badge;
use super::markup::{details_blocks, fenced_block, plain, prose};
use crate::artifacts::{FindingCategory, Severity};

/// The longest explanation kept per finding.
pub const MAX_BODY_CHARS: usize = 1500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineComment {
    pub category: FindingCategory,
    pub severity: Severity,
    /// Whether a badge named the severity (otherwise it is inferred from the category).
    pub severity_stated: bool,
    pub title: String,
    pub body: String,
    /// The ```diff block of a "Proposed fix" or "Suggested change".
    pub proposed_diff: Option<String>,
    /// The ```suggestion block of the "📝 Committable suggestion".
    pub committable_suggestion: Option<String>,
}

/// Reads an inline comment's markdown.
pub fn parse(markdown: &str) -> InlineComment {
    let badges = badge::find(markdown).unwrap_or_default();
    let category = badges.category.unwrap_or(FindingCategory::Other);
    let severity = badges
        .severity
        .unwrap_or_else(|| default_severity(category));
    let details = details_blocks(markdown);
    let committable_suggestion = details
        .iter()
        .filter(|d| d.summary.to_lowercase().contains("committable suggestion"))
        .find_map(|d| fenced_block(&d.body, "suggestion"))
        .or_else(|| fenced_block(markdown, "suggestion"));
    let proposed_diff =
        fenced_block(&super::markup::without_details(markdown), "diff").or_else(|| {
            details
                .iter()
                .filter(|d| !d.summary.to_lowercase().contains("prompt for ai"))
                .find_map(|d| fenced_block(&d.body, "diff"))
        });
    let text = prose(markdown, usize::MAX);
    let mut lines = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .skip_while(|l| badge::parse_line(l).is_some());
    let first = lines.next().unwrap_or_default().trim().to_owned();
    let (title, rest): (String, Vec<&str>) = if first.starts_with("**") {
        (plain(&first), lines.collect())
    } else {
        // No bold title: the first sentence stands for one.
        let sentence = first.split(". ").next().unwrap_or(&first);
        (
            plain(sentence),
            std::iter::once(first.as_str()).chain(lines).collect(),
        )
    };
    let body = truncate(rest.join("\n").trim(), MAX_BODY_CHARS);
    InlineComment {
        category,
        severity,
        severity_stated: badges.severity.is_some(),
        title: title.trim_end_matches('.').to_owned(),
        body,
        proposed_diff,
        committable_suggestion,
    }
}

/// What a finding without a severity badge (older comments) is taken to weigh.
pub fn default_severity(category: FindingCategory) -> Severity {
    match category {
        FindingCategory::Security => Severity::Major,
        FindingCategory::PotentialIssue | FindingCategory::Performance => Severity::Minor,
        FindingCategory::Nitpick | FindingCategory::Style => Severity::Trivial,
        _ => Severity::Info,
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}...")
}
