//! The ten phases of a run, one module each: input and output types and the [`Task`] impl that
//! its binary under `tasks/` runs.
//!
//! [`Task`]: crate::contract::Task
pub mod persist;

pub mod evaluate;
pub mod cleanup;
pub mod context;
pub mod setup;
pub mod open_pr;
pub mod review;
pub mod implement;
pub mod select;
