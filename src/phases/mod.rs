//! The ten phases of a run, one module each: input and output types and the [`Task`] impl that
//! its binary under `tasks/` runs.
//!
//! [`Task`]: crate::contract::Task

pub mod cleanup;
pub mod context;
pub mod evaluate;
mod follow_up_round;
pub mod implement;
mod lease;
pub mod llm_input;
pub mod open_pr;
pub mod persist;
pub mod progress;
pub mod reflect;
pub mod review;
pub mod run_dir;
pub mod select;
pub mod setup;
mod stop_guard;
mod task_backoff;
