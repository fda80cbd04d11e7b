//! Building context.json: the tree walk, findings, the ranked repo map, eligible issues, history.

pub mod repo_map;
pub mod source_kind;
pub mod tag_cache;
pub mod tokens;
pub mod walk;
