//! `/spend`: what the model calls cost, per repository and per UTC day, across every run that
//! shares the store, with the fleet's daily budget (as this process's environment sets it)
//! against today's total.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::dashboard::app::AppState;
use crate::dashboard::error::PageError;
use crate::dashboard::layout::{self, PageMeta};
use crate::llm::FleetBudget;
use crate::store::spend::day_of;
use crate::store::SpendRow;

/// The window the page and `/api/data` show by default, in days.
pub const DEFAULT_DAYS: u32 = 30;
const MAX_DAYS: u32 = 366;

#[derive(Debug, Deserialize)]
pub struct SpendParams {
    days: Option<String>,
}

#[derive(Debug, Serialize)]
struct Totals {
    calls: i64,
    input_tokens: i64,
    output_tokens: i64,
    tokens: i64,
    cost: String,
}

impl Totals {
    fn of<'a>(rows: impl Iterator<Item = &'a SpendRow>) -> Self {
        let (mut calls, mut input_tokens, mut output_tokens, mut cost) = (0i64, 0i64, 0i64, 0.0);
        for row in rows {
            calls += row.calls;
            input_tokens += row.input_tokens;
            output_tokens += row.output_tokens;
            cost += row.cost_usd;
        }
        Self {
            calls,
            input_tokens,
            output_tokens,
            tokens: input_tokens + output_tokens,
            cost: format!("${cost:.2}"),
        }
    }
}

#[derive(Debug, Serialize)]
struct Labelled {
    label: String,
    totals: Totals,
}

#[derive(Debug, Serialize)]
struct SpendView {
    days: u32,
    today: String,
    today_totals: Totals,
    budget_tokens: Option<u64>,
    budget_usd: Option<String>,
    by_day: Vec<Labelled>,
    by_repository: Vec<Labelled>,
    rows: Vec<Labelled>,
}

/// The spend rows of the last `days` UTC days (today included), newest first.
pub async fn recent(state: &AppState, days: u32) -> Result<Vec<SpendRow>, PageError> {
    let since = Utc::now() - Duration::days(i64::from(days.max(1)) - 1);
    Ok(state.store.spend(&day_of(since)).await?)
}

pub async fn spend(
    State(state): State<AppState>,
    params: Result<Query<SpendParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(params) = params.map_err(|e| PageError::BadRequest(e.body_text()))?;
    let days = match params
        .days
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => DEFAULT_DAYS,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=MAX_DAYS).contains(d))
            .ok_or_else(|| {
                PageError::BadRequest(format!(
                    "days must be a whole number from 1 to {MAX_DAYS}, not `{text}`"
                ))
            })?,
    };
    let rows = recent(&state, days).await?;
    let today = day_of(Utc::now());
    let mut by_day: BTreeMap<&str, Vec<&SpendRow>> = BTreeMap::new();
    let mut by_repository: BTreeMap<&str, Vec<&SpendRow>> = BTreeMap::new();
    for row in &rows {
        by_day.entry(&row.day).or_default().push(row);
        by_repository.entry(&row.repository).or_default().push(row);
    }
    // A budget the dashboard's environment does not parse is shown as none.
    let budget = FleetBudget::from_env().unwrap_or_default();
    let view = SpendView {
        days,
        today_totals: Totals::of(rows.iter().filter(|r| r.day == today)),
        today,
        budget_tokens: budget.max_tokens,
        budget_usd: budget.max_usd.map(|usd| format!("${usd:.2}")),
        by_day: by_day
            .into_iter()
            .rev()
            .map(|(day, rows)| Labelled {
                label: day.to_owned(),
                totals: Totals::of(rows.into_iter()),
            })
            .collect(),
        by_repository: by_repository
            .into_iter()
            .map(|(repository, rows)| Labelled {
                label: repository.to_owned(),
                totals: Totals::of(rows.into_iter()),
            })
            .collect(),
        rows: rows
            .iter()
            .map(|row| Labelled {
                label: format!("{} · {}", row.day, row.repository),
                totals: Totals::of(std::iter::once(row)),
            })
            .collect(),
    };
    layout::render(
        "spend.html",
        &PageMeta::new("Spend", "spend", state.store.backend()),
        view,
    )
}
