//! What every page shares: the frame's data (title, current nav entry, store, time) and how a
//! page's view is rendered inside it.

use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::error::PageError;
use super::{format, templates};

/// The frame's data, `page.*` in the templates.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub title: String,
    /// `overview`, `timeline`, `repositories`, `analytics`, `spend`, or empty for pages outside
    /// the navigation.
    pub nav: &'static str,
    pub backend: Option<&'static str>,
    pub generated_at: Option<String>,
    pub generated_iso: Option<String>,
    /// Seconds until the page reloads itself; None for pages that do not.
    pub refresh_secs: Option<u32>,
}

impl PageMeta {
    pub fn new(title: impl Into<String>, nav: &'static str, backend: &'static str) -> Self {
        let now = Utc::now();
        Self {
            title: title.into(),
            nav,
            backend: Some(backend),
            generated_at: Some(format::timestamp(now)),
            generated_iso: Some(iso(now)),
            refresh_secs: None,
        }
    }

    /// For pages that are not about the store (errors, the token prompt).
    pub fn bare(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            nav: "",
            backend: None,
            generated_at: None,
            generated_iso: None,
            refresh_secs: None,
        }
    }

    pub fn refreshing(mut self, secs: u32) -> Self {
        self.refresh_secs = (secs > 0).then_some(secs);
        self
    }
}

/// Renders `template` with the frame's data as `page` and the view's fields at the top level.
pub fn render(
    template: &str,
    page: &PageMeta,
    view: impl Serialize,
) -> Result<Response, PageError> {
    #[derive(Serialize)]
    struct Context<'a, V> {
        page: &'a PageMeta,
        #[serde(flatten)]
        view: V,
    }
    let html: Html<String> = templates::render(template, Context { page, view })?;
    Ok(html.into_response())
}

/// A machine-readable timestamp for `<time datetime>` and the JSON API.
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
