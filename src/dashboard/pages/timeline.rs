//! `/timeline`: every run, newest first, filtered by repository and state, a page at a time.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;
use serde::Serialize;

use super::run_view::RunView;
use crate::dashboard::app::AppState;
use crate::dashboard::error::PageError;
use crate::dashboard::layout::{self, PageMeta};
use crate::dashboard::params::{self, Pager, RunParams};
use crate::store::{RunCursor, RunOverviewRow, RunStatus};

const PER_PAGE: u32 = 25;
const MAX_PER_PAGE: u32 = 100;

/// Every state a run can be in, in the order the filter offers them.
pub const STATES: [RunStatus; 6] = [
    RunStatus::Running,
    RunStatus::Succeeded,
    RunStatus::Nothing,
    RunStatus::Failed,
    RunStatus::Abandoned,
    RunStatus::Skipped,
];

#[derive(Debug, Serialize)]
struct TimelineView {
    runs: Vec<RunView>,
    total: u64,
    repositories: Vec<String>,
    states: Vec<&'static str>,
    filter: Filter,
    pager: Pager,
}

#[derive(Debug, Serialize)]
struct Filter {
    repository: Option<String>,
    status: Option<&'static str>,
}

pub async fn timeline(
    State(state): State<AppState>,
    params: Result<Query<RunParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(params) = params.map_err(|e| PageError::BadRequest(e.body_text()))?;
    let query = params.query(PER_PAGE, MAX_PER_PAGE)?;
    let (rows, total) = state.store.run_overview(&query).await?;
    let repositories = state.store.repositories().await?;

    let now = Utc::now();
    let filter = Filter {
        repository: query.repository.clone(),
        status: query.status.map(RunStatus::as_str),
    };
    let pages = params::page_count(total, query.per_page);
    // Older and newer pages are read from a cursor (the last or first run shown), so a deep
    // page costs what the first does; the page number only labels it.
    let page_link = |page: u32, cursor: Option<(&'static str, String)>| {
        let (after, before) = match cursor {
            Some(("after", text)) => (Some(text), None),
            Some((_, text)) => (None, Some(text)),
            None => (None, None),
        };
        params::link(
            "/timeline",
            &[
                ("repository", filter.repository.clone()),
                ("status", filter.status.map(str::to_owned)),
                (
                    "per_page",
                    params.per_page.clone().filter(|p| !p.trim().is_empty()),
                ),
                ("page", Some(page.to_string())),
                ("after", after),
                ("before", before),
            ],
        )
    };
    let cursor_of = |row: &RunOverviewRow, newer: bool| {
        RunCursor {
            started_at: row.started_at,
            run_id: row.run_id.clone(),
            newer,
        }
        .text()
    };
    let previous = match (query.page, rows.first()) {
        (0..=1, _) => None,
        // The first page is the newest runs, with no cursor.
        (2, _) | (_, None) => Some(page_link(1, None)),
        (page, Some(first)) => Some(page_link(
            (page - 1).min(pages),
            Some(("before", cursor_of(first, true))),
        )),
    };
    let next = match rows.last() {
        Some(last) if query.page < pages => Some(page_link(
            query.page + 1,
            Some(("after", cursor_of(last, false))),
        )),
        _ => None,
    };
    let pager = Pager {
        page: query.page,
        pages,
        previous,
        next,
    };
    let view = TimelineView {
        runs: rows.iter().map(|row| RunView::new(row, now)).collect(),
        total,
        repositories,
        states: STATES.iter().map(|s| s.as_str()).collect(),
        filter,
        pager,
    };
    layout::render(
        "timeline.html",
        &PageMeta::new("Timeline", "timeline", state.store.backend()),
        view,
    )
}
