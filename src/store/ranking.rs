//! How learnings are ranked for a prompt, the same on both backends: full-text relevance x
//! weight x recency, where recency halves every [`HALF_LIFE_DAYS`] since the learning was last
//! added or merged into.

use chrono::{DateTime, Utc};

use crate::artifacts::Learning;

use super::LearningRow;

/// A learning not reinforced for this many days counts half as much; after 90 days an eighth.
pub const HALF_LIFE_DAYS: f64 = 30.0;

/// 1.0 now, 0.5 after one half-life; a timestamp in the future counts as now.
pub fn recency(updated_at: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    let age_days = (now - updated_at).num_milliseconds().max(0) as f64 / 86_400_000.0;
    0.5_f64.powf(age_days / HALF_LIFE_DAYS)
}

/// Orders candidates by `relevance x weight x recency` (relevance 1.0 for all when the query
/// matched nothing), best first, ties by id, and keeps `limit`.
pub fn rank(candidates: Vec<(LearningRow, f64)>, now: DateTime<Utc>, limit: u32) -> Vec<Learning> {
    let mut scored: Vec<Learning> = candidates
        .into_iter()
        .map(|(row, relevance)| {
            let mut learning = Learning::from(&row);
            learning.score = relevance * row.weight * recency(row.updated_at, now);
            learning
        })
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    scored.truncate(limit as usize);
    scored
}

/// Turns a raw full-text score into a relevance in (0, 1), so both backends' scales read
/// alike: ts_rank is small and positive, FTS5's bm25 is negative with better matches lower.
pub fn relevance(raw: f64) -> f64 {
    let raw = raw.abs();
    raw / (1.0 + raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn row(id: i64, weight: f64, updated_at: DateTime<Utc>) -> LearningRow {
        LearningRow {
            id,
            repository: "r".into(),
            kind: "mistake".into(),
            content: format!("learning {id}"),
            source: "review".into(),
            weight,
            uses: 0,
            created_at: updated_at,
            updated_at,
        }
    }

    #[test]
    fn recency_halves_every_half_life() {
        let now = Utc::now();
        assert!((recency(now, now) - 1.0).abs() < 1e-9);
        assert!((recency(now - Duration::days(30), now) - 0.5).abs() < 1e-9);
        assert!((recency(now - Duration::days(90), now) - 0.125).abs() < 1e-9);
        assert!((recency(now + Duration::days(3), now) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn ranks_by_relevance_weight_and_recency() {
        let now = Utc::now();
        let ranked = rank(
            vec![
                (row(1, 1.0, now), 0.2),
                // Twice the weight but two half-lives old: 2 x 0.25 = 0.5 of the first.
                (row(2, 2.0, now - Duration::days(60)), 0.2),
                (row(3, 1.0, now), 0.9),
            ],
            now,
            2,
        );
        let ids: Vec<i64> = ranked.iter().map(|l| l.id).collect();
        assert_eq!(ids, vec![3, 1]);
        assert!((ranked[1].score - 0.2).abs() < 1e-9);
    }

    #[test]
    fn relevance_maps_both_scales_into_the_unit_interval() {
        assert!(relevance(-5.0) > relevance(-1.0));
        assert!(relevance(0.1) > relevance(0.01));
        assert!(relevance(1e9) < 1.0);
    }
}
