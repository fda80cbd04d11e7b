//! How learnings are ranked for a prompt, the same on both backends: full-text relevance x
//! weight x recency, where recency halves every [`HALF_LIFE_DAYS`] since the learning was last
//! added or merged into.
//!
//! Each backend computes the whole score in SQL and keeps the best `limit` there (`ORDER BY
//! score DESC, id LIMIT n`), so only the rows returned are decoded. This module owns the parts
//! both share: the constants, the score's SQL pieces, and [`recency`], the reference the SQL
//! decay matches. Relevance is `raw / (1 + raw)` of the backend's raw full-text score (ts_rank,
//! or FTS5's bm25 with its sign dropped), so both scales read alike in (0, 1); it is 1.0 for all
//! when the query matched nothing.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::artifacts::Learning;

use super::LearningRow;

/// A learning not reinforced for this many days counts half as much; after 90 days an eighth.
pub const HALF_LIFE_DAYS: f64 = 30.0;

/// Ages beyond this many half-lives (about five years) count as this many: the score is then
/// below 2^-62 of a fresh one anyway, and capping keeps PostgreSQL's floating-point arithmetic
/// from underflowing (an error there) and SQLite's `1 << whole_half_lives` within 64 bits.
pub const MAX_HALF_LIVES: i64 = 62;

/// Terms of the Taylor series of 2^-f kept by [`sqlite_fraction_decay`]: for f in [0, 1) the
/// error is below 1e-7, far below any difference in weight or relevance that matters.
const DECAY_SERIES_TERMS: i32 = 9;

/// 1.0 now, 0.5 after one half-life; a timestamp in the future counts as now.
pub fn recency(updated_at: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    let age_days = (now - updated_at).num_milliseconds().max(0) as f64 / 86_400_000.0;
    0.5_f64.powf((age_days / HALF_LIFE_DAYS).min(MAX_HALF_LIVES as f64))
}

/// 2^-`fraction` for a SQL expression `fraction` in [0, 1), in plain arithmetic: SQLite as
/// bundled has no `pow`/`exp`. The whole half-lives are a bit shift; this is the rest, as
/// the Taylor series of e^(-f ln 2) in Horner form.
pub fn sqlite_fraction_decay(fraction: &str) -> String {
    let ln2 = std::f64::consts::LN_2;
    // Coefficient k of the series: (-ln 2)^k / k!, innermost (highest k) first.
    let mut expression = String::from("0");
    for k in (1..DECAY_SERIES_TERMS).rev() {
        let factorial: f64 = (1..=k).map(f64::from).product();
        let coefficient = (-ln2).powi(k) / factorial;
        expression = format!("({coefficient:e} + {fraction} * {expression})");
    }
    format!("(1.0 + {fraction} * {expression})")
}

/// A learning as the ranking query returns it: its columns and its score.
#[derive(Debug, FromRow)]
pub struct RankedLearningRecord {
    #[sqlx(flatten)]
    pub learning: LearningRow,
    pub score: f64,
}

impl From<RankedLearningRecord> for Learning {
    fn from(record: RankedLearningRecord) -> Self {
        let mut learning = Learning::from(&record.learning);
        learning.score = record.score;
        learning
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    /// Evaluates [`sqlite_fraction_decay`]'s expression for `f` the way SQL would.
    fn evaluate_fraction_decay(f: f64) -> f64 {
        let expression = sqlite_fraction_decay("f");
        let mut value = 0.0;
        // Innermost first: the expression is nested `(c + f * (...))`.
        let coefficients: Vec<f64> = expression
            .split(['(', ')', '+', '*'])
            .map(str::trim)
            .filter(|t| !t.is_empty() && *t != "f")
            .map(|t| t.parse().unwrap())
            .collect();
        for coefficient in coefficients.iter().rev() {
            value = coefficient + f * value;
        }
        value
    }

    #[test]
    fn recency_halves_every_half_life() {
        let now = Utc::now();
        assert!((recency(now, now) - 1.0).abs() < 1e-9);
        assert!((recency(now - Duration::days(30), now) - 0.5).abs() < 1e-9);
        assert!((recency(now - Duration::days(90), now) - 0.125).abs() < 1e-9);
        assert!((recency(now + Duration::days(3), now) - 1.0).abs() < 1e-9);
        assert!(recency(now - Duration::days(365 * 100), now) > 0.0);
    }

    #[test]
    fn sqlite_decay_matches_the_exact_power_of_two() {
        for step in 0..100 {
            let f = f64::from(step) / 100.0;
            let exact = 0.5_f64.powf(f);
            assert!((evaluate_fraction_decay(f) - exact).abs() < 1e-7, "at {f}");
        }
    }
}
