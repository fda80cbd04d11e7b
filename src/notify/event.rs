//! What is notified, and the one message text each event becomes (redacted before it is sent).

use serde::Serialize;

/// Something worth telling the team.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    PrOpened {
        repository: String,
        number: Option<u64>,
        url: Option<String>,
        title: String,
    },
    PrMerged {
        repository: String,
        number: Option<i64>,
        url: Option<String>,
        title: String,
    },
    RunFailed {
        run_id: String,
        repository: String,
        phase: String,
        error: String,
    },
    /// The daily digest; its text is composed by [`super::digest`].
    Digest { day: String, text: String },
}

impl Event {
    /// The event's name, as `AM_WEBHOOK_EVENTS` lists it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PrOpened { .. } => "pr_opened",
            Self::PrMerged { .. } => "pr_merged",
            Self::RunFailed { .. } => "run_failed",
            Self::Digest { .. } => "digest",
        }
    }

    /// The message, before redaction.
    pub fn text(&self) -> String {
        let pr = |number: Option<i64>| {
            number.map_or_else(
                || "a pull request".to_owned(),
                |n| format!("pull request #{n}"),
            )
        };
        let link = |url: &Option<String>| url.as_ref().map(|u| format!(" {u}")).unwrap_or_default();
        match self {
            Self::PrOpened {
                repository,
                number,
                url,
                title,
            } => format!(
                "AutoMaintainer opened {} on {repository}: {title}{}",
                pr(number.and_then(|n| i64::try_from(n).ok())),
                link(url)
            ),
            Self::PrMerged {
                repository,
                number,
                url,
                title,
            } => format!(
                "AutoMaintainer's {} on {repository} was merged: {title}{}",
                pr(*number),
                link(url)
            ),
            Self::RunFailed {
                run_id,
                repository,
                phase,
                error,
            } => format!(
                "AutoMaintainer run {run_id} on {repository} failed in {phase}: {}",
                error.lines().next().unwrap_or_default().trim()
            ),
            Self::Digest { text, .. } => text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_says_what_happened_where() {
        let opened = Event::PrOpened {
            repository: "github.com/o/r".into(),
            number: Some(7),
            url: Some("https://github.com/o/r/pull/7".into()),
            title: "Fix the parser".into(),
        };
        assert_eq!(
            opened.text(),
            "AutoMaintainer opened pull request #7 on github.com/o/r: Fix the parser https://github.com/o/r/pull/7"
        );
        let failed = Event::RunFailed {
            run_id: "r1".into(),
            repository: "github.com/o/r".into(),
            phase: "implement".into(),
            error: "failed to commit\n  caused by: disk full".into(),
        };
        assert_eq!(
            failed.text(),
            "AutoMaintainer run r1 on github.com/o/r failed in implement: failed to commit"
        );
        assert_eq!(failed.kind(), "run_failed");
    }
}
