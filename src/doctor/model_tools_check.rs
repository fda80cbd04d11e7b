//! Whether the configured model server supports tools (function calling), which the
//! implementation's conversation needs: asked only with `--check-model`, by one small call
//! offering a `ping` tool. A server without them still works, through the single request.

use serde_json::json;

use super::report::{Check, Level, Section};
use crate::implement::explore::caps::Caps;
use crate::llm::conversation::{Conversation, Message, ToolSpec};
use crate::llm::LlmClient;
use crate::secrets::Secrets;

/// None unless a model is configured, the call was asked for and the conversation is enabled.
pub async fn check_model_tools(secrets: &Secrets, call: bool) -> Option<Check> {
    let client = LlmClient::from_env(None, secrets).ok()?;
    let caps = Caps::from_env().ok()?;
    if !call || client.is_offline() || !caps.enabled {
        return None;
    }
    let conversation = Conversation {
        system: "You answer health checks.".to_owned(),
        tools: vec![ToolSpec {
            name: "ping".to_owned(),
            description: "Answers the health check.".to_owned(),
            parameters: json!({"type": "object", "properties": {}}),
        }],
        messages: vec![Message::User("Call the `ping` tool.".to_owned())],
        max_tokens: 64,
    };
    let single = "the implementation uses the single request instead of exploring with tools";
    let (level, status, hint) = match client.converse(&conversation).await {
        Ok((turn, _)) if turn.calls.iter().any(|c| c.name == "ping") => (
            Level::Ok,
            format!("{} called a tool", client.label()),
            None,
        ),
        Ok(_) => (
            Level::Warning,
            format!("{} accepted tools but answered in text", client.label()),
            Some("a model that does not call tools stops at the step cap; set AM_LLM_AGENT=single to use the single request".to_owned()),
        ),
        Err(e) if e.is_tools_unsupported() => (
            Level::Warning,
            format!("{} does not support tools: {e}", client.label()),
            Some(format!("{single} (llama.cpp's server needs --jinja; vLLM --enable-auto-tool-choice)")),
        ),
        Err(e) => (
            Level::Warning,
            format!("could not ask {}: {e}", client.label()),
            None,
        ),
    };
    Some(Check {
        section: Section::Model,
        name: "model-tools".to_owned(),
        level,
        status,
        used_for: "the implementation's conversation: exploring, editing and checking with tools"
            .to_owned(),
        hint,
    })
}
