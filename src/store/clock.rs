//! Timestamps as the store keeps them: UTC, whole microseconds (PostgreSQL's precision), so a
//! value reads back exactly as written on both backends.

use chrono::{DateTime, SubsecRound, Utc};

/// The current time, truncated to microseconds.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A timestamp truncated to microseconds.
pub fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// SQLite's text form: fixed width, so timestamps sort as text, and read by `julianday()`.
pub fn sqlite_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sqlite_text_is_fixed_width_and_sorts() {
        let whole = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let later = whole + chrono::Duration::microseconds(1);
        assert_eq!(sqlite_text(whole), "2026-01-02T03:04:05.000000Z");
        assert_eq!(sqlite_text(later), "2026-01-02T03:04:05.000001Z");
        assert!(sqlite_text(whole) < sqlite_text(later));
    }

    #[test]
    fn truncates_to_microseconds() {
        let at = Utc.timestamp_opt(10, 123_456_789).unwrap();
        assert_eq!(truncate(at).timestamp_subsec_nanos(), 123_456_000);
    }
}
