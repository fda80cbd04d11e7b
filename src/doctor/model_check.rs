//! The model settings: which provider `AM_LLM` and the keys select (no call), and, only when
//! asked, one small call to see that it answers (this may cost money).

use schemars::JsonSchema;
use serde::Deserialize;

use super::report::{Check, Level, Section};
use crate::llm::{LlmClient, Prompt};
use crate::secrets::Secrets;

/// The reply the check asks for.
#[derive(Debug, Deserialize, JsonSchema)]
struct Pong {
    #[allow(dead_code)]
    ok: bool,
}

pub async fn check_model(secrets: &Secrets, call: bool) -> Check {
    let asked = std::env::var("AM_LLM")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let (level, status, hint) = match LlmClient::from_env(None, secrets) {
        Err(error) => (
            Level::Problem,
            format!("AM_LLM is not usable: {error}"),
            Some("use `offline`, `anthropic:<model>`, `openai:<model>` or `openai:<model>@<base-url>`".to_owned()),
        ),
        Ok(client) if client.is_offline() => match asked.as_deref().map(str::trim) {
            Some(spec) if spec != "offline" => (
                Level::Warning,
                format!("offline (AM_LLM names {spec}, but its API key is not set)"),
                Some("set ANTHROPIC_API_KEY or OPENAI_API_KEY, or runs use the offline provider".to_owned()),
            ),
            _ => (
                Level::Ok,
                "offline: no model, real fixes with the tools above".to_owned(),
                None,
            ),
        },
        Ok(client) if call => match client.structured::<Pong>(&ping()).await {
            Ok((_, usage)) => (
                Level::Ok,
                format!(
                    "{} answered ({} tokens)",
                    client.label(),
                    usage.input_tokens + usage.output_tokens
                ),
                None,
            ),
            Err(error) => (
                Level::Problem,
                format!("{} did not answer: {error}", client.label()),
                Some("check the key, the model name and the base URL".to_owned()),
            ),
        },
        Ok(client) => (
            Level::Ok,
            format!("{} (key set; not called)", client.label()),
            Some("`--check-model` makes one small call (it may cost money)".to_owned()),
        ),
    };
    Check {
        section: Section::Model,
        name: "model".to_owned(),
        level,
        status,
        used_for: "task selection, implementation and reflection with a model".to_owned(),
        hint,
    }
}

fn ping() -> Prompt {
    Prompt {
        system: "You answer health checks.".to_owned(),
        user: "Reply with {\"ok\": true}.".to_owned(),
    }
}
