//! The body of a CodeRabbit review: "Actionable comments posted: N" (absent when there are none)
//! and the collapsed sections for comments outside the diff range, duplicate comments, nitpicks
//! and additional comments, each holding per-file findings with a line range and a title.

use std::sync::OnceLock;

use regex::Regex;

use super::acknowledgement::is_acknowledgement;
use super::badge;
use super::inline::{default_severity, MAX_BODY_CHARS};
use super::markup::{details_blocks, fenced_block, label_and_count, plain, prose, unquote};
use crate::artifacts::{FindingCategory, Severity};
use crate::review::pattern::regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    OutsideDiff,
    Duplicate,
    Nitpick,
    Additional,
}

impl SectionKind {
    fn from_label(label: &str) -> Option<Self> {
        let label = label.to_lowercase();
        if label.contains("outside diff") {
            Some(Self::OutsideDiff)
        } else if label.contains("duplicate comment") {
            Some(Self::Duplicate)
        } else if label.contains("nitpick") {
            Some(Self::Nitpick)
        } else if label.contains("additional comment") {
            Some(Self::Additional)
        } else {
            None
        }
    }

    /// Outside-diff and duplicate comments are real issues that could not be posted inline;
    /// nitpicks and additional comments are asides.
    pub fn actionable(self) -> bool {
        matches!(self, Self::OutsideDiff | Self::Duplicate)
    }

    fn default_category(self) -> FindingCategory {
        match self {
            Self::Nitpick => FindingCategory::Nitpick,
            Self::Additional => FindingCategory::Other,
            Self::OutsideDiff | Self::Duplicate => FindingCategory::PotentialIssue,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyFinding {
    pub section: SectionKind,
    pub path: Option<String>,
    pub line_start: Option<u32>,
    pub line_end: Option<u32>,
    pub title: String,
    pub body: String,
    pub category: FindingCategory,
    pub severity: Severity,
    pub suggestion: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewBody {
    /// "Actionable comments posted: N"; `Some(0)` for "No actionable comments were generated";
    /// `None` when the body says neither.
    pub actionable_posted: Option<u32>,
    pub findings: Vec<BodyFinding>,
    /// Duplicate-section items that only acknowledge an earlier concern as addressed.
    pub acknowledged: usize,
    /// Sections whose stated count differs from the findings read (a format change to notice).
    pub miscounted_sections: Vec<String>,
}

pub fn parse(markdown: &str) -> ReviewBody {
    // Outside-diff comments come wrapped in a `> [!CAUTION]` callout; unquoting makes every
    // section read alike.
    let text = unquote(markdown);
    let mut body = ReviewBody {
        actionable_posted: actionable_posted(&text),
        ..ReviewBody::default()
    };
    for block in details_blocks(&text) {
        let (label, count) = label_and_count(&block.summary);
        let Some(kind) = SectionKind::from_label(&label) else {
            continue;
        };
        let mut findings = section_findings(kind, &block.body);
        if count.is_some_and(|c| c as usize != findings.len()) {
            body.miscounted_sections.push(label);
        }
        if kind == SectionKind::Duplicate {
            let before = findings.len();
            findings.retain(|f| !is_acknowledgement(&f.title, &f.body));
            body.acknowledged += before - findings.len();
        }
        body.findings.extend(findings);
    }
    body
}

fn actionable_posted(text: &str) -> Option<u32> {
    static POSTED: OnceLock<Option<Regex>> = OnceLock::new();
    let posted = regex(&POSTED, r"(?i)actionable comments posted:\s*\**\s*(\d+)");
    if let Some(n) = posted
        .and_then(|re| re.captures(text))
        .and_then(|c| c.get(1)?.as_str().parse().ok())
    {
        return Some(n);
    }
    text.to_lowercase()
        .contains("no actionable comments were generated")
        .then_some(0)
}

/// A section holds one `<details>` per file ("src/lib.rs (2)"), each with findings; a section
/// without file blocks holds its findings directly.
fn section_findings(kind: SectionKind, text: &str) -> Vec<BodyFinding> {
    let files = details_blocks(text);
    if files.is_empty() {
        return file_findings(kind, None, text);
    }
    files
        .iter()
        .flat_map(|file| {
            let (path, _) = label_and_count(&file.summary);
            let path = (!path.is_empty()).then_some(path);
            file_findings(kind, path, &file.body)
        })
        .collect()
}

/// Findings in one file's block: each starts with "`12-14`: **Title**".
fn file_findings(kind: SectionKind, path: Option<String>, text: &str) -> Vec<BodyFinding> {
    static HEAD: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(head) = regex(&HEAD, r"(?m)^\s*`(\d+)(?:\s*-\s*(\d+))?`\s*:\s*(.*)$") else {
        return Vec::new();
    };
    let starts: Vec<regex::Captures> = head.captures_iter(text).collect();
    let mut findings = Vec::new();
    for (i, capture) in starts.iter().enumerate() {
        let (Some(whole), Some(first)) = (capture.get(0), capture.get(1)) else {
            continue;
        };
        let end = starts
            .get(i + 1)
            .and_then(|next| next.get(0))
            .map_or(text.len(), |m| m.start());
        let rest = &text[whole.end()..end];
        let line_start = first.as_str().parse().ok();
        let line_end = capture
            .get(2)
            .and_then(|m| m.as_str().parse().ok())
            .or(line_start);
        let head_text = capture.get(3).map_or("", |m| m.as_str());
        let badges = badge::find(rest).unwrap_or_default();
        let category = badges.category.unwrap_or(kind.default_category());
        let severity = badges.severity.unwrap_or_else(|| match kind {
            SectionKind::Additional => Severity::Info,
            _ => default_severity(category),
        });
        let explanation: String = prose(rest, MAX_BODY_CHARS)
            .lines()
            .filter(|l| badge::parse_line(l).is_none())
            .collect::<Vec<_>>()
            .join("\n");
        findings.push(BodyFinding {
            section: kind,
            path: path.clone(),
            line_start,
            line_end,
            title: title_of(head_text),
            body: explanation.trim().to_owned(),
            category,
            severity,
            suggestion: fenced_block(rest, "diff").or_else(|| fenced_block(rest, "suggestion")),
        });
    }
    findings
}

fn title_of(head_text: &str) -> String {
    static BOLD: OnceLock<Option<Regex>> = OnceLock::new();
    let bold = regex(&BOLD, r"\*\*(.+?)\*\*")
        .and_then(|re| re.captures(head_text))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned());
    plain(&bold.unwrap_or_else(|| head_text.to_owned()))
        .trim_end_matches('.')
        .to_owned()
}
