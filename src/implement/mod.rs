//! Choosing and carrying out a task: the model's choice checked against the context (or the
//! offline rules), edits under the safety rules, checks, attempts, guardrails, the commit.

pub mod agent;
pub mod avoidance;
pub mod backoff;
pub mod baseline;
pub mod checks;
pub mod closest;
pub mod edits;
pub mod explore;
pub mod follow_up;
pub mod guardrails;
pub mod learned_refusal;
pub mod learned_selection;
pub mod offline;
pub mod offline_selection;
pub mod outcome;
pub mod paths;
pub mod selection;
pub mod task_outcome;
pub mod workspace;
