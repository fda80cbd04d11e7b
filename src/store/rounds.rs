//! Follow-up rounds as the store keeps them: one row per round of one of the project's own pull
//! requests (what it found, what it fixed, how it ended), and the rules that stop the rounds.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

/// One round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, FromRow)]
pub struct FollowUpRound {
    pub repository: String,
    pub branch: String,
    /// From 1.
    pub round: i64,
    pub run_id: String,
    pub number: Option<i64>,
    /// The PR's head the feedback was about.
    pub head_before: String,
    /// The head after the round's push; none when nothing was pushed.
    pub head_after: Option<String>,
    pub findings_total: i64,
    pub findings_addressed: i64,
    pub checks_failing: i64,
    pub checks_fixed: i64,
    /// `fixed` (everything), `partial`, `nothing` (nothing addressed) or `failed`.
    pub outcome: String,
    /// The failing checks at the round's start, hashed (see the follow-up artifact).
    pub failure_signature: Option<String>,
    /// The comment the round posted.
    pub summary: String,
    /// Whether the PR was told it needs a human after this round.
    pub needs_human: bool,
    pub created_at: DateTime<Utc>,
}

/// Whether another round may start, given the PR's earlier rounds (oldest first), the limit and
/// the failing checks' signature now. `Err` says why the rounds stop.
pub fn next_round(
    earlier: &[FollowUpRound],
    max_rounds: u32,
    signature: Option<&str>,
) -> Result<u32, String> {
    let done = u32::try_from(earlier.len()).unwrap_or(u32::MAX);
    if max_rounds == 0 {
        return Err("follow-ups are turned off (follow_up.max_rounds is 0)".to_owned());
    }
    if done >= max_rounds {
        return Err(format!(
            "{done} follow-up round(s) were made, the limit for one pull request"
        ));
    }
    if let Some(last) = earlier.last() {
        if matches!(last.outcome.as_str(), "nothing" | "failed") {
            return Err(format!("follow-up round {} fixed nothing", last.round));
        }
        if signature.is_some() && last.failure_signature.as_deref() == signature {
            return Err(format!(
                "the same checks failed the same way before and after follow-up round {}",
                last.round
            ));
        }
    }
    Ok(done + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(n: i64, outcome: &str, signature: Option<&str>) -> FollowUpRound {
        FollowUpRound {
            repository: "r".into(),
            branch: "b".into(),
            round: n,
            run_id: format!("run-{n}"),
            number: Some(7),
            head_before: "h".into(),
            head_after: None,
            findings_total: 1,
            findings_addressed: 1,
            checks_failing: 0,
            checks_fixed: 0,
            outcome: outcome.into(),
            failure_signature: signature.map(str::to_owned),
            summary: String::new(),
            needs_human: false,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn rounds_are_bounded_and_stop_early() {
        assert_eq!(next_round(&[], 2, None), Ok(1));
        assert_eq!(next_round(&[round(1, "partial", None)], 2, None), Ok(2));
        assert!(
            next_round(&[round(1, "fixed", None), round(2, "fixed", None)], 2, None)
                .unwrap_err()
                .contains("2 follow-up round(s)")
        );
        assert!(next_round(&[round(1, "nothing", None)], 5, None)
            .unwrap_err()
            .contains("fixed nothing"));
        assert!(next_round(&[round(1, "fixed", Some("s"))], 5, Some("s"))
            .unwrap_err()
            .contains("the same checks failed the same way"));
        assert_eq!(
            next_round(&[round(1, "fixed", Some("s"))], 5, Some("t")),
            Ok(2)
        );
        assert!(next_round(&[], 0, None).is_err());
    }
}
