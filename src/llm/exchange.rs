//! One exchange with a provider, independent of its wire format: what is asked and what came
//! back.

use serde_json::Value;

/// Who says a turn of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub role: Role,
    pub text: String,
}

/// A request for one structured reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub system: String,
    pub turns: Vec<Turn>,
    /// The JSON Schema of the reply type.
    pub schema: Value,
    /// A short name for the schema (tool name, response-format name).
    pub schema_name: String,
    pub max_tokens: u32,
}

/// What the model answered, before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct RawReply {
    /// Already JSON (a tool call's input), or text that should hold JSON.
    pub body: ReplyBody,
    /// The model stopped at the token limit.
    pub truncated: bool,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReplyBody {
    Json(Value),
    Text(String),
}

impl ReplyBody {
    /// The reply as text, for the repair turn and the debugging artifact.
    pub fn as_text(&self) -> String {
        match self {
            Self::Json(value) => serde_json::to_string_pretty(value).unwrap_or_default(),
            Self::Text(text) => text.clone(),
        }
    }
}
