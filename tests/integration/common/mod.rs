//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod bin;
pub mod git;
pub mod github;
pub mod pr_run;
