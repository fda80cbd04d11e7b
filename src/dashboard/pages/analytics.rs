//! `/analytics`: the score's trend and components, review findings by category, tokens and cost
//! per run, and the weekly success rate, as server-drawn SVG charts.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::dashboard::app::AppState;
use crate::dashboard::charts::{self, Axis, Datum, Svg, Unit};
use crate::dashboard::error::PageError;
use crate::dashboard::format;
use crate::dashboard::layout::{self, PageMeta};
use crate::store::{Analytics, AnalyticsQuery, DailyScore, RunOverviewRow, RunQuery};

const DEFAULT_DAYS: u32 = 90;
const MAX_DAYS: u32 = 3_650;
/// How many of the latest runs the per-run charts show.
const RUNS_PER_CHART: u32 = 30;

#[derive(Debug, Default, Deserialize)]
pub struct AnalyticsParams {
    repository: Option<String>,
    days: Option<String>,
}

#[derive(Debug, Serialize)]
struct AnalyticsView {
    window_days: u32,
    repositories: Vec<String>,
    filter: Filter,
    charts: Vec<ChartCard>,
}

#[derive(Debug, Serialize)]
struct Filter {
    repository: Option<String>,
}

#[derive(Debug, Serialize)]
struct ChartCard {
    key: &'static str,
    title: &'static str,
    caption: String,
    /// Safe markup: every text in it was escaped when it was drawn.
    svg: minijinja::Value,
}

impl ChartCard {
    fn new(key: &'static str, title: &'static str, caption: String, svg: Svg) -> Self {
        Self {
            key,
            title,
            caption,
            svg: svg.into_value(),
        }
    }
}

pub async fn analytics(
    State(state): State<AppState>,
    params: Result<Query<AnalyticsParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(params) = params.map_err(|e| PageError::BadRequest(e.body_text()))?;
    let days = window_days(params.days.as_deref())?;
    let repository = params
        .repository
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());

    let query = AnalyticsQuery {
        repository: repository.clone(),
        since: Utc::now() - Duration::days(i64::from(days)),
    };
    let aggregates = state.store.analytics(&query).await?;
    let (mut latest, _) = state
        .store
        .run_overview(&RunQuery {
            repository: repository.clone(),
            per_page: RUNS_PER_CHART,
            ..RunQuery::default()
        })
        .await?;
    latest.reverse();
    let repositories = state.store.repositories().await?;

    let view = AnalyticsView {
        window_days: days,
        repositories,
        filter: Filter { repository },
        charts: charts_of(&aggregates, &latest),
    };
    layout::render(
        "analytics.html",
        &PageMeta::new("Analytics", "analytics", state.store.backend()),
        view,
    )
}

fn window_days(text: Option<&str>) -> Result<u32, PageError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(DEFAULT_DAYS),
        Some(text) => match text.parse::<u32>() {
            Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(days),
            _ => Err(PageError::BadRequest(format!(
                "`days` must be a whole number from 1 to {MAX_DAYS}; got `{text}`"
            ))),
        },
    }
}

