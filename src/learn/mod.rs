//! The learning loop: extracting learnings, merging near-duplicates, reinforcement by PR outcomes.

pub mod age;
pub mod extract;
pub mod forge_state;
pub mod model;
pub mod outcome;
pub mod reflect;
pub mod remember;
pub mod retrieve;
pub mod similarity;
