//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod artifacts;
pub mod bin;
pub mod browser;
pub mod db;
pub mod git;
pub mod github;
pub mod llm_stub;
pub mod pr_run;
pub mod run_dir;
pub mod tools;
