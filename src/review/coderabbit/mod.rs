//! CodeRabbit's review, read through the GitHub API and parsed: review bodies, inline comments,
//! the walkthrough, and the notices that mean no review happened.

pub mod acknowledgement;
pub mod activity;
pub mod assess;
pub mod badge;
pub mod fetch;
pub mod inline;
pub mod markup;
pub mod notice;
pub mod review_body;
pub mod walkthrough;

pub use activity::Activity;
pub use assess::{assess, Assessment};
