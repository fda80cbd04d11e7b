//! Comments that mean no real review happened (rate limited, paused, skipped, failed), and
//! comments that are commands to the bot or its replies to them: none of them is feedback.

use std::fmt;

use super::markup::{strip_comments, unquote};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    RateLimited,
    Paused,
    Skipped,
    Failed,
}

impl fmt::Display for NoticeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RateLimited => "rate limited",
            Self::Paused => "reviews paused",
            Self::Skipped => "review skipped",
            Self::Failed => "review failed",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    /// CodeRabbit's explanation, in one line.
    pub message: String,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodeRabbit: {}: {}", self.kind, self.message)
    }
}

/// Markers (hidden HTML comments) and headings that name each notice, most specific first.
const SIGNS: [(NoticeKind, &[&str]); 4] = [
    (
        NoticeKind::RateLimited,
        &["rate limited by coderabbit.ai", "## rate limit exceeded"],
    ),
    (
        NoticeKind::Paused,
        &[
            "paused by coderabbit.ai",
            "## reviews paused",
            "## review paused",
        ],
    ),
    (
        NoticeKind::Skipped,
        &[
            "skip review by coderabbit.ai",
            "## review skipped",
            "## skipped review",
        ],
    ),
    (
        NoticeKind::Failed,
        &[
            "review failed by coderabbit.ai",
            "## review failed",
            "failed to review",
        ],
    ),
];

/// The notice a bot comment carries, if any.
pub fn notice_in(body: &str) -> Option<Notice> {
    let lower = body.to_lowercase();
    let flattened = unquote(&lower);
    let kind = SIGNS.iter().find_map(|(kind, signs)| {
        signs
            .iter()
            .any(|s| lower.contains(s) || flattened.contains(s))
            .then_some(*kind)
    })?;
    Some(Notice {
        kind,
        message: explanation(body),
    })
}

/// The first line of prose after the notice's heading.
fn explanation(body: &str) -> String {
    let text = unquote(&strip_comments(body));
    let mut after_heading = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with("##") {
            after_heading = true;
            continue;
        }
        if after_heading && !line.is_empty() && !line.starts_with("[!") && !line.starts_with('<') {
            return line.replace("**", "");
        }
    }
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("[!") && !l.starts_with('<'))
        .unwrap_or("no explanation given")
        .replace("**", "")
}

/// A comment addressed to the bot ("@coderabbitai review", "@coderabbitai pause").
pub fn is_command(body: &str) -> bool {
    body.trim_start()
        .to_lowercase()
        .starts_with("@coderabbitai")
}

/// The bot's reply to a command ("Review triggered", "Actions performed").
pub fn is_command_reply(body: &str) -> bool {
    let lower = body.to_lowercase();
    lower.contains("auto-generated reply by coderabbit")
        || lower.contains("## review triggered")
        || lower.contains("actions performed")
}
