//! Reading GitHub's answer: what a status and its headers say about trying again.
//!
//! Primary limits answer 429 (or 403) with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`
//! (epoch seconds); secondary limits answer 403 or 429 with `Retry-After` (seconds), or only a
//! message, in which case GitHub asks for at least a minute.

use std::time::Duration;

use http::HeaderMap;

/// What to do with one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Success,
    /// Rate limited: try again after this long.
    WaitAndRetry(Duration),
    /// A server error: try again after a backoff.
    ServerError,
    /// A client error that retrying cannot fix.
    Fail,
}

/// GitHub's advice for a secondary limit that names no time.
const SECONDARY_LIMIT_DEFAULT: Duration = Duration::from_secs(60);

pub fn judge(status: u16, headers: &HeaderMap, body: &str, now_epoch_secs: u64) -> Verdict {
    match status {
        200..=299 => Verdict::Success,
        403 | 429 => match rate_limit_wait(headers, now_epoch_secs) {
            Some(wait) => Verdict::WaitAndRetry(wait),
            None if status == 429 || body.to_lowercase().contains("secondary rate limit") => {
                Verdict::WaitAndRetry(SECONDARY_LIMIT_DEFAULT)
            }
            None => Verdict::Fail,
        },
        500..=599 => Verdict::ServerError,
        _ => Verdict::Fail,
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

fn rate_limit_wait(headers: &HeaderMap, now_epoch_secs: u64) -> Option<Duration> {
    // Seconds, whole or not; a value past what a `Duration` holds (`1e30`) is the longest wait,
    // which the caller's limit then refuses to wait out.
    if let Some(secs) = header(headers, "retry-after")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| !s.is_nan() && *s >= 0.0)
    {
        return Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    if header(headers, "x-ratelimit-remaining") == Some("0") {
        let reset = header(headers, "x-ratelimit-reset")?.parse::<u64>().ok()?;
        // At least a second: the reset time is rounded and clocks differ.
        return Some(Duration::from_secs(
            reset.saturating_sub(now_epoch_secs).max(1),
        ));
    }
    None
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = header(headers, "link")?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn secondary_limit_with_retry_after() {
        let h = headers(&[("retry-after", "7")]);
        assert_eq!(
            judge(403, &h, "", 0),
            Verdict::WaitAndRetry(Duration::from_secs(7))
        );
        assert_eq!(
            judge(429, &h, "", 0),
            Verdict::WaitAndRetry(Duration::from_secs(7))
        );
    }

    #[test]
    fn huge_retry_after_is_the_longest_wait_not_a_panic() {
        for value in ["1e30", "18446744073709551615", "inf"] {
            let h = headers(&[("retry-after", value)]);
            assert_eq!(
                judge(429, &h, "", 0),
                Verdict::WaitAndRetry(Duration::MAX),
                "{value}"
            );
        }
    }

    #[test]
    fn primary_limit_waits_until_the_reset() {
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1030"),
        ]);
        assert_eq!(
            judge(403, &h, "", 1000),
            Verdict::WaitAndRetry(Duration::from_secs(30))
        );
        assert_eq!(
            judge(403, &h, "", 2000),
            Verdict::WaitAndRetry(Duration::from_secs(1))
        );
    }

    #[test]
    fn secondary_limit_named_only_in_the_message() {
        let body = r#"{"message":"You have exceeded a secondary rate limit."}"#;
        assert_eq!(
            judge(403, &HeaderMap::new(), body, 0),
            Verdict::WaitAndRetry(Duration::from_secs(60))
        );
    }

    #[test]
    fn plain_forbidden_and_validation_fail_server_errors_retry() {
        let h = headers(&[("x-ratelimit-remaining", "4999")]);
        assert_eq!(
            judge(403, &h, r#"{"message":"Resource not accessible"}"#, 0),
            Verdict::Fail
        );
        assert_eq!(judge(422, &h, "", 0), Verdict::Fail);
        assert_eq!(judge(502, &h, "", 0), Verdict::ServerError);
        assert_eq!(judge(201, &h, "", 0), Verdict::Success);
    }

    #[test]
    fn finds_the_next_page() {
        let h = headers(&[(
            "link",
            r#"<https://api.github.com/repositories/1/pulls?page=2>; rel="next", <https://api.github.com/repositories/1/pulls?page=5>; rel="last""#,
        )]);
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://api.github.com/repositories/1/pulls?page=2")
        );
        let last = headers(&[("link", r#"<https://x/p?page=1>; rel="prev""#)]);
        assert_eq!(next_link(&last), None);
    }
}
