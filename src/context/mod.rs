//! Building context.json: the tree walk, findings, the ranked repo map, eligible issues, history.

pub mod build;
pub mod file_analysis;
pub mod findings;
pub mod generated;
pub mod issues;
pub mod parse;
pub mod repo_map;
pub mod source_kind;
pub mod summary;
pub mod tag_cache;
pub mod tokens;
pub mod walk;

pub use build::{build, Built, ContextRequest, IssueSource};
