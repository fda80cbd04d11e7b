//! `/`: the headline numbers, the last run and its state, the latest runs; reloads itself. An
//! empty store gets the first-run page instead.

use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use serde::Serialize;

use super::run_view::RunView;
use crate::dashboard::app::AppState;
use crate::dashboard::error::PageError;
use crate::dashboard::format;
use crate::dashboard::layout::{self, PageMeta};
use crate::store::{RunQuery, SystemStats};

const RECENT_RUNS: u32 = 6;

#[derive(Debug, Serialize)]
struct OverviewView {
    stats: Vec<StatCard>,
    last_run: Option<RunView>,
    recent: Vec<RunView>,
}

/// One headline number.
#[derive(Debug, Serialize)]
struct StatCard {
    key: &'static str,
    label: &'static str,
    value: String,
    sub: Option<String>,
}

pub async fn overview(State(state): State<AppState>) -> Result<Response, PageError> {
    let stats = state.store.system_stats().await?;
    let to_merge = state.store.median_time_to_merge().await?;
    let query = RunQuery {
        per_page: RECENT_RUNS,
        ..RunQuery::default()
    };
    let (recent, _) = state.store.run_overview(&query).await?;
    let meta = PageMeta::new("Overview", "overview", state.store.backend())
        .refreshing(state.config.refresh_secs);
    // The stats are a view that PostgreSQL refreshes when a run closes, so a first run that is
    // still going shows up in the run list before it counts in the stats.
    if stats.total_runs == 0 && recent.is_empty() {
        return layout::render("first_run.html", &meta, serde_json::Map::new());
    }
    let now = Utc::now();
    let recent: Vec<RunView> = recent.iter().map(|row| RunView::new(row, now)).collect();
    let view = OverviewView {
        stats: stat_cards(&stats, to_merge),
        last_run: recent.first().cloned(),
        recent,
    };
    layout::render("overview.html", &meta, view)
}

fn stat_cards(stats: &SystemStats, to_merge: Option<chrono::Duration>) -> Vec<StatCard> {
    let merge_rate = (stats.prs_opened > 0).then(|| {
        let rate = format!(
            "{} of opened",
            format::percent(ratio(stats.prs_merged, stats.prs_opened))
        );
        match to_merge {
            Some(span) => format!("{rate} · median {} to merge", format::time_to_merge(span)),
            None => rate,
        }
    });
    vec![
        StatCard {
            key: "runs",
            label: "Runs",
            value: format::count(stats.total_runs),
            sub: Some(format!(
                "{} succeeded · {} failed · {} nothing to do · {} running{}",
                stats.succeeded_runs,
                stats.failed_runs,
                stats.nothing_runs,
                stats.running_runs,
                [
                    (stats.abandoned_runs, "abandoned"),
                    (stats.skipped_runs, "skipped")
                ]
                .iter()
                .filter(|(count, _)| *count > 0)
                .map(|(count, what)| format!(" · {count} {what}"))
                .collect::<String>()
            )),
        },
        StatCard {
            key: "success_rate",
            label: "Success rate",
            value: stats
                .success_rate
                .map_or_else(|| "–".to_owned(), format::percent),
            sub: Some("of finished runs".to_owned()),
        },
        StatCard {
            key: "prs_opened",
            label: "PRs opened",
            value: format::count(stats.prs_opened),
            sub: None,
        },
        StatCard {
            key: "prs_merged",
            label: "PRs merged",
            value: format::count(stats.prs_merged),
            sub: merge_rate,
        },
        StatCard {
            key: "average_score",
            label: "Average score",
            value: stats
                .average_score
                .map_or_else(|| "–".to_owned(), format::score),
            sub: Some("evolution score, 0–100".to_owned()),
        },
        StatCard {
            key: "tokens",
            label: "Tokens",
            value: format::count(stats.total_tokens),
            sub: Some("across every run".to_owned()),
        },
        StatCard {
            key: "cost",
            label: "Model cost",
            value: format::cost(stats.total_cost_usd),
            sub: (stats.total_runs > 0).then(|| {
                format!(
                    "{} a run",
                    format::cost(stats.total_cost_usd / stats.total_runs as f64)
                )
            }),
        },
        StatCard {
            key: "learnings",
            label: "Learnings",
            value: format::count(stats.learnings),
            sub: Some("kept for later runs".to_owned()),
        },
    ]
}

fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
