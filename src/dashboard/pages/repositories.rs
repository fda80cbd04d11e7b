//! `/repositories`: one row per repository (runs, success rate, pull requests opened and
//! merged, merge rate, median time to merge, last score, open PRs, spend), alphabetically, a
//! page at a time. The numbers come from counters the store keeps, so the page costs the same
//! whatever the number of runs.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;
use serde::Serialize;

use super::run_view::repository_href;
use crate::dashboard::app::AppState;
use crate::dashboard::error::PageError;
use crate::dashboard::format;
use crate::dashboard::layout::{self, PageMeta};
use crate::dashboard::params::{self, Pager, RunParams};
use crate::store::RepositorySummary;

const PER_PAGE: u32 = 50;
const MAX_PER_PAGE: u32 = 200;

/// A repository's numbers as the pages show them.
#[derive(Debug, Serialize)]
pub(super) struct RepositoryRow {
    pub repository: String,
    pub href: String,
    pub runs: String,
    /// `12 succeeded · 2 failed · ...`, every status with runs.
    pub runs_by_status: String,
    pub success_rate: String,
    pub prs_opened: String,
    pub prs_merged: String,
    pub merge_rate: String,
    pub median_to_merge: String,
    pub last_score: String,
    pub prs_open: String,
    pub tokens: String,
    pub cost: String,
    pub last_run: String,
    pub last_run_iso: Option<String>,
}

impl RepositoryRow {
    pub(super) fn new(summary: &RepositorySummary) -> Self {
        let dash = || "–".to_owned();
        Self {
            repository: summary.repository.clone(),
            href: repository_href(&summary.repository),
            runs: format::count(summary.runs),
            runs_by_status: summary
                .runs_by_status
                .iter()
                .map(|(status, n)| format!("{n} {}", format::words(status)))
                .collect::<Vec<_>>()
                .join(" · "),
            success_rate: summary.success_rate.map_or_else(dash, format::percent),
            prs_opened: format::count(summary.prs_opened),
            prs_merged: format::count(summary.prs_merged),
            merge_rate: summary.merge_rate.map_or_else(dash, format::percent),
            median_to_merge: summary.median_secs_to_merge.map_or_else(dash, |secs| {
                format::time_to_merge(chrono::Duration::seconds(secs))
            }),
            last_score: summary.last_score.map_or_else(dash, format::score),
            prs_open: format::count(summary.prs_open),
            tokens: format::count(summary.tokens),
            cost: format::cost(summary.cost_usd),
            last_run: summary
                .last_run_at
                .map_or_else(dash, |at| format::relative(at, Utc::now())),
            last_run_iso: summary.last_run_at.map(layout::iso),
        }
    }
}

#[derive(Debug, Serialize)]
struct RepositoriesView {
    repositories: Vec<RepositoryRow>,
    total: u64,
    pager: Pager,
}

pub async fn repositories(
    State(state): State<AppState>,
    params: Result<Query<RunParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(params) = params.map_err(|e| PageError::BadRequest(e.body_text()))?;
    let query = params.repository_query(PER_PAGE, MAX_PER_PAGE)?;
    let (rows, total) = state.store.repository_summaries(&query).await?;
    let pages = params::page_count(total, query.per_page);
    let page_link = |page: u32| {
        params::link(
            "/repositories",
            &[
                (
                    "per_page",
                    params.per_page.clone().filter(|p| !p.trim().is_empty()),
                ),
                ("page", Some(page.to_string())),
            ],
        )
    };
    let view = RepositoriesView {
        repositories: rows.iter().map(RepositoryRow::new).collect(),
        total,
        pager: Pager {
            page: query.page,
            pages,
            previous: (query.page > 1).then(|| page_link((query.page - 1).min(pages))),
            next: (query.page < pages).then(|| page_link(query.page + 1)),
        },
    };
    layout::render(
        "repositories.html",
        &PageMeta::new("Repositories", "repositories", state.store.backend()),
        view,
    )
}
