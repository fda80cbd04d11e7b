//! A run's model conversation as the store keeps it: `transcript.jsonl` (already redacted when
//! written; redacted again before it is stored), capped at [`MAX_TRANSCRIPT_BYTES`] at a line
//! end and deflate-compressed in the row, so the run page shows it after the run directory is
//! gone.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::change::cap;

/// The most transcript text kept per run, before compression.
pub const MAX_TRANSCRIPT_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RunTranscript {
    /// JSON lines, one entry each (`system`, `user`, `assistant` with its `tool_calls`,
    /// `tool_result`, `end`).
    pub text: String,
    /// The whole transcript's size in bytes, before the cap.
    pub bytes: u64,
    /// Whether `text` is shorter than the whole transcript.
    pub truncated: bool,
}

impl RunTranscript {
    pub fn capped(text: String) -> Self {
        let bytes = text.len() as u64;
        let (text, truncated) = cap(text, MAX_TRANSCRIPT_BYTES);
        Self {
            text,
            bytes,
            truncated,
        }
    }

    /// One line: model calls, tool calls, and how the conversation ended.
    pub fn summary(&self) -> String {
        let entries = self.entries();
        let turns = entries.iter().filter(|e| e["kind"] == "assistant").count();
        let calls: usize = entries
            .iter()
            .filter_map(|e| e["tool_calls"].as_array())
            .map(Vec::len)
            .sum();
        let end = entries
            .iter()
            .rev()
            .find(|e| e["kind"] == "end")
            .and_then(|e| e["outcome"].as_str())
            .unwrap_or("unfinished");
        format!("{turns} model call(s), {calls} tool call(s), {end}")
    }

    /// The entries that parse as JSON objects, in order.
    pub fn entries(&self) -> Vec<serde_json::Value> {
        self.text
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(serde_json::Value::is_object)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_transcript_is_cut_between_entries() {
        let line = format!("{{\"kind\":\"user\",\"text\":\"{}\"}}\n", "x".repeat(1000));
        let text = line.repeat(MAX_TRANSCRIPT_BYTES / line.len() + 5);
        let kept = RunTranscript::capped(text.clone());
        assert!(kept.truncated && kept.bytes == text.len() as u64);
        assert_eq!(kept.entries().len(), kept.text.lines().count());
        let small = RunTranscript::capped(
            "{\"kind\":\"assistant\",\"tool_calls\":[{},{}]}\nnot json\n".to_owned(),
        );
        assert_eq!(
            small.summary(),
            "1 model call(s), 2 tool call(s), unfinished"
        );
        assert!(!small.truncated);
        assert_eq!(small.entries().len(), 1);
    }
}
