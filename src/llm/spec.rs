//! Which model to use, from a spec string: `offline`, `anthropic:<model>`, `openai:<model>`, or
//! `openai:<model>@<base-url>` for any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM
//! Studio).

use super::LlmError;

pub const DEFAULT_ANTHROPIC_MODEL: &str = "claude-sonnet-4-5";
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4.1-mini";
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
pub const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderSpec {
    Offline,
    Anthropic {
        model: String,
    },
    OpenAi {
        model: String,
        /// A compatible server's base URL (up to and including `/v1`); OpenAI's when absent.
        base_url: Option<String>,
    },
}

impl ProviderSpec {
    pub fn parse(spec: &str) -> Result<Self, LlmError> {
        let bad = |reason: &str| LlmError::Spec {
            spec: spec.to_owned(),
            reason: reason.to_owned(),
        };
        let spec_trimmed = spec.trim();
        if spec_trimmed == "offline" {
            return Ok(Self::Offline);
        }
        let (provider, rest) = spec_trimmed.split_once(':').ok_or_else(|| {
            bad("expected `offline`, `anthropic:<model>`, `openai:<model>` or `openai:<model>@<base-url>`")
        })?;
        match provider {
            "anthropic" => {
                if rest.is_empty() || rest.contains('@') {
                    return Err(bad("expected `anthropic:<model>` (the base URL comes from AM_ANTHROPIC_BASE_URL)"));
                }
                Ok(Self::Anthropic {
                    model: rest.to_owned(),
                })
            }
            "openai" => {
                let (model, base_url) = match rest.split_once('@') {
                    Some((model, url)) => {
                        let parsed = url::Url::parse(url)
                            .map_err(|_| bad("the part after `@` must be an http(s) base URL"))?;
                        if !matches!(parsed.scheme(), "http" | "https") {
                            return Err(bad("the part after `@` must be an http(s) base URL"));
                        }
                        (model, Some(url.trim_end_matches('/').to_owned()))
                    }
                    None => (rest, None),
                };
                if model.is_empty() {
                    return Err(bad("the model name is empty"));
                }
                Ok(Self::OpenAi {
                    model: model.to_owned(),
                    base_url,
                })
            }
            _ => Err(bad(
                "unknown provider; expected `offline`, `anthropic` or `openai`",
            )),
        }
    }

    /// `provider:model`, as usage records name it.
    pub fn label(&self) -> String {
        match self {
            Self::Offline => "offline".to_owned(),
            Self::Anthropic { model } => format!("anthropic:{model}"),
            Self::OpenAi { model, .. } => format!("openai:{model}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            ProviderSpec::parse("offline").unwrap(),
            ProviderSpec::Offline
        );
        assert_eq!(
            ProviderSpec::parse("anthropic:claude-x").unwrap(),
            ProviderSpec::Anthropic {
                model: "claude-x".into()
            }
        );
        assert_eq!(
            ProviderSpec::parse("openai:llama3@http://localhost:11434/v1/").unwrap(),
            ProviderSpec::OpenAi {
                model: "llama3".into(),
                base_url: Some("http://localhost:11434/v1".into())
            }
        );
        assert_eq!(
            ProviderSpec::parse("openai:gpt-4o").unwrap(),
            ProviderSpec::OpenAi {
                model: "gpt-4o".into(),
                base_url: None
            }
        );
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        for bad in [
            "gemini:x",
            "anthropic:",
            "openai:m@ftp://x",
            "openai:@http://x",
            "claude",
        ] {
            let e = ProviderSpec::parse(bad).unwrap_err();
            assert!(e.is_configuration(), "{bad}: {e}");
            assert!(
                e.to_string().starts_with(&format!("use LLM spec `{bad}`")),
                "{e}"
            );
        }
    }
}
