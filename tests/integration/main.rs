//! The one integration test binary: binaries run as binaries, real git repositories, real
//! databases, HTTP stub servers for GitHub, the LLM providers and Kestra, a real browser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod agent;
mod boundaries;
mod common;
mod context;
mod contract;
mod conventions;
mod dashboard;
mod evaluate;
mod fleet_budget;
mod flows;
mod followup;
mod forge;
mod kestra;
mod learn;
mod leases;
mod lifecycle;
mod llm;
mod mcp;
mod newcomer;
mod notify;
mod repo;
mod review;
mod run;
mod runner;
mod store;
