//! What goes wrong while answering a request, and the status page (or JSON) that says so. A
//! failed request never panics and never shows the store's raw error to the visitor.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::layout::{self, PageMeta};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("read the store")]
    Store(#[from] StoreError),
    #[error("render the page")]
    Render(#[from] minijinja::Error),
}

impl PageError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the visitor reads. Server-side failures are logged in full and summarised here, since
    /// a driver's message can carry connection details.
    fn public_message(&self) -> String {
        match self {
            Self::NotFound(what) | Self::BadRequest(what) => what.clone(),
            Self::Store(_) => {
                "The store could not be read. The dashboard's log says why; the page works again \
                 as soon as the store answers."
                    .to_owned()
            }
            Self::Render(_) => {
                "The page could not be drawn; the dashboard's log says why.".to_owned()
            }
        }
    }

    fn log(&self) {
        match self {
            Self::Store(error) => tracing::error!("dashboard: failed to read the store: {error:#}"),
            Self::Render(error) => {
                tracing::error!("dashboard: failed to render a page: {error:#}")
            }
            Self::NotFound(_) | Self::BadRequest(_) => {}
        }
    }

    fn heading(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "Not found",
            Self::BadRequest(_) => "Bad request",
            Self::Store(_) => "Store unavailable",
            Self::Render(_) => "Something went wrong",
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.log();
        status_page(self.status(), self.heading(), &self.public_message(), false)
    }
}

/// An HTML status page; plain text if even that cannot be rendered.
pub fn status_page(status: StatusCode, heading: &str, message: &str, ask_token: bool) -> Response {
    #[derive(Serialize)]
    struct StatusView<'a> {
        status: u16,
        heading: &'a str,
        message: &'a str,
        ask_token: bool,
    }
    let view = StatusView {
        status: status.as_u16(),
        heading,
        message,
        ask_token,
    };
    match layout::render("status.html", &PageMeta::bare(heading), view) {
        Ok(page) => (status, page).into_response(),
        Err(error) => {
            tracing::error!("dashboard: failed to render the status page: {error:#}");
            (status, format!("{heading}: {message}")).into_response()
        }
    }
}

/// The same errors for the JSON API: `{"error": "..."}` with the status code.
#[derive(Debug)]
pub struct ApiError(pub PageError);

impl From<PageError> for ApiError {
    fn from(error: PageError) -> Self {
        Self(error)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self(PageError::Store(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body {
            error: String,
        }
        self.0.log();
        let body = Body {
            error: self.0.public_message(),
        };
        (self.0.status(), Json(body)).into_response()
    }
}
