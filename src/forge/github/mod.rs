//! The GitHub forge: REST calls that respect rate limits, and pull requests found, created and
//! updated through them.

pub mod api;
pub mod pulls;
pub mod rate_limit;

pub use api::{GitHubApi, RetryPolicy};
pub use pulls::GitHubRepo;
