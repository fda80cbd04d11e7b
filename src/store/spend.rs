//! What model calls cost per repository and UTC day, across every run sharing the store: the
//! rows the fleet's daily budget is checked against and the dashboard's spend view reads.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

/// The UTC day of `at`, as the store keys spend: `YYYY-MM-DD`.
pub fn day_of(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// One repository's spend on one UTC day (or, added to it, one call's).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq, FromRow)]
pub struct SpendRow {
    /// The repository's identity.
    pub repository: String,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    pub calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_usd: f64,
}

impl SpendRow {
    pub fn tokens(&self) -> i64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }
}

/// What every repository spent together on one UTC day.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct FleetSpend {
    pub day: String,
    pub calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_usd: f64,
}

impl FleetSpend {
    pub fn tokens(&self) -> i64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }
}
