//! The one comment a follow-up round posts (what was addressed, what was not and why, what the
//! checks say), and the one that says a pull request needs a human. Reviewers' words quoted back
//! are kept to one line and cannot mention anyone.

use crate::artifacts::{FeedbackItem, ItemOutcome, RoundReport};
use crate::forge::pr_text::BODY_MARKER;

/// The round's summary comment.
pub fn round(report: &RoundReport, commit: Option<&str>, needs_human: Option<&str>) -> String {
    let mut text = format!(
        "**AutoMaintainer: follow-up round {} of at most {}** on this pull request (head `{}`).\n\n",
        report.round,
        report.max_rounds,
        short(&report.head_before)
    );
    match commit {
        Some(commit) => text.push_str(&format!(
            "Pushed `{}` on top of the branch; the repository's checks pass on it.\n\n",
            short(commit)
        )),
        None => text.push_str("Nothing was pushed.\n\n"),
    }
    section(&mut text, "Addressed", &report.addressed);
    section(&mut text, "Not addressed", &report.not_addressed);
    section(&mut text, "Failing checks", &report.checks);
    if let Some(why) = needs_human {
        text.push_str(&format!(
            "AutoMaintainer stops following up here ({}): this pull request needs a human.\n\n",
            one_line(why)
        ));
    }
    text.push_str("Review threads are left for their authors to resolve.\n\n");
    text.push_str(BODY_MARKER);
    text.push('\n');
    text
}

/// The comment that says the rounds stopped.
pub fn needs_human(why: &str, findings: usize, failing: usize, label: &str) -> String {
    format!(
        "**AutoMaintainer stops following up on this pull request**: {}. {findings} open \
         finding(s) and {failing} failing check(s) remain; it needs a human now (labelled \
         `{}`).\n\n{BODY_MARKER}\n",
        one_line(why),
        one_line(label)
    )
}

/// `src/config.rs:27-29: Avoid panicking on a malformed port (coderabbitai[bot])`.
pub fn describe(item: &FeedbackItem) -> String {
    let place = match (&item.path, item.line_start, item.line_end) {
        (Some(path), Some(s), Some(e)) if s != e => format!("`{path}:{s}-{e}` "),
        (Some(path), _, Some(e)) => format!("`{path}:{e}` "),
        (Some(path), _, _) => format!("`{path}` "),
        _ => String::new(),
    };
    format!(
        "{place}{} ({})",
        one_line(&item.title),
        one_line(&item.author)
    )
}

fn section(text: &mut String, heading: &str, items: &[ItemOutcome]) {
    if items.is_empty() {
        return;
    }
    text.push_str(&format!("{heading}:\n"));
    for item in items {
        text.push_str(&format!("- {}: {}\n", item.title, one_line(&item.note)));
    }
    text.push('\n');
}

/// One line, at most 200 characters, with `@` defused so no one is mentioned.
fn one_line(text: &str) -> String {
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect();
    line.replace('@', "@\u{200b}")
}

fn short(commit: &str) -> &str {
    commit.get(..10).unwrap_or(commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_round_comment_says_what_and_why_once() {
        let report = RoundReport {
            number: 7,
            round: 1,
            max_rounds: 2,
            head_before: "0123456789abcdef".into(),
            addressed: vec![ItemOutcome {
                id: "c1".into(),
                title: "`a.rs:2` Avoid unwrap (coderabbitai[bot])".into(),
                note: "applied CodeRabbit's committable suggestion".into(),
            }],
            not_addressed: vec![ItemOutcome {
                id: "c2".into(),
                title: "Rename it".into(),
                note: "needs a model:\nno suggestion @someone".into(),
            }],
            checks: vec![],
            checks_fixed: 0,
            failure_signature: None,
        };
        let text = round(&report, Some("fedcba9876543210"), None);
        assert!(text.contains("follow-up round 1 of at most 2"));
        assert!(text.contains("head `0123456789`"));
        assert!(text.contains("Pushed `fedcba9876`"));
        assert!(text.contains("- `a.rs:2` Avoid unwrap (coderabbitai[bot]): applied"));
        assert!(text.contains("needs a model: no suggestion @\u{200b}someone"));
        assert!(!text.contains("needs a human"));
        assert!(text.ends_with("<!-- automaintainer -->\n"));
        assert!(round(&report, None, Some("round 1 fixed nothing")).contains("needs a human"));
    }
}
