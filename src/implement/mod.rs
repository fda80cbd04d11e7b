//! Carrying out a task: edits under the safety rules, checks, attempts, guardrails, the commit.
