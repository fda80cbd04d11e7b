//! Findings: places in the repository a task could improve, each with a location and whether a
//! tool can fix it automatically.

pub mod complexity;
pub mod lint;
pub mod markers;
pub mod untested;
