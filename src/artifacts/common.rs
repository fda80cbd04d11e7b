//! Pieces several artifacts share: LLM usage and learnings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Tokens and cost of the model calls a phase made.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    pub calls: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
    /// `provider:model`, or `offline`.
    #[serde(default)]
    pub model: String,
}

impl Usage {
    pub fn add(&mut self, other: &Usage) {
        self.calls += other.calls;
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cost_usd += other.cost_usd;
        if self.model.is_empty() {
            self.model.clone_from(&other.model);
        }
    }
}

/// A lesson from earlier runs, as retrieved for a prompt.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Learning {
    pub id: i64,
    /// `mistake`, `success`, `preference`, ...
    pub kind: String,
    pub content: String,
    pub weight: f64,
    /// Relevance x weight x recency, as ranked for this context.
    #[serde(default)]
    pub score: f64,
    /// What the learning changes; None for a learning stored before effects existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<super::Effect>,
    /// Where it came from.
    #[serde(default)]
    pub evidence: Vec<super::Evidence>,
}
