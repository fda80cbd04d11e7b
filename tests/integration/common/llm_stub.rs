//! Local stand-ins for the model APIs: wiremock servers speaking the OpenAI Chat Completions and
//! Anthropic Messages wire formats, and clients of the real LLM layer pointed at them.

use std::time::Duration;

use automaintainer::llm::{LlmClient, ProviderSpec, RetryPolicy};
use automaintainer::secrets::Secrets;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const ANTHROPIC_KEY: &str = "sk-ant-stub-key-1234567890abcdef";
pub const OPENAI_KEY: &str = "sk-stub-openai-key-1234567890abcdef";

/// An OpenAI-format completion whose message content is `content`.
pub fn openai_reply(content: &str) -> ResponseTemplate {
    openai_reply_with(content, "stop")
}

pub fn openai_reply_with(content: &str, finish_reason: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": finish_reason
        }],
        "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
    }))
}

/// An Anthropic-format message whose forced tool call carries `input`.
pub fn anthropic_reply(input: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "msg_stub",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "reply", "input": input}],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 200, "output_tokens": 50}
    }))
}

/// Mounts `responses` for the OpenAI endpoint, served in order, each once.
pub async fn mount_openai(server: &MockServer, responses: Vec<ResponseTemplate>) {
    mount(server, "/v1/chat/completions", responses).await;
}

pub async fn mount_anthropic(server: &MockServer, responses: Vec<ResponseTemplate>) {
    mount(server, "/v1/messages", responses).await;
}

async fn mount(server: &MockServer, endpoint: &str, responses: Vec<ResponseTemplate>) {
    let count = responses.len();
    for (i, response) in responses.into_iter().enumerate() {
        let mock = Mock::given(method("POST"))
            .and(path(endpoint))
            .respond_with(response);
        // The last response answers every further request; the earlier ones once each, in order.
        let mock = if i + 1 < count {
            mock.up_to_n_times(1)
        } else {
            mock
        };
        server
            .register(mock.with_priority(u8::try_from(i + 1).unwrap_or(u8::MAX)))
            .await;
    }
}

/// Fast retries, so tests of the retry logic do not wait on production backoffs.
pub fn quick_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
        timeout: Duration::from_secs(10),
    }
}

pub fn secrets() -> Secrets {
    Secrets::from_lookup(|name| match name {
        "ANTHROPIC_API_KEY" => Some(ANTHROPIC_KEY.to_owned()),
        "OPENAI_API_KEY" => Some(OPENAI_KEY.to_owned()),
        _ => None,
    })
}

/// `openai:<model>@<stub>/v1`, the way a user points at a compatible server.
pub fn openai_spec(server: &MockServer) -> String {
    format!("openai:stub-model@{}/v1", server.uri())
}

pub fn openai_client(server: &MockServer) -> LlmClient {
    let spec = ProviderSpec::parse(&openai_spec(server)).unwrap();
    LlmClient::new(spec, &secrets(), None)
        .unwrap()
        .with_retry_policy(quick_policy())
}

pub fn anthropic_client(server: &MockServer) -> LlmClient {
    let spec = ProviderSpec::Anthropic {
        model: "claude-sonnet-4-5".to_owned(),
    };
    LlmClient::new(spec, &secrets(), Some(server.uri()))
        .unwrap()
        .with_retry_policy(quick_policy())
}

/// The JSON bodies of the requests the stub received, in order.
pub async fn request_bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

static CALL_IDS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

fn call_id() -> String {
    format!(
        "call_{}",
        CALL_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// An OpenAI-format completion asking for the tool calls `calls` (name, arguments), with
/// `prompt_tokens` of input counted.
pub fn openai_tool_calls_with(
    text: &str,
    calls: &[(&str, Value)],
    prompt_tokens: u64,
) -> ResponseTemplate {
    let tool_calls: Vec<Value> = calls
        .iter()
        .map(|(name, arguments)| {
            json!({"id": call_id(), "type": "function",
                   "function": {"name": name, "arguments": arguments.to_string()}})
        })
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": if text.is_empty() { Value::Null } else { json!(text) },
                        "tool_calls": tool_calls},
            "finish_reason": "tool_calls"
        }],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 30,
                  "total_tokens": prompt_tokens + 30}
    }))
}

pub fn openai_tool_calls(calls: &[(&str, Value)]) -> ResponseTemplate {
    openai_tool_calls_with("", calls, 120)
}

/// An Anthropic-format message with `tool_use` blocks for `calls` (name, input).
pub fn anthropic_tool_uses(text: &str, calls: &[(&str, Value)]) -> ResponseTemplate {
    let mut content = Vec::new();
    if !text.is_empty() {
        content.push(json!({"type": "text", "text": text}));
    }
    content.extend(calls.iter().map(|(name, input)| {
        json!({"type": "tool_use", "id": format!("toolu_{}", call_id()), "name": name, "input": input})
    }));
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "msg_stub",
        "type": "message",
        "role": "assistant",
        "content": content,
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 200, "output_tokens": 50}
    }))
}
