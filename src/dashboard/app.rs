//! The router: every route, the token check in front of the pages and the API, and the headers
//! that keep a browser from running anything the store might smuggle into a page.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::config::DashboardConfig;
use super::error::PageError;
use super::{api, auth, pages, templates};
use crate::store::Store;

/// What every handler reads: the store (queried on every request) and the settings.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<DashboardConfig>,
}

/// The dashboard's router: `/`, `/timeline`, `/analytics`, `/repositories`,
/// `/repositories/{id}`, `/runs/{id}`, `/spend`, `/api/data`,
/// `/healthz`, `/assets/style.css`.
pub fn app(store: Arc<dyn Store>, config: DashboardConfig) -> Router {
    let state = AppState {
        store,
        config: Arc::new(config),
    };
    let guarded = Router::new()
        .route("/", get(pages::overview))
        .route("/timeline", get(pages::timeline))
        .route("/analytics", get(pages::analytics))
        .route("/repositories", get(pages::repositories))
        .route("/repositories/{*id}", get(pages::repository))
        .route("/runs/{id}", get(pages::run))
        .route("/spend", get(pages::spend))
        .route("/api/data", get(api::data))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    Router::new()
        .merge(guarded)
        .route("/healthz", get(api::healthz))
        .route("/assets/style.css", get(stylesheet))
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn stylesheet() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        templates::STYLE,
    )
        .into_response()
}

async fn not_found() -> PageError {
    PageError::NotFound("There is no page at this address.".to_owned())
}

/// The pages need no script at all, so the policy forbids every script: text from the store
/// that escaped escaping still could not run. Pages are never cached: they are live data.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
