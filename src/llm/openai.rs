//! OpenAI's Chat Completions API, and every server that speaks it (Ollama, vLLM, llama.cpp's
//! server, LM Studio): the reply schema goes in `response_format` as a `json_schema`.

use serde_json::{json, Value};

use super::exchange::{RawReply, ReplyBody, Request, Role};
use super::spec::OPENAI_BASE_URL;
use super::transport::{send_json, RetryPolicy};
use super::LlmError;
use crate::secrets::Redactor;
use crate::secrets::Secret;

#[derive(Debug, Clone)]
pub struct OpenAi {
    pub model: String,
    pub base_url: String,
    /// Local servers need none.
    pub key: Option<Secret>,
}

impl OpenAi {
    pub async fn complete(
        &self,
        http: &reqwest::Client,
        policy: &RetryPolicy,
        redactor: &Redactor,
        request: &Request,
    ) -> Result<RawReply, LlmError> {
        let body = self.body(request);
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

    fn body(&self, request: &Request) -> Value {
        let mut messages = vec![json!({"role": "system", "content": request.system})];
        messages.extend(request.turns.iter().map(|turn| {
            json!({
                "role": match turn.role { Role::User => "user", Role::Assistant => "assistant" },
                "content": turn.text,
            })
        }));
        // OpenAI's newer models refuse `max_tokens`; compatible servers know only `max_tokens`.
        let limit_field = if self.base_url == OPENAI_BASE_URL {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        json!({
            "model": self.model,
            limit_field: request.max_tokens,
            "messages": messages,
            // Not `strict`: strict mode rejects optional fields and `oneOf`, which our types use;
            // the reply is validated here instead.
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "schema": request.schema,
                    "strict": false,
                }
            },
        })
    }
}

fn parse(response: &Value) -> Result<RawReply, LlmError> {
    let choice = &response["choices"][0];
    let message = &choice["message"];
    let content = message["content"]
        .as_str()
        .ok_or_else(|| LlmError::Protocol {
            provider: "openai".to_owned(),
            reason: match message["refusal"].as_str() {
                Some(refusal) => format!("the model refused: {refusal}"),
                None => "the response has no `choices[0].message.content`".to_owned(),
            },
        })?;
    Ok(RawReply {
        body: ReplyBody::Text(content.to_owned()),
        truncated: choice["finish_reason"] == "length",
        input_tokens: response["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
        output_tokens: response["usage"]["completion_tokens"].as_u64().unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Request {
        Request {
            system: "s".into(),
            turns: vec![super::super::exchange::Turn {
                role: Role::User,
                text: "u".into(),
            }],
            schema: json!({"type": "object"}),
            schema_name: "reply".into(),
            max_tokens: 100,
        }
    }

    #[test]
    fn token_limit_field_suits_the_server() {
        let official = OpenAi {
            model: "gpt-4.1".into(),
            base_url: OPENAI_BASE_URL.into(),
            key: None,
        };
        let body = official.body(&request());
        assert_eq!(body["max_completion_tokens"], 100);
        assert!(body.get("max_tokens").is_none());
        let local = OpenAi {
            base_url: "http://localhost:11434/v1".into(),
            ..official
        };
        let body = local.body(&request());
        assert_eq!(body["max_tokens"], 100);
        assert_eq!(
            body["messages"][0],
            json!({"role": "system", "content": "s"})
        );
        assert_eq!(body["response_format"]["json_schema"]["name"], "reply");
    }

    #[test]
    fn reads_content_finish_reason_and_usage() {
        let response = json!({
            "choices": [{"message": {"role": "assistant", "content": "{\"a\":1}"}, "finish_reason": "length"}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 3}
        });
        let reply = parse(&response).unwrap();
        assert_eq!(reply.body, ReplyBody::Text("{\"a\":1}".into()));
        assert!(reply.truncated);
        assert_eq!((reply.input_tokens, reply.output_tokens), (7, 3));
        let refused = json!({"choices": [{"message": {"content": null, "refusal": "no"}}]});
        assert!(parse(&refused)
            .unwrap_err()
            .to_string()
            .contains("refused: no"));
    }
}
