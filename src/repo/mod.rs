//! The target repository on disk: cloning through a mirror cache, branches, commits, pushes (git2).

pub mod branch;
pub mod cache;
pub mod change;
pub mod checks;
pub mod clone;
pub mod commit;
pub mod credentials;
pub mod diff;
mod error;
mod git_cli;
pub mod history;
pub mod identity;
pub mod lease;
pub(crate) mod libgit2;
pub mod local_clone;
pub mod location;
pub mod merged;
pub mod mirror;
pub mod mirror_lock;
pub mod patch;
pub mod push;
pub mod stored_identity;
#[cfg(test)]
pub(crate) mod test_git;
pub(crate) mod worktree_id;

pub use error::RepoError;
