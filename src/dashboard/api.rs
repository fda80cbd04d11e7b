//! The JSON API: `/api/data` (headline stats and a page of runs, or a page of repositories) and
//! `/healthz`.
//!
//! `GET /api/data?repository=&status=&page=&per_page=` answers
//!
//! ```json
//! {
//!   "generated_at": "2026-11-24T19:16:00Z",
//!   "backend": "postgres",
//!   "stats": {
//!     "total_runs": 120, "succeeded_runs": 90, "failed_runs": 10, "nothing_runs": 18,
//!     "running_runs": 2, "abandoned_runs": 0, "skipped_runs": 1, "success_rate": 0.763, "prs_opened": 88, "prs_merged": 61,
//!     "average_score": 71.4, "total_tokens": 5400000, "total_cost_usd": 41.2,
//!     "learnings": 37, "last_run_at": "2026-11-24T02:00:03Z"
//!   },
//!   "runs": {
//!     "filter": { "repository": null, "status": null },
//!     "page": 1, "per_page": 25, "total": 120, "pages": 5,
//!     "items": [ { "run_id": "...", "repository": "...", "status": "succeeded", ... } ]
//!   },
//!   "spend": [ { "repository": "github.com/o/r", "day": "2026-12-06", "calls": 4,
//!                "input_tokens": 52000, "output_tokens": 3100, "cost_usd": 0.2 } ]
//! }
//! ```
//!
//! `stats` is the store's `system_stats`; each item of `runs.items` is a `run_overview` row
//! (`RunOverviewRow`), newest first. `status` is one of `running`, `succeeded`, `nothing`,
//! `failed`, `abandoned`, `skipped`; `page` counts from 1; `per_page` defaults to 25 and is at most 100. A wrong
//! parameter answers 400 and an unreadable store 503, both as `{"error": "..."}`.
//!
//! `GET /api/data?view=repositories&page=&per_page=` answers the per-repository view instead:
//!
//! ```json
//! {
//!   "generated_at": "2026-11-24T19:16:00Z",
//!   "backend": "sqlite",
//!   "repositories": {
//!     "page": 1, "per_page": 50, "total": 2, "pages": 1,
//!     "items": [ { "repository": "github.com/acme/app", "runs": 40,
//!                  "runs_by_status": { "succeeded": 31, "failed": 4, "nothing": 5 },
//!                  "success_rate": 0.775, "prs_opened": 31, "prs_merged": 20,
//!                  "merge_rate": 0.645, "prs_open": 6, "median_secs_to_merge": 5400,
//!                  "last_score": 74.5, "last_run_at": "2026-11-24T02:00:03Z",
//!                  "tokens": 812000, "cost_usd": 6.1 } ]
//!   }
//! }
//! ```
//!
//! one `RepositorySummary` per repository with a run, alphabetically; `per_page` defaults to 50
//! and is at most 200; `median_secs_to_merge` is over the repository's latest 100 merges.
//! `view` is `runs` (the default) or `repositories`.
//!
//! `GET /healthz` answers `{"status": "ok", "backend": "..."}` (200) when the store answers, and
//! `{"status": "unavailable", ...}` (503) when it does not. It needs no token.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::app::AppState;
use super::error::{ApiError, PageError};
use super::params::{self, RunParams};
use crate::store::{RepositorySummary, RunOverviewRow, SpendRow, SystemStats};

const PER_PAGE: u32 = 25;
const MAX_PER_PAGE: u32 = 100;
const REPOSITORIES_PER_PAGE: u32 = 50;
const MAX_REPOSITORIES_PER_PAGE: u32 = 200;

/// The body of `/api/data`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ApiData {
    pub generated_at: DateTime<Utc>,
    /// `postgres` or `sqlite`.
    pub backend: String,
    pub stats: SystemStats,
    pub runs: RunPage,
    /// The model spend per repository and UTC day over the last 30 days, newest day first
    /// (the `/spend` page's rows).
    pub spend: Vec<SpendRow>,
}

/// One page of runs, newest first, and where it sits in the whole list.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RunPage {
    pub filter: RunFilter,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    /// Runs matching the filter, on all pages.
    pub total: u64,
    pub pages: u32,
    pub items: Vec<RunOverviewRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RunFilter {
    pub repository: Option<String>,
    pub status: Option<String>,
}

/// The body of `/api/data?view=repositories`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ApiRepositories {
    pub generated_at: DateTime<Utc>,
    /// `postgres` or `sqlite`.
    pub backend: String,
    pub repositories: RepositoryPage,
}

/// One page of repositories, alphabetically, and where it sits in the whole list.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RepositoryPage {
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    /// Repositories with a run, on all pages.
    pub total: u64,
    pub pages: u32,
    pub items: Vec<RepositorySummary>,
}

/// `/api/data`'s parameters: the view, and the run list's (or the repository list's).
#[derive(Debug, Default, Deserialize)]
pub struct DataParams {
    view: Option<String>,
    #[serde(flatten)]
    list: RunParams,
}

pub async fn data(
    State(state): State<AppState>,
    params: Result<Query<DataParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| PageError::BadRequest(e.body_text()))?;
    match params.view.as_deref().map(str::trim).unwrap_or("") {
        "" | "runs" => Ok(runs(&state, &params.list).await?.into_response()),
        "repositories" => Ok(repositories(&state, &params.list).await?.into_response()),
        other => Err(PageError::BadRequest(format!(
            "`view` must be runs or repositories; got `{other}`"
        ))
        .into()),
    }
}

async fn repositories(
    state: &AppState,
    params: &RunParams,
) -> Result<Json<ApiRepositories>, ApiError> {
    let query = params.repository_query(REPOSITORIES_PER_PAGE, MAX_REPOSITORIES_PER_PAGE)?;
    let (items, total) = state.store.repository_summaries(&query).await?;
    Ok(Json(ApiRepositories {
        generated_at: Utc::now(),
        backend: state.store.backend().to_owned(),
        repositories: RepositoryPage {
            page: query.page,
            per_page: query.per_page,
            total,
            pages: params::page_count(total, query.per_page),
            items,
        },
    }))
}

async fn runs(state: &AppState, params: &RunParams) -> Result<Json<ApiData>, ApiError> {
    let query = params.query(PER_PAGE, MAX_PER_PAGE)?;
    let stats = state.store.system_stats().await?;
    let (items, total) = state.store.run_overview(&query).await?;
    let spend = super::pages::spend::recent(state, super::pages::spend::DEFAULT_DAYS).await?;
    Ok(Json(ApiData {
        generated_at: Utc::now(),
        backend: state.store.backend().to_owned(),
        stats,
        runs: RunPage {
            filter: RunFilter {
                repository: query.repository.clone(),
                status: query.status.map(|s| s.as_str().to_owned()),
            },
            page: query.page,
            per_page: query.per_page,
            total,
            pages: params::page_count(total, query.per_page),
            items,
        },
        spend,
    }))
}

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
    backend: &'static str,
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.store.backend();
    match state.store.system_stats().await {
        Ok(_) => Json(Health {
            status: "ok",
            backend,
        })
        .into_response(),
        Err(error) => {
            tracing::warn!("dashboard: health check: failed to read the store: {error:#}");
            let body = Health {
                status: "unavailable",
                backend,
            };
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
