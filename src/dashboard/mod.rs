//! The web dashboard (axum, server-rendered): live stats, timeline, analytics, run detail, JSON
//! API. Every request reads the store through the [`Store`](crate::store::Store) trait; nothing
//! is cached, and nothing is written.

mod api;
mod app;
mod auth;
mod charts;
mod config;
mod diff_view;
mod error;
mod format;
mod highlight;
mod layout;
mod markdown;
mod pages;
mod params;
mod templates;

pub use api::{ApiData, ApiRepositories, RepositoryPage, RunFilter, RunPage};
pub use app::{app, AppState};
pub use config::DashboardConfig;
pub use error::PageError;
