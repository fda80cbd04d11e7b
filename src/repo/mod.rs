//! The target repository on disk: cloning through a mirror cache, branches, commits, pushes (git2).

pub mod push;
