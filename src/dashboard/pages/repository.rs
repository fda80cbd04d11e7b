//! `/repositories/{id}`: one repository — its numbers, its score's trend, its latest runs,
//! pull requests and learnings. `{id}` is the stored identity, percent-encoded as one path
//! segment (`/repositories/github.com%2Fowner%2Fname`, `/repositories/%2Fsrv%2Frepo`); the
//! slashes of an unencoded identity are taken as well.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use serde::Serialize;

use super::analytics::score_trend;
use super::repositories::RepositoryRow;
use super::run_view::RunView;
use crate::dashboard::app::AppState;
use crate::dashboard::charts::{self, Axis, Unit};
use crate::dashboard::error::PageError;
use crate::dashboard::layout::{self, PageMeta};
use crate::dashboard::{format, params};
use crate::store::{AnalyticsQuery, LearningRow, PullRequestRow, RunQuery};

/// How many of the latest runs and pull requests the page lists.
const LATEST: u32 = 20;
/// How many of the heaviest learnings it lists.
const LEARNINGS: usize = 20;
/// The days the score trend covers.
const TREND_DAYS: i64 = 90;

#[derive(Debug, Serialize)]
struct RepositoryView {
    summary: RepositoryRow,
    trend: minijinja::Value,
    runs: Vec<RunView>,
    all_runs_href: String,
    analytics_href: String,
    pull_requests: Vec<PullRequestView>,
    learnings: Vec<LearningView>,
    learnings_total: usize,
}

#[derive(Debug, Serialize)]
struct PullRequestView {
    number: Option<i64>,
    url: Option<String>,
    title: String,
    state: String,
    opened: String,
    opened_iso: String,
}

impl PullRequestView {
    fn new(pr: &PullRequestRow) -> Self {
        Self {
            number: pr.number,
            url: pr.url.as_deref().and_then(format::safe_link),
            title: pr.title.clone(),
            state: if pr.merged {
                "merged".to_owned()
            } else {
                format::words(&pr.state)
            },
            opened: format::timestamp(pr.created_at),
            opened_iso: layout::iso(pr.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
struct LearningView {
    kind: String,
    content: String,
    weight: String,
    uses: i64,
}

impl LearningView {
    fn new(learning: &LearningRow) -> Self {
        Self {
            kind: format::words(&learning.kind),
            content: learning.content.clone(),
            weight: format::weight(learning.weight),
            uses: learning.uses,
        }
    }
}

pub async fn repository(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let Path(id) = id.map_err(|e| PageError::BadRequest(e.body_text()))?;
    let store = &state.store;
    let summary = store.repository_summary(&id).await?.ok_or_else(|| {
        PageError::NotFound(format!("No run of the repository {id} is recorded."))
    })?;
    let (runs, _) = store
        .run_overview(&RunQuery {
            repository: Some(id.clone()),
            per_page: LATEST,
            ..RunQuery::default()
        })
        .await?;
    let pull_requests = store.latest_pull_requests(&id, LATEST).await?;
    let learnings = store.learnings(&id).await?;
    let aggregates = store
        .analytics(&AnalyticsQuery {
            repository: Some(id.clone()),
            since: Utc::now() - Duration::days(TREND_DAYS),
        })
        .await?;

    let now = Utc::now();
    let filtered = |path: &str| params::link(path, &[("repository", Some(id.clone()))]);
    let view = RepositoryView {
        summary: RepositoryRow::new(&summary),
        trend: charts::line(
            "Evolution score by day",
            &score_trend(&aggregates.score_trend),
            Axis::bounded(Unit::Score),
        )
        .into_value(),
        runs: runs.iter().map(|row| RunView::new(row, now)).collect(),
        all_runs_href: filtered("/timeline"),
        analytics_href: filtered("/analytics"),
        pull_requests: pull_requests.iter().map(PullRequestView::new).collect(),
        learnings_total: learnings.len(),
        learnings: learnings
            .iter()
            .take(LEARNINGS)
            .map(LearningView::new)
            .collect(),
    };
    layout::render(
        "repository.html",
        &PageMeta::new(summary.repository.clone(), "repositories", store.backend()),
        view,
    )
}
