//! Carrying out a task by a tool-using conversation: the model explores the clone (lists,
//! reads, searches, the repo map, the findings), edits under the path rules, runs the
//! configured checks and finishes with the commit message, within caps on steps, tokens and
//! dollars; the conversation is kept, redacted, as `transcript.jsonl`.

pub mod caps;
pub mod compact;
pub mod reading;
pub mod session;
pub mod tools;
pub mod transcript;
