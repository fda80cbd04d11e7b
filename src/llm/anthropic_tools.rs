//! A tool-using turn over Anthropic's Messages API: `tools` offered with automatic choice, the
//! model's `tool_use` blocks read back, and results sent as `tool_result` blocks.

use serde_json::{json, Value};

use super::anthropic::{Anthropic, API_VERSION};
use super::conversation::{AssistantTurn, Conversation, Message, ToolCall};
use super::transport::{send_json, RetryPolicy};
use super::LlmError;
use crate::secrets::Redactor;

impl Anthropic {
    pub async fn converse(
        &self,
        http: &reqwest::Client,
        policy: &RetryPolicy,
        redactor: &Redactor,
        conversation: &Conversation,
    ) -> Result<AssistantTurn, LlmError> {
        let body = body(&self.model, conversation);
        let url = format!("{}/v1/messages", self.base_url);
        let response = send_json(
            || {
                http.post(&url)
                    .header("x-api-key", self.key.expose())
                    .header("anthropic-version", API_VERSION)
                    .json(&body)
            },
            "anthropic",
            policy,
            redactor,
        )
        .await?;
        parse(&response)
    }
}

fn body(model: &str, conversation: &Conversation) -> Value {
    let messages: Vec<Value> = conversation
        .messages
        .iter()
        .map(|message| match message {
            Message::User(text) => json!({"role": "user", "content": text}),
            Message::Assistant { text, calls } => {
                let mut content = Vec::new();
                if !text.is_empty() {
                    content.push(json!({"type": "text", "text": text}));
                }
                for call in calls {
                    let input = if call.arguments.is_object() {
                        call.arguments.clone()
                    } else {
                        json!({})
                    };
                    content.push(
                        json!({"type": "tool_use", "id": call.id, "name": call.name, "input": input}),
                    );
                }
                // The API refuses an empty assistant message; a model that said nothing said so.
                if content.is_empty() {
                    content.push(json!({"type": "text", "text": "(no reply)"}));
                }
                json!({"role": "assistant", "content": content})
            }
            Message::Results(results) => {
                let content: Vec<Value> = results
                    .iter()
                    .map(|r| {
                        json!({"type": "tool_result", "tool_use_id": r.call_id,
                               "content": r.content, "is_error": r.is_error})
                    })
                    .collect();
                json!({"role": "user", "content": content})
            }
        })
        .collect();
    let tools: Vec<Value> = conversation
        .tools
        .iter()
        .map(
            |t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}),
        )
        .collect();
    json!({
        "model": model,
        "max_tokens": conversation.max_tokens,
        "system": conversation.system,
        "messages": messages,
        "tools": tools,
        "tool_choice": {"type": "auto"},
    })
}

fn parse(response: &Value) -> Result<AssistantTurn, LlmError> {
    let content = response["content"]
        .as_array()
        .ok_or_else(|| LlmError::Protocol {
            provider: "anthropic".to_owned(),
            reason: "the response has no `content` array".to_owned(),
        })?;
    let text = content
        .iter()
        .filter(|block| block["type"] == "text")
        .filter_map(|block| block["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let calls = content
        .iter()
        .filter(|block| block["type"] == "tool_use")
        .map(|block| ToolCall {
            id: block["id"].as_str().unwrap_or_default().to_owned(),
            name: block["name"].as_str().unwrap_or_default().to_owned(),
            arguments: block["input"].clone(),
        })
        .collect();
    Ok(AssistantTurn {
        text,
        calls,
        truncated: response["stop_reason"] == "max_tokens",
        input_tokens: response["usage"]["input_tokens"].as_u64().unwrap_or(0),
        output_tokens: response["usage"]["output_tokens"].as_u64().unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::super::conversation::{ToolResult, ToolSpec};
    use super::*;

    #[test]
    fn tool_use_round_trips_through_the_wire_format() {
        let response = json!({
            "content": [{"type": "text", "text": "Let me look."},
                        {"type": "tool_use", "id": "toolu_1", "name": "read_file", "input": {"path": "a"}}],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 10, "output_tokens": 5}
        });
        let turn = parse(&response).unwrap();
        assert_eq!(turn.text, "Let me look.");
        assert_eq!(turn.calls[0].name, "read_file");
        assert_eq!((turn.input_tokens, turn.output_tokens), (10, 5));
        let conversation = Conversation {
            system: "s".into(),
            tools: vec![ToolSpec {
                name: "read_file".into(),
                description: "d".into(),
                parameters: json!({"type": "object"}),
            }],
            messages: vec![
                Message::User("u".into()),
                Message::Assistant {
                    text: turn.text,
                    calls: turn.calls,
                },
                Message::Results(vec![ToolResult {
                    call_id: "toolu_1".into(),
                    content: "text".into(),
                    is_error: false,
                }]),
            ],
            max_tokens: 100,
        };
        let body = body("m", &conversation);
        assert_eq!(body["tools"][0]["input_schema"], json!({"type": "object"}));
        assert_eq!(body["messages"][1]["content"][1]["id"], "toolu_1");
        assert_eq!(body["messages"][2]["content"][0]["type"], "tool_result");
        assert_eq!(body["messages"][2]["content"][0]["tool_use_id"], "toolu_1");
    }
}
