//! How long a run's lease lasts without a heartbeat, and how often a phase renews it.

use std::time::Duration;

/// Thirty minutes: a phase renews its lease every quarter of it, so only a run with no phase
/// working lets it expire, and the gap between two phases (a flow's retry waits up to ten
/// minutes) stays well inside it.
const DEFAULT_LEASE_SECS: u64 = 1800;

/// `AM_LEASE_SECS`, else thirty minutes; at least a second, at most a week.
pub fn lease() -> Duration {
    let secs = std::env::var("AM_LEASE_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_LEASE_SECS)
        .max(1);
    crate::contract::clamped_secs(secs)
}

/// How often a running phase renews its lease: a quarter of it.
pub fn heartbeat_interval() -> Duration {
    (lease() / 4).max(Duration::from_millis(250))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heartbeat_comes_well_within_the_lease() {
        assert!(heartbeat_interval() * 2 < lease());
    }
}
