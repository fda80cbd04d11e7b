//! The one integration test binary: binaries run as binaries, real git repositories, real
//! databases, HTTP stub servers for GitHub, the LLM providers and Kestra, a real browser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod common;

mod context;
mod agent;
mod contract;
mod kestra;
mod store;
mod llm;
mod evaluate;
mod repo;
mod forge;
mod review;
