//! The ten phases of a run, one module each: input and output types and the [`Task`] impl that
//! its binary under `tasks/` runs.
//!
//! [`Task`]: crate::contract::Task

pub mod implement;
pub mod select;
