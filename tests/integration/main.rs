//! The one integration test binary: binaries run as binaries, real git repositories, real
//! databases, HTTP stub servers for GitHub, the LLM providers and Kestra, a real browser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod common;

mod agent;
mod context;
mod contract;
mod evaluate;
mod forge;
mod llm;
mod repo;
mod review;
mod store;
