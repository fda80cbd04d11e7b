//! The run page's view of the model's conversation: each entry (prompt, the model's text and
//! tool calls, each tool's result) as escaped text in a collapsed section.

use serde::Serialize;
use serde_json::Value;

use crate::store::RunTranscript;

/// Characters of one entry's text shown (the stored transcript holds the rest).
const MAX_SHOWN_CHARS: usize = 20_000;

#[derive(Debug, Serialize)]
pub(super) struct TranscriptView {
    pub steps: u64,
    pub tool_calls: usize,
    /// How it ended (`committed`, `stopped`, `fallback`), and why.
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub entries: Vec<EntryView>,
    pub truncated: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct EntryView {
    /// `system`, `user`, `assistant`, `tool_result`, `end`.
    pub kind: String,
    pub step: Option<u64>,
    pub text: String,
    /// For a tool result: the tool, and whether it was refused or failed.
    pub tool: Option<String>,
    pub is_error: bool,
    pub calls: Vec<CallView>,
}

#[derive(Debug, Serialize)]
pub(super) struct CallView {
    pub name: String,
    pub arguments: String,
}

pub(super) fn transcript_view(transcript: &RunTranscript) -> TranscriptView {
    let entries: Vec<EntryView> = transcript.entries().iter().map(entry_view).collect();
    let end = entries.iter().rev().find(|e| e.kind == "end");
    TranscriptView {
        steps: entries.iter().filter_map(|e| e.step).max().unwrap_or(0),
        tool_calls: entries.iter().map(|e| e.calls.len()).sum(),
        outcome: end.and_then(|e| e.tool.clone()),
        reason: end.map(|e| e.text.clone()),
        truncated: transcript.truncated,
        entries,
    }
}

fn entry_view(entry: &Value) -> EntryView {
    let kind = entry["kind"].as_str().unwrap_or("entry").to_owned();
    let text_field = if kind == "tool_result" {
        "content"
    } else if kind == "end" {
        "reason"
    } else {
        "text"
    };
    let calls = entry["tool_calls"]
        .as_array()
        .map(|calls| {
            calls
                .iter()
                .map(|c| CallView {
                    name: c["name"].as_str().unwrap_or_default().to_owned(),
                    arguments: shown(
                        &serde_json::to_string_pretty(&c["arguments"]).unwrap_or_default(),
                    ),
                })
                .collect()
        })
        .unwrap_or_default();
    EntryView {
        step: entry["step"].as_u64(),
        text: shown(entry[text_field].as_str().unwrap_or_default()),
        tool: entry["tool"]
            .as_str()
            .or_else(|| entry["outcome"].as_str())
            .map(str::to_owned),
        is_error: entry["is_error"].as_bool().unwrap_or(false),
        calls,
        kind,
    }
}

fn shown(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((end, _)) => format!("{}\n[... cut here on the page]", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_up_steps_calls_and_the_end() {
        let text = [
            r#"{"kind":"system","text":"s"}"#,
            r#"{"kind":"assistant","step":1,"text":"","tool_calls":[{"id":"a","name":"read_file","arguments":{"path":"x"}}]}"#,
            r#"{"kind":"tool_result","step":1,"tool":"read_file","content":"<b>","is_error":false}"#,
            r#"{"kind":"end","outcome":"committed","reason":"abc123"}"#,
        ]
        .join("\n");
        let view = transcript_view(&RunTranscript::capped(text));
        assert_eq!((view.steps, view.tool_calls), (1, 1));
        assert_eq!(view.outcome.as_deref(), Some("committed"));
        assert_eq!(view.entries[1].calls[0].name, "read_file");
        assert_eq!(view.entries[2].text, "<b>");
    }
}
