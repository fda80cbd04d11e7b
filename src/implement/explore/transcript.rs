//! The conversation as `transcript.jsonl` in the run directory: one JSON object a line (the
//! system and user prompts, each assistant turn with its tool calls, each tool result, how it
//! ended), every line redacted before it is written, appended as it happens so a conversation
//! cut short still leaves what it said.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::llm::conversation::{AssistantTurn, ToolCall, ToolResult};
use crate::secrets::Redactor;

/// The transcript's file name in the run directory.
pub const FILE_NAME: &str = "transcript.jsonl";

#[derive(Debug)]
pub struct Transcript {
    path: Option<PathBuf>,
    redactor: Redactor,
}

impl Transcript {
    /// A transcript written to `path`, which is emptied first (a retried phase starts over).
    pub fn create(path: &Path, redactor: Redactor) -> Self {
        if let Err(e) = std::fs::write(path, "") {
            tracing::warn!("could not start the transcript {}: {e}", path.display());
        }
        Self {
            path: Some(path.to_path_buf()),
            redactor,
        }
    }

    /// A transcript kept nowhere.
    pub fn discard() -> Self {
        Self {
            path: None,
            redactor: Redactor::default(),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn prompt(&self, system: &str, user: &str) {
        self.write(&json!({"kind": "system", "text": system}));
        self.write(&json!({"kind": "user", "text": user}));
    }

    pub fn user(&self, step: u32, text: &str) {
        self.write(&json!({"kind": "user", "step": step, "text": text}));
    }

    pub fn assistant(&self, step: u32, turn: &AssistantTurn) {
        self.write(&json!({
            "kind": "assistant",
            "step": step,
            "text": turn.text,
            "tool_calls": turn.calls.iter().map(call_json).collect::<Vec<_>>(),
            "input_tokens": turn.input_tokens,
            "output_tokens": turn.output_tokens,
        }));
    }

    pub fn result(&self, step: u32, call: &ToolCall, result: &ToolResult) {
        self.write(&json!({
            "kind": "tool_result",
            "step": step,
            "call_id": result.call_id,
            "tool": call.name,
            "is_error": result.is_error,
            "content": result.content,
        }));
    }

    /// How the conversation ended: `committed`, `stopped` or `fallback`, and why.
    pub fn end(&self, outcome: &str, reason: &str) {
        self.write(&json!({"kind": "end", "outcome": outcome, "reason": reason}));
    }

    fn write(&self, entry: &Value) {
        let Some(path) = &self.path else {
            return;
        };
        let line = self.redactor.redact_json(entry).to_string();
        let written = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .and_then(|mut file| writeln!(file, "{line}"));
        if let Err(e) = written {
            tracing::warn!("could not write the transcript {}: {e}", path.display());
        }
    }
}

fn call_json(call: &ToolCall) -> Value {
    json!({"id": call.id, "name": call.name, "arguments": call.arguments})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_json_and_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "stale\n").unwrap();
        let t = Transcript::create(&path, Redactor::new(vec!["hunter2-value".to_owned()]));
        t.prompt("system", "user says hunter2-value");
        let call = ToolCall {
            id: "c1".into(),
            name: "read_file".into(),
            arguments: json!({"path": "hunter2-value"}),
        };
        t.assistant(
            1,
            &AssistantTurn {
                text: String::new(),
                calls: vec![call.clone()],
                truncated: false,
                input_tokens: 1,
                output_tokens: 1,
            },
        );
        t.result(
            1,
            &call,
            &ToolResult {
                call_id: "c1".into(),
                content: "token ghp_abcdefghijklmnopqrstuvwxyz0123456789".into(),
                is_error: false,
            },
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("stale") && !text.contains("hunter2-value"),
            "{text}"
        );
        assert!(
            !text.contains("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "{text}"
        );
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[2]["tool_calls"][0]["name"], "read_file");
        assert_eq!(lines[3]["tool"], "read_file");
    }
}
