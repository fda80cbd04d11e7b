//! A tool-using conversation, independent of its wire format: the tools offered, the messages
//! so far (text, the model's tool calls, the results sent back), and one assistant turn.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A tool the model may call: its name, what it does, and its arguments' JSON Schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub parameters: Value,
}

/// One call the model asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id for the call, echoed with its result.
    pub id: String,
    pub name: String,
    /// The arguments as the model gave them; a string when they were not valid JSON.
    pub arguments: Value,
}

/// What a tool answered, sent back to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolResult {
    pub call_id: String,
    pub content: String,
    /// The call was refused or failed.
    pub is_error: bool,
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    User(String),
    Assistant {
        text: String,
        calls: Vec<ToolCall>,
    },
    /// The results of the previous assistant message's calls, in order.
    Results(Vec<ToolResult>),
}

/// What is sent for one turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub system: String,
    pub tools: Vec<ToolSpec>,
    pub messages: Vec<Message>,
    pub max_tokens: u32,
}

impl Conversation {
    /// Everything the prompt carries as text, for the token estimate before a call.
    pub fn prompt_text(&self) -> String {
        let mut text = self.system.clone();
        for tool in &self.tools {
            text.push_str(&tool.name);
            text.push_str(&tool.description);
            text.push_str(&tool.parameters.to_string());
        }
        for message in &self.messages {
            match message {
                Message::User(t) => text.push_str(t),
                Message::Assistant { text: t, calls } => {
                    text.push_str(t);
                    for call in calls {
                        text.push_str(&call.name);
                        text.push_str(&call.arguments.to_string());
                    }
                }
                Message::Results(results) => {
                    for result in results {
                        text.push_str(&result.content);
                    }
                }
            }
        }
        text
    }
}

/// The model's answer to one turn.
#[derive(Debug, Clone, PartialEq)]
pub struct AssistantTurn {
    pub text: String,
    pub calls: Vec<ToolCall>,
    /// The model stopped at the token limit.
    pub truncated: bool,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// Arguments as the wire carries them in OpenAI's format (a JSON string), read back: the value,
/// or the raw text as a string when it is not JSON.
pub fn arguments_from_text(raw: &str) -> Value {
    if raw.trim().is_empty() {
        return Value::Object(serde_json::Map::new());
    }
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_that_are_not_json_stay_as_text() {
        assert_eq!(
            arguments_from_text(r#"{"path":"a"}"#),
            serde_json::json!({"path": "a"})
        );
        assert_eq!(arguments_from_text(""), serde_json::json!({}));
        assert_eq!(
            arguments_from_text("{broken"),
            Value::String("{broken".into())
        );
    }
}
