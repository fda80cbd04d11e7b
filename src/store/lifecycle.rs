//! What the store keeps of a pull request's life besides its row: the commit this project pushed
//! last (the branch's lease), the forge's merged and closed times, the head an update was last
//! skipped on; and the tasks that failed, which back off before they are tried again.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

/// The lifecycle columns of one pull request row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct PrLifecycle {
    pub pushed_commit: Option<String>,
    pub merged_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub skipped_head: Option<String>,
    pub outcome_applied: bool,
}

/// What the forge says about a pull request, as the lifecycle sync records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleUpdate {
    pub repository: String,
    pub branch: String,
    /// `open`, `merged` or `closed`.
    pub state: String,
    pub merged: bool,
    pub merged_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The branch's head on the forge, when it says.
    pub head_commit: Option<String>,
}

/// A task that failed, remembered by its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    pub repository: String,
    pub fingerprint: String,
    pub title: String,
    pub reason: String,
    pub run_id: String,
    pub failed_at: DateTime<Utc>,
}

/// A remembered failure as stored: how often, and when the task may be tried again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct TaskFailureRow {
    pub repository: String,
    pub fingerprint: String,
    pub title: String,
    pub failures: i64,
    pub reason: String,
    pub run_id: String,
    pub failed_at: DateTime<Utc>,
    pub retry_after: DateTime<Utc>,
}

/// The longest a failed task waits before it is tried again.
pub const MAX_BACKOFF_DAYS: i64 = 32;

/// When a task that has now failed `failures` times may be tried again: 1, 2, 4 ... days after
/// this failure, at most [`MAX_BACKOFF_DAYS`].
pub fn retry_after(failed_at: DateTime<Utc>, failures: i64) -> DateTime<Utc> {
    let exponent = u32::try_from(failures.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let days = 2_i64.saturating_pow(exponent).min(MAX_BACKOFF_DAYS);
    failed_at + Duration::days(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_and_is_capped() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let days = |n| (retry_after(at, n) - at).num_days();
        assert_eq!([days(1), days(2), days(3), days(4)], [1, 2, 4, 8]);
        assert_eq!(days(6), 32);
        assert_eq!(days(60), MAX_BACKOFF_DAYS);
        assert_eq!(days(i64::MAX), MAX_BACKOFF_DAYS);
    }
}
