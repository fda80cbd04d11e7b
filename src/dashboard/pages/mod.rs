//! The HTML pages, one file per page, and the run view they share.

mod analytics;
mod overview;
mod phases;
mod repositories;
mod repository;
mod run;
mod run_change;
mod run_errors;
mod run_rounds;
mod run_transcript;
mod run_view;
pub(crate) mod spend;
mod timeline;

pub use analytics::analytics;
pub use overview::overview;
pub use repositories::repositories;
pub use repository::repository;
pub use run::run;
pub use spend::spend;
pub use timeline::timeline;
