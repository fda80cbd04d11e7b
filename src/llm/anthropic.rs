//! Anthropic's Messages API: the structured reply comes back as the input of a tool whose
//! `input_schema` is the reply type's schema, with `tool_choice` forcing that tool.

use serde_json::{json, Value};

use super::exchange::{RawReply, ReplyBody, Request, Role};
use super::transport::{send_json, RetryPolicy};
use super::LlmError;
use crate::secrets::Redactor;
use crate::secrets::Secret;

pub(super) const API_VERSION: &str = "2023-06-01";

#[derive(Debug, Clone)]
pub struct Anthropic {
    pub model: String,
    pub base_url: String,
    pub key: Secret,
}

impl Anthropic {
    pub async fn complete(
        &self,
        http: &reqwest::Client,
        policy: &RetryPolicy,
        redactor: &Redactor,
        request: &Request,
    ) -> Result<RawReply, LlmError> {
        let body = self.body(request);
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
        parse(&response, &request.schema_name)
    }

    fn body(&self, request: &Request) -> Value {
        let messages: Vec<Value> = request
            .turns
            .iter()
            .map(|turn| {
                json!({
                    "role": match turn.role { Role::User => "user", Role::Assistant => "assistant" },
                    "content": turn.text,
                })
            })
            .collect();
        json!({
            "model": self.model,
            "max_tokens": request.max_tokens,
            "system": request.system,
            "messages": messages,
            "tools": [{
                "name": request.schema_name,
                "description": "Give your answer by calling this tool; its input is the whole reply.",
                "input_schema": tool_schema(&request.schema),
            }],
            "tool_choice": { "type": "tool", "name": request.schema_name },
        })
    }
}

/// The tool's input schema: the reply schema without the `$schema` marker the API does not need.
fn tool_schema(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Some(object) = schema.as_object_mut() {
        object.remove("$schema");
    }
    schema
}

fn parse(response: &Value, tool: &str) -> Result<RawReply, LlmError> {
    let protocol = |reason: &str| LlmError::Protocol {
        provider: "anthropic".to_owned(),
        reason: reason.to_owned(),
    };
    let content = response["content"]
        .as_array()
        .ok_or_else(|| protocol("the response has no `content` array"))?;
    let tool_input = content
        .iter()
        .find(|block| block["type"] == "tool_use" && block["name"] == tool)
        .map(|block| block["input"].clone());
    // A model that ignores tool_choice answers in text; that text may still hold the JSON.
    let body = match tool_input {
        Some(input) => ReplyBody::Json(input),
        None => ReplyBody::Text(
            content
                .iter()
                .filter_map(|block| block["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    };
    Ok(RawReply {
        body,
        truncated: response["stop_reason"] == "max_tokens",
        input_tokens: response["usage"]["input_tokens"].as_u64().unwrap_or(0),
        output_tokens: response["usage"]["output_tokens"].as_u64().unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tool_input_and_the_stop_reason() {
        let response = json!({
            "content": [{"type": "text", "text": "Sure."},
                        {"type": "tool_use", "id": "t1", "name": "reply", "input": {"a": 1}}],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 10, "output_tokens": 5}
        });
        let reply = parse(&response, "reply").unwrap();
        assert_eq!(reply.body, ReplyBody::Json(json!({"a": 1})));
        assert!(!reply.truncated);
        assert_eq!((reply.input_tokens, reply.output_tokens), (10, 5));
        let cut =
            json!({"content": [{"type": "text", "text": "{\"a\":"}], "stop_reason": "max_tokens"});
        let reply = parse(&cut, "reply").unwrap();
        assert!(reply.truncated);
        assert_eq!(reply.body, ReplyBody::Text("{\"a\":".into()));
        assert!(parse(&json!({"error": "x"}), "reply").is_err());
    }
}
