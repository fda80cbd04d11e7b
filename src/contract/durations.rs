//! Durations given in seconds by an input or a configuration file, clamped so that no value
//! (`u64::MAX` included) overflows a deadline computed from it.

use std::time::Duration;

/// The longest any wait or timeout is taken to be: a week.
pub const MAX_WAIT_SECS: u64 = 7 * 24 * 60 * 60;

/// `secs` as a `Duration`, at most [`MAX_WAIT_SECS`].
pub fn clamped_secs(secs: u64) -> Duration {
    Duration::from_secs(secs.min(MAX_WAIT_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_values_make_a_usable_deadline() {
        let longest = clamped_secs(u64::MAX);
        assert_eq!(longest, Duration::from_secs(MAX_WAIT_SECS));
        assert!(std::time::Instant::now().checked_add(longest).is_some());
        assert_eq!(clamped_secs(5), Duration::from_secs(5));
    }
}