/// The charts, in the order the page shows them. `latest` is oldest first.
fn charts_of(aggregates: &Analytics, latest: &[RunOverviewRow]) -> Vec<ChartCard> {
    let trend = score_trend(&aggregates.score_trend);

    let components: Vec<Datum> = aggregates
        .components
        .iter()
        .map(|c| {
            let hint = format!(
                "{}: {} measured, {} estimated, {} unavailable",
                format::words(&c.component),
                c.measured,
                c.estimated,
                c.unavailable
            );
            Datum::new(component_name(&c.component), c.average.unwrap_or(0.0), hint)
        })
        .collect();

    let findings: Vec<Datum> = aggregates
        .findings_by_category
        .iter()
        .map(|c| {
            let name = format::words(&c.category);
            let hint = format!("{name}: {} finding{}", c.count, plural(c.count));
            Datum::new(name, c.count as f64, hint)
        })
        .collect();

    let run_label = |row: &RunOverviewRow| row.started_at.format("%b %d").to_string();
    let tokens: Vec<Datum> = latest
        .iter()
        .map(|row| {
            let hint = format!("{}: {} tokens", row.run_id, format::count(row.tokens));
            Datum::new(run_label(row), row.tokens as f64, hint)
        })
        .collect();
    let cost: Vec<Datum> = latest
        .iter()
        .map(|row| {
            let hint = format!("{}: {}", row.run_id, format::cost(row.cost_usd));
            Datum::new(run_label(row), row.cost_usd, hint)
        })
        .collect();

    let weekly: Vec<Datum> = aggregates
        .weekly_success
        .iter()
        .filter(|week| week.finished > 0)
        .map(|week| {
            let label = week.week_start.format("%b %d").to_string();
            let rate = week.succeeded as f64 / week.finished as f64;
            let hint = format!(
                "Week of {label}: {} of {} finished run{} succeeded",
                week.succeeded,
                week.finished,
                plural(week.finished)
            );
            Datum::new(label, rate, hint)
        })
        .collect();

    let component_weights = "Weights: code quality 30%, test coverage 25%, maintainability 25%, \
                             readability 20%. Hover a bar for how each was measured."
        .to_owned();
    vec![
        ChartCard::new(
            "score_trend",
            "Evolution score",
            "Daily average of the scored runs, 0–100.".to_owned(),
            charts::line("Evolution score by day", &trend, Axis::bounded(Unit::Score)),
        ),
        ChartCard::new(
            "components",
            "Score components",
            component_weights,
            charts::bars(
                "Average of each score component",
                &components,
                Axis::bounded(Unit::Score),
            ),
        ),
        ChartCard::new(
            "findings",
            "Review findings by category",
            format!(
                "{} findings in the window.",
                aggregates
                    .findings_by_category
                    .iter()
                    .map(|c| c.count)
                    .sum::<i64>()
            ),
            charts::bars(
                "Review findings by category",
                &findings,
                Axis::fitting(findings.iter().map(|d| d.value), Unit::Count),
            ),
        ),
        ChartCard::new(
            "weekly_success",
            "Weekly success rate",
            "Succeeded runs out of finished runs, per week starting Monday.".to_owned(),
            charts::columns("Weekly success rate", &weekly, Axis::bounded(Unit::Ratio)),
        ),
        ChartCard::new(
            "tokens",
            "Tokens per run",
            format!("The latest {} runs, oldest on the left.", latest.len()),
            if !tokens.is_empty() && tokens.iter().all(|d| d.value == 0.0) {
                charts::nothing(
                    "Tokens per run",
                    "No tokens used: these runs made no model calls",
                )
            } else {
                charts::columns(
                    "Tokens per run",
                    &tokens,
                    Axis::fitting(tokens.iter().map(|d| d.value), Unit::Count),
                )
            },
        ),
        ChartCard::new(
            "cost",
            "Cost per run",
            format!(
                "The latest {} runs: {} in all.",
                latest.len(),
                format::cost(latest.iter().map(|r| r.cost_usd).sum())
            ),
            if !cost.is_empty() && cost.iter().all(|d| d.value == 0.0) {
                charts::nothing(
                    "Cost per run in US dollars",
                    "No cost: these runs made no paid calls",
                )
            } else {
                charts::columns(
                    "Cost per run in US dollars",
                    &cost,
                    Axis::fitting(cost.iter().map(|d| d.value), Unit::Usd),
                )
            },
        ),
    ]
}

fn component_name(key: &str) -> String {
    let words = format::words(key);
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// The daily average scores as points of the trend chart (also the repository page's).
pub(super) fn score_trend(days: &[DailyScore]) -> Vec<Datum> {
    days.iter()
        .map(|point| {
            let day = point.day.format("%b %d").to_string();
            let hint = format!(
                "{day}: {} over {} run{}",
                format::score(point.average_score),
                point.runs,
                plural(point.runs)
            );
            Datum::new(day, point.average_score, hint)
        })
        .collect()
}

fn plural(count: i64) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}
