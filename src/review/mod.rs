//! Code review: CodeRabbit's review read through the GitHub API, or a local review of the diff.

pub mod coderabbit;
pub mod counts;
pub mod local;
pub mod pattern;
