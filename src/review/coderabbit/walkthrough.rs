//! The walkthrough comment CodeRabbit posts once and edits in place: the summary of the change
//! and the estimated review effort.

use std::sync::OnceLock;

use regex::Regex;

use super::markup::{prose, strip_comments};
use crate::review::pattern::regex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walkthrough {
    pub summary: Option<String>,
    pub effort: Option<Effort>,
}

/// "🎯 3 (Moderate) | ⏱️ ~20 minutes".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effort {
    /// 1 (trivial) to 5 (critical).
    pub level: u8,
    pub label: Option<String>,
    pub minutes: Option<u32>,
}

impl Effort {
    /// The level on a 0-100 scale, as the review's complexity score.
    pub fn complexity_score(&self) -> f64 {
        f64::from(self.level.clamp(1, 5)) * 20.0
    }
}

/// Whether a bot comment is the walkthrough (or the summary comment that becomes one).
pub fn is_walkthrough(body: &str) -> bool {
    let lower = body.to_lowercase();
    lower.contains("summarize by coderabbit.ai")
        || lower.contains("walkthrough_start")
        || lower.contains("## walkthrough")
}

pub fn parse(markdown: &str) -> Walkthrough {
    let text = strip_comments(markdown);
    let summary = section(&text, "walkthrough")
        .map(|s| prose(&s, 2000))
        .filter(|s| !s.is_empty());
    let effort = section(&text, "estimated code review effort").and_then(|s| effort(&s));
    Walkthrough { summary, effort }
}

/// The text under a `## heading` up to the next heading of the same or higher level.
fn section(text: &str, heading: &str) -> Option<String> {
    let mut lines = text.lines();
    lines.find(|l| {
        let l = l.trim().to_lowercase();
        l.starts_with("##") && l.trim_start_matches('#').trim() == heading
    })?;
    let body: Vec<&str> = lines
        .take_while(|l| !(l.trim_start().starts_with("## ") || l.trim_start().starts_with("# ")))
        .collect();
    Some(body.join("\n"))
}

fn effort(text: &str) -> Option<Effort> {
    static LEVEL: OnceLock<Option<Regex>> = OnceLock::new();
    static MINUTES: OnceLock<Option<Regex>> = OnceLock::new();
    let level = regex(&LEVEL, r"\b([1-5])\b\s*(?:\(([A-Za-z ]+)\))?")?.captures(text)?;
    let minutes = regex(&MINUTES, r"~?\s*(\d+)\s*min")
        .and_then(|re| re.captures(text))
        .and_then(|c| c.get(1)?.as_str().parse().ok());
    Some(Effort {
        level: level.get(1)?.as_str().parse().ok()?,
        label: level.get(2).map(|m| m.as_str().trim().to_owned()),
        minutes,
    })
}
