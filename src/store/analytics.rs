//! The dashboard's aggregates (`/analytics`), computed in the database so they stay fast with a
//! long history. Both backends implement them (`postgres/analytics.rs`, `sqlite/analytics.rs`).

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which runs the aggregates cover: those started since `since`, of one repository or all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyticsQuery {
    pub repository: Option<String>,
    pub since: DateTime<Utc>,
}

/// The aggregates over the runs an [`AnalyticsQuery`] selects.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Analytics {
    /// The average evolution score of each day with scored runs, oldest first.
    pub score_trend: Vec<DailyScore>,
    /// The four score components: average and how they were measured.
    pub components: Vec<ComponentSummary>,
    /// Review findings by category, most frequent first.
    pub findings_by_category: Vec<CategoryCount>,
    /// Finished runs and successful ones per ISO week (starting Monday), oldest first.
    pub weekly_success: Vec<WeeklySuccess>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct DailyScore {
    pub day: NaiveDate,
    pub average_score: f64,
    pub runs: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ComponentSummary {
    /// `code_quality`, `test_coverage`, `maintainability`, `readability`.
    pub component: String,
    /// The mean of the available scores; None when none is available.
    pub average: Option<f64>,
    pub measured: i64,
    pub estimated: i64,
    pub unavailable: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CategoryCount {
    pub category: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct WeeklySuccess {
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    /// Runs that finished (succeeded, nothing to do, or failed).
    pub finished: i64,
    pub succeeded: i64,
}
