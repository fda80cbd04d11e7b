//! The dashboard's aggregates (`/analytics`), computed in the database so they stay fast with a
//! long history. Both backends implement them (`postgres/analytics.rs`, `sqlite/analytics.rs`):
//! whole days from the daily rollups the triggers keep (run_days, score_days, finding_days: a
//! row per day and repository, and one per day for the whole fleet, whatever the number of
//! runs), and the window's first, partial day from its runs (see [`Window`]).

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which runs the aggregates cover: those started since `since`, of one repository or all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyticsQuery {
    pub repository: Option<String>,
    pub since: DateTime<Utc>,
}

/// Where an [`AnalyticsQuery`]'s window is read from: the runs started in
/// `[since, raw_until)` (the rest of the UTC day `since` falls on) from the runs themselves, and
/// every UTC day from `rolled_from` on from the daily rollups. The two never overlap and together
/// cover every run started since `since`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub since: DateTime<Utc>,
    pub raw_until: DateTime<Utc>,
    pub rolled_from: NaiveDate,
}

impl Window {
    pub(crate) fn of(since: DateTime<Utc>) -> Self {
        match since.date_naive().checked_add_days(Days::new(1)) {
            Some(next) => Self {
                since,
                raw_until: next.and_time(NaiveTime::MIN).and_utc(),
                rolled_from: next,
            },
            // The last day there is: no whole day after it to roll up.
            None => Self {
                since,
                raw_until: DateTime::<Utc>::MAX_UTC,
                rolled_from: NaiveDate::MAX,
            },
        }
    }
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

/// The evolution score's components, in the order of its formula.
pub const COMPONENTS: [&str; 4] = [
    "code_quality",
    "test_coverage",
    "maintainability",
    "readability",
];

/// Rows as the backends' queries return them: (day, average score, runs).
pub(crate) type TrendRow = (NaiveDate, f64, i64);
/// (component, average, measured, estimated, unavailable).
pub(crate) type ComponentRow = (String, Option<f64>, i64, i64, i64);
/// (category, findings).
pub(crate) type CategoryRow = (String, i64);
/// (week start, finished, succeeded).
pub(crate) type WeekRow = (NaiveDate, i64, i64);

/// The rows of the four aggregate queries as the record; the same on both backends.
pub(crate) fn assemble(
    trend: Vec<TrendRow>,
    components: Vec<ComponentRow>,
    findings: Vec<CategoryRow>,
    weeks: Vec<WeekRow>,
) -> Analytics {
    Analytics {
        score_trend: trend
            .into_iter()
            .map(|(day, average_score, runs)| DailyScore {
                day,
                average_score,
                runs,
            })
            .collect(),
        // Every component, in the formula's order, even when no run in the window was scored.
        components: COMPONENTS
            .iter()
            .map(|name| {
                let row = components.iter().find(|row| row.0 == *name);
                ComponentSummary {
                    component: (*name).to_owned(),
                    average: row.and_then(|row| row.1),
                    measured: row.map_or(0, |row| row.2),
                    estimated: row.map_or(0, |row| row.3),
                    unavailable: row.map_or(0, |row| row.4),
                }
            })
            .collect(),
        findings_by_category: findings
            .into_iter()
            .map(|(category, count)| CategoryCount { category, count })
            .collect(),
        weekly_success: weeks
            .into_iter()
            .map(|(week_start, finished, succeeded)| WeeklySuccess {
                week_start,
                finished,
                succeeded,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_window_reads_the_rest_of_its_first_day_from_the_runs() {
        let since = Utc.with_ymd_and_hms(2026, 3, 31, 17, 5, 9).unwrap();
        let window = Window::of(since);
        assert_eq!(window.since, since);
        assert_eq!(
            window.raw_until,
            Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(
            window.rolled_from,
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
        );
    }

    #[test]
    fn a_window_from_midnight_still_reads_its_first_day_from_the_runs() {
        let since = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap();
        let window = Window::of(since);
        assert_eq!(
            window.rolled_from,
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
        assert_eq!(window.raw_until - since, chrono::Duration::days(1));
    }
}
