//! AutoMaintainer: improves a repository by one reviewed, scored pull request a day, and learns
//! from how each one was received.
//!
//! Each phase of the daily run is a module under [`phases`] and a thin binary under `tasks/`;
//! they share the [`contract`] (JSON in, Kestra protocol lines out, exit codes) and hand each
//! other the [`artifacts`] through the run directory. The [`store`] is the memory; the ports
//! ([`llm`], [`forge`], [`review`]) have real and local adapters.

pub mod analysis;
pub mod artifacts;
pub mod cli;
pub mod context;
pub mod contract;
pub mod dashboard;
pub mod doctor;
pub mod error;
pub mod evaluate;
pub mod followup;
pub mod forge;
pub mod github;
pub mod implement;
pub mod learn;
pub(crate) mod lint;
pub mod llm;
pub mod mcp;
pub mod notify;
pub mod orchestration;
pub mod phases;
pub mod repo;
pub mod repo_config;
pub mod review;
pub mod runner;
pub mod schemas;
pub mod secrets;
pub mod show;
pub mod store;

pub use error::{Error, Result};
