//! The local review: static checks of the diff itself, for when CodeRabbit is absent.

pub mod clippy;
pub mod functions;
pub mod lines;
mod review;
pub mod tests_gap;

pub use review::{review, LocalOptions};
