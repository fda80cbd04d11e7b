//! How a dashboard instance is configured: the optional access token and the refresh interval.

use crate::secrets::Secret;

/// Settings of one dashboard instance, fixed when the router is built.
#[derive(Debug, Clone)]
pub struct DashboardConfig {
    /// When set, every page and the JSON API require it (as a bearer token, or once as
    /// `?token=`, after which a cookie carries its hash).
    pub token: Option<Secret>,
    /// How often `/` reloads itself, in seconds; 0 turns the reload off.
    pub refresh_secs: u32,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        Self {
            token: None,
            refresh_secs: 15,
        }
    }
}
