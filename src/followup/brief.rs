//! The findings and failing checks as the model's brief: one text, handed to the implementation
//! prompt as untrusted data.

use crate::artifacts::FollowUp;

use super::comment::describe;

/// The text of the feedback the round answers.
pub fn render(follow_up: &FollowUp) -> String {
    let mut text = format!(
        "Pull request #{} (branch {}), head {}: round {} of at most {}.\n",
        follow_up.number,
        follow_up.branch,
        follow_up.head_commit,
        follow_up.round,
        follow_up.max_rounds
    );
    if !follow_up.findings.is_empty() {
        text.push_str("\nReview findings:\n");
        for item in &follow_up.findings {
            text.push_str(&format!("\n### {}\n{}\n", describe(item), item.body.trim()));
            if let Some(suggestion) = &item.suggestion {
                let (kind, body) = match suggestion {
                    crate::artifacts::Suggestion::Committable(t) => ("suggested replacement", t),
                    crate::artifacts::Suggestion::Diff(t) => ("proposed diff", t),
                };
                text.push_str(&format!("The reviewer's {kind}:\n{body}\n"));
            }
        }
    }
    if !follow_up.failing_checks.is_empty() {
        text.push_str("\nFailing checks:\n");
        for check in &follow_up.failing_checks {
            text.push_str(&format!(
                "\n### {} ({})\n{}\n",
                check.name,
                check.conclusion,
                check.output.trim()
            ));
        }
    }
    text
}
