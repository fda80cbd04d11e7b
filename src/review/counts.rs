//! The numbers the store keeps about a review, from its findings: totals, security and
//! performance issues, style violations, and the risk flags worth a reader's attention.

use std::sync::OnceLock;

use regex::Regex;

use crate::artifacts::{FindingCategory, ReviewCounts, ReviewFinding, Severity};
use crate::review::pattern::regex;

/// Security issues: labelled so, or a potential issue that talks like one.
pub fn is_security(finding: &ReviewFinding) -> bool {
    static WORDS: OnceLock<Option<Regex>> = OnceLock::new();
    finding.category == FindingCategory::Security
        || (matches!(finding.category, FindingCategory::PotentialIssue | FindingCategory::Other)
            && regex(
                &WORDS,
                r"(?i)\b(security|vulnerab\w*|injection|xss|csrf|ssrf|path traversal|secret|credential|password|token leak|unsafe deserial\w*|privilege)\b",
            )
            .is_some_and(|re| re.is_match(&finding.title) || re.is_match(&finding.body)))
}

/// Performance issues: labelled so, or a potential issue or refactor that talks like one.
pub fn is_performance(finding: &ReviewFinding) -> bool {
    static WORDS: OnceLock<Option<Regex>> = OnceLock::new();
    finding.category == FindingCategory::Performance
        || (matches!(
            finding.category,
            FindingCategory::PotentialIssue | FindingCategory::Refactor | FindingCategory::Other
        ) && regex(
            &WORDS,
            r"(?i)\b(performance|quadratic|O\(n\^?2\)|allocation|allocates|clone in a loop|n\+1|slow|blocking call)\b",
        )
        .is_some_and(|re| re.is_match(&finding.title)))
}

pub fn count(findings: &[ReviewFinding]) -> ReviewCounts {
    let n = |pred: &dyn Fn(&ReviewFinding) -> bool| {
        u32::try_from(findings.iter().filter(|f| pred(f)).count()).unwrap_or(u32::MAX)
    };
    ReviewCounts {
        total: n(&|_| true),
        actionable: n(&|f| f.actionable),
        security: n(&is_security),
        performance: n(&is_performance),
        style: n(&|f| f.category == FindingCategory::Style),
        nitpicks: n(&|f| f.category == FindingCategory::Nitpick),
    }
}

/// Flags from the findings alone; callers add their own (effort, outside-diff comments, ...).
pub fn risk_flags(findings: &[ReviewFinding]) -> Vec<String> {
    let mut flags = Vec::new();
    if findings.iter().any(|f| f.severity == Severity::Critical) {
        flags.push("critical finding".to_owned());
    }
    if findings.iter().any(is_security) {
        flags.push("security finding".to_owned());
    }
    if findings
        .iter()
        .filter(|f| f.severity == Severity::Major)
        .count()
        >= 3
    {
        flags.push("several major findings".to_owned());
    }
    flags
}
