//! Per-repository numbers for the dashboard's `/repositories` pages and `/api/data`'s
//! repository view. Counts, tokens and cost come from the counters triggers keep (`run_counts`,
//! `pull_request_counts`); the median time to merge and the last score read a bounded number of
//! the latest rows through indexes, so a page costs the same at 10,000 runs as at 1,000,000.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How many of a repository's latest merges its median time to merge is taken over.
pub const MEDIAN_OVER_MERGES: u32 = 100;
/// How many of a repository's latest runs its last score is looked for in.
pub const LAST_SCORE_WITHIN_RUNS: u32 = 50;

/// One repository's numbers.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RepositorySummary {
    /// The stored identity (`github.com/owner/name`, or an absolute local path).
    pub repository: String,
    pub runs: i64,
    /// Runs per status (`running`, `succeeded`, `nothing`, `failed`, `abandoned`, ...).
    pub runs_by_status: BTreeMap<String, i64>,
    /// succeeded / finished (succeeded, nothing, failed) runs, 0-1; None before any finished.
    pub success_rate: Option<f64>,
    /// Pull requests opened (dry runs excluded).
    pub prs_opened: i64,
    pub prs_merged: i64,
    /// merged / opened, 0-1; None before any was opened.
    pub merge_rate: Option<f64>,
    /// Pull requests still open.
    pub prs_open: i64,
    /// The median time from opening to merge over the latest [`MEDIAN_OVER_MERGES`] merges.
    pub median_secs_to_merge: Option<i64>,
    /// The evolution score of the latest evaluated run among the latest
    /// [`LAST_SCORE_WITHIN_RUNS`].
    pub last_score: Option<f64>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub tokens: i64,
    pub cost_usd: f64,
}

impl RepositorySummary {
    /// A summary of `repository` from its counters (the rest is filled in by the store).
    pub(crate) fn from_counts(
        repository: String,
        runs: BTreeMap<String, (i64, i64, f64)>,
        prs: &[(String, bool, i64)],
    ) -> Self {
        let count = |status: &str| runs.get(status).map_or(0, |(n, _, _)| *n);
        let succeeded = count("succeeded");
        let finished = succeeded + count("failed") + count("nothing");
        let prs_opened: i64 = prs
            .iter()
            .filter(|(state, _, _)| state != "dry_run")
            .map(|(_, _, n)| n)
            .sum();
        let prs_merged: i64 = prs.iter().filter(|(_, m, _)| *m).map(|(_, _, n)| n).sum();
        Self {
            repository,
            runs: runs.values().map(|(n, _, _)| n).sum(),
            success_rate: (finished > 0).then(|| succeeded as f64 / finished as f64),
            prs_opened,
            prs_merged,
            merge_rate: (prs_opened > 0).then(|| prs_merged as f64 / prs_opened as f64),
            prs_open: prs
                .iter()
                .filter(|(state, _, _)| state == "open")
                .map(|(_, _, n)| n)
                .sum(),
            tokens: runs.values().map(|(_, t, _)| t).sum(),
            cost_usd: runs.values().map(|(_, _, c)| c).sum(),
            runs_by_status: runs
                .into_iter()
                .filter(|(_, (n, _, _))| *n != 0)
                .map(|(status, (n, _, _))| (status, n))
                .collect(),
            ..Self::default()
        }
    }
}

/// A page of repositories, alphabetically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryQuery {
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl RepositoryQuery {
    /// The most rows one page holds.
    pub const MAX_PER_PAGE: u32 = 200;

    /// (LIMIT, OFFSET) for this page; page 0 reads as 1 and `per_page` is kept within 1..=200.
    pub fn limit_offset(&self) -> (i64, i64) {
        let per_page = self.per_page.clamp(1, Self::MAX_PER_PAGE);
        let page = self.page.max(1);
        (
            i64::from(per_page),
            i64::from(page - 1) * i64::from(per_page),
        )
    }
}

impl Default for RepositoryQuery {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: 50,
        }
    }
}

/// The median of `spans` (seconds); None when there are none.
pub(crate) fn median_secs(mut spans: Vec<i64>) -> Option<i64> {
    spans.sort_unstable();
    match spans.len() {
        0 => None,
        n if n % 2 == 1 => Some(spans[n / 2]),
        n => Some((spans[n / 2 - 1] + spans[n / 2]) / 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_come_from_the_counts() {
        let runs = BTreeMap::from([
            ("succeeded".to_owned(), (3, 300, 0.3)),
            ("failed".to_owned(), (1, 100, 0.1)),
            ("running".to_owned(), (2, 0, 0.0)),
            ("abandoned".to_owned(), (0, 0, 0.0)),
        ]);
        let prs = [
            ("open".to_owned(), false, 1),
            ("merged".to_owned(), true, 2),
            ("dry_run".to_owned(), false, 5),
        ];
        let s = RepositorySummary::from_counts("r".into(), runs, &prs);
        assert_eq!(s.runs, 6);
        assert_eq!(s.success_rate, Some(0.75));
        assert_eq!((s.prs_opened, s.prs_merged, s.prs_open), (3, 2, 1));
        assert_eq!(s.tokens, 400);
        assert!(!s.runs_by_status.contains_key("abandoned"));
    }

    #[test]
    fn medians() {
        assert_eq!(median_secs(vec![]), None);
        assert_eq!(median_secs(vec![5, 1, 3]), Some(3));
        assert_eq!(median_secs(vec![4, 1, 3, 2]), Some(2));
    }
}
