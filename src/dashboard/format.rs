//! How numbers, times and links read on the pages: one place, so every page says them alike.

use chrono::{DateTime, Utc};

/// `2026-11-24 19:16 UTC`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `just now`, `5 min ago`, `3 h ago`, `4 days ago`; times in the future read as `just now`.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - at).num_seconds();
    match secs {
        s if s < 60 => "just now".to_owned(),
        s if s < 3_600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3_600),
        s if s < 2 * 86_400 => "yesterday".to_owned(),
        s => format!("{} days ago", s / 86_400),
    }
}

/// `42s`, `4m 12s`, `1h 03m`.
pub fn duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "–".to_owned();
    }
    let whole = secs.round() as u64;
    match whole {
        s if s < 60 => format!("{s}s"),
        s if s < 3_600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3_600, (s % 3_600) / 60),
    }
}

/// A 0-1 ratio as `87.5%`.
pub fn percent(ratio: f64) -> String {
    format!("{:.1}%", ratio * 100.0)
}

/// A 0-100 score with one decimal.
pub fn score(value: f64) -> String {
    format!("{value:.1}")
}

/// A learning's weight: two decimals (`2.88`, not `2.8760000000000003`).
pub fn weight(value: f64) -> String {
    format!("{value:.2}")
}

/// Dollars: cents for large amounts, four decimals for the small per-call costs.
pub fn cost(usd: f64) -> String {
    if usd.abs() >= 100.0 {
        format!("${usd:.0}")
    } else if usd.abs() >= 1.0 {
        format!("${usd:.2}")
    } else {
        format!("${usd:.4}")
    }
}

/// `950`, `12.3k`, `4.56M`.
pub fn count(value: i64) -> String {
    let magnitude = value.unsigned_abs() as f64;
    let sign = if value < 0 { "-" } else { "" };
    if magnitude >= 1e6 {
        format!("{sign}{:.2}M", magnitude / 1e6)
    } else if magnitude >= 1e4 {
        format!("{sign}{:.1}k", magnitude / 1e3)
    } else {
        value.to_string()
    }
}

/// The URL itself when it is an absolute http(s) URL, else None. PR URLs come from the store and
/// are untrusted: escaping alone would still let `javascript:` through as a link.
pub fn safe_link(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

/// The human name of a state or kind in the store's snake_case: `bug_fix` -> `bug fix`.
pub fn words(snake: &str) -> String {
    snake.replace('_', " ")
}

/// A time to merge for people: minutes, hours or days.
pub fn time_to_merge(span: chrono::Duration) -> String {
    let minutes = span.num_minutes();
    if minutes < 120 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        format!("{:.1} h", minutes as f64 / 60.0)
    } else {
        format!("{:.1} days", minutes as f64 / 1440.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_to_merge_read_naturally() {
        use chrono::Duration;
        assert_eq!(super::time_to_merge(Duration::minutes(45)), "45 min");
        assert_eq!(super::time_to_merge(Duration::minutes(150)), "2.5 h");
        assert_eq!(super::time_to_merge(Duration::hours(72)), "3.0 days");
    }

    use super::*;
    use chrono::TimeZone;

    #[test]
    fn durations_read_in_the_largest_useful_unit() {
        assert_eq!(duration(42.4), "42s");
        assert_eq!(duration(252.0), "4m 12s");
        assert_eq!(duration(3_780.0), "1h 03m");
        assert_eq!(duration(f64::NAN), "–");
    }

    #[test]
    fn relative_times() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        assert_eq!(relative(now, now), "just now");
        assert_eq!(
            relative(now - chrono::Duration::minutes(5), now),
            "5 min ago"
        );
        assert_eq!(relative(now - chrono::Duration::hours(3), now), "3 h ago");
        assert_eq!(relative(now - chrono::Duration::days(4), now), "4 days ago");
        assert_eq!(relative(now + chrono::Duration::hours(1), now), "just now");
    }

    #[test]
    fn numbers() {
        assert_eq!(percent(0.875), "87.5%");
        assert_eq!(cost(0.01234), "$0.0123");
        assert_eq!(cost(12.5), "$12.50");
        assert_eq!(count(950), "950");
        assert_eq!(count(12_345), "12.3k");
        assert_eq!(count(4_560_000), "4.56M");
        assert_eq!(weight(2.876_000_000_000_000_3), "2.88");
        assert_eq!(weight(1.0), "1.00");
    }

    #[test]
    fn only_http_links_are_links() {
        assert_eq!(
            safe_link("https://github.com/o/r/pull/7").as_deref(),
            Some("https://github.com/o/r/pull/7")
        );
        assert_eq!(safe_link("javascript:alert(1)"), None);
        assert_eq!(safe_link("/relative/path"), None);
        assert_eq!(safe_link("data:text/html,<script>"), None);
    }
}
