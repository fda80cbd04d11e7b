//! A tool-using turn over the Chat Completions API (function calling, which OpenAI, llama.cpp's
//! server, vLLM, Ollama and LM Studio serve): `tools` as functions, the reply's `tool_calls`
//! read back (arguments arrive as a JSON string), results sent as `tool` messages.

use serde_json::{json, Value};

use super::conversation::{arguments_from_text, AssistantTurn, Conversation, Message, ToolCall};
use super::openai::OpenAi;
use super::spec::OPENAI_BASE_URL;
use super::transport::{send_json, RetryPolicy};
use super::LlmError;
use crate::secrets::Redactor;

impl OpenAi {
    pub async fn converse(
        &self,
        http: &reqwest::Client,
        policy: &RetryPolicy,
        redactor: &Redactor,
        conversation: &Conversation,
    ) -> Result<AssistantTurn, LlmError> {
        let body = body(&self.model, &self.base_url, conversation);
        let url = format!("{}/chat/completions", self.base_url);
        let response = send_json(
            || {
                let builder = http.post(&url).json(&body);
                match &self.key {
                    Some(key) => builder.bearer_auth(key.expose()),
                    None => builder,
                }
            },
            "openai",
            policy,
            redactor,
        )
        .await?;
        parse(&response)
    }
}

fn body(model: &str, base_url: &str, conversation: &Conversation) -> Value {
    let mut messages = vec![json!({"role": "system", "content": conversation.system})];
    for message in &conversation.messages {
        match message {
            Message::User(text) => messages.push(json!({"role": "user", "content": text})),
            Message::Assistant { text, calls } => {
                let mut m = json!({"role": "assistant", "content": text});
                if !calls.is_empty() {
                    m["tool_calls"] = calls
                        .iter()
                        .map(|call| {
                            let arguments = match &call.arguments {
                                Value::String(raw) => raw.clone(),
                                other => other.to_string(),
                            };
                            json!({"id": call.id, "type": "function",
                                   "function": {"name": call.name, "arguments": arguments}})
                        })
                        .collect();
                }
                messages.push(m);
            }
            Message::Results(results) => {
                messages.extend(results.iter().map(
                    |r| json!({"role": "tool", "tool_call_id": r.call_id, "content": r.content}),
                ));
            }
        }
    }
    let tools: Vec<Value> = conversation
        .tools
        .iter()
        .map(|t| {
            json!({"type": "function", "function":
                   {"name": t.name, "description": t.description, "parameters": t.parameters}})
        })
        .collect();
    let limit_field = if base_url == OPENAI_BASE_URL {
        "max_completion_tokens"
    } else {
        "max_tokens"
    };
    json!({
        "model": model,
        limit_field: conversation.max_tokens,
        "messages": messages,
        "tools": tools,
        "tool_choice": "auto",
    })
}

fn parse(response: &Value) -> Result<AssistantTurn, LlmError> {
    let choice = &response["choices"][0];
    let message = &choice["message"];
    if !message.is_object() {
        return Err(LlmError::Protocol {
            provider: "openai".to_owned(),
            reason: "the response has no `choices[0].message`".to_owned(),
        });
    }
    let calls = message["tool_calls"]
        .as_array()
        .map(|calls| {
            calls
                .iter()
                .enumerate()
                .map(|(i, call)| ToolCall {
                    // Some local servers leave the id out; the result must still name one.
                    id: call["id"]
                        .as_str()
                        .filter(|id| !id.is_empty())
                        .map_or_else(|| format!("call_{i}"), str::to_owned),
                    name: call["function"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    arguments: match &call["function"]["arguments"] {
                        Value::String(raw) => arguments_from_text(raw),
                        Value::Null => json!({}),
                        other => other.clone(),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(AssistantTurn {
        text: message["content"].as_str().unwrap_or_default().to_owned(),
        calls,
        truncated: choice["finish_reason"] == "length",
        input_tokens: response["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
        output_tokens: response["usage"]["completion_tokens"].as_u64().unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::super::conversation::ToolResult;
    use super::*;

    #[test]
    fn function_calls_round_trip_through_the_wire_format() {
        let response = json!({
            "choices": [{"message": {"role": "assistant", "content": null, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "search", "arguments": "{\"pattern\":\"fn add\"}"}},
                {"type": "function", "function": {"name": "read_file", "arguments": "{not json"}}
            ]}, "finish_reason": "tool_calls"}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 3}
        });
        let turn = parse(&response).unwrap();
        assert_eq!(turn.calls[0].arguments, json!({"pattern": "fn add"}));
        assert_eq!(turn.calls[1].id, "call_1");
        assert_eq!(turn.calls[1].arguments, json!("{not json"));
        let conversation = Conversation {
            system: "s".into(),
            tools: Vec::new(),
            messages: vec![
                Message::Assistant {
                    text: String::new(),
                    calls: turn.calls,
                },
                Message::Results(vec![ToolResult {
                    call_id: "c1".into(),
                    content: "r".into(),
                    is_error: false,
                }]),
            ],
            max_tokens: 50,
        };
        let body = body("m", "http://localhost:8080/v1", &conversation);
        assert_eq!(body["max_tokens"], 50);
        let calls = &body["messages"][1]["tool_calls"];
        assert_eq!(
            calls[0]["function"]["arguments"],
            "{\"pattern\":\"fn add\"}"
        );
        assert_eq!(calls[1]["function"]["arguments"], "{not json");
        assert_eq!(body["messages"][2]["role"], "tool");
        assert_eq!(body["messages"][2]["tool_call_id"], "c1");
    }
}
