//! The learning loop: extracting learnings, merging near-duplicates, reinforcement by PR outcomes.
