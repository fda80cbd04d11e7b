//! What can go wrong talking to a model; each message reads after "failed to".

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// `AM_LLM` (or the `llm` input field) does not name a provider we know.
    #[error("use LLM spec `{spec}`: {reason}")]
    Spec { spec: String, reason: String },

    #[error("call a model: the offline provider has none (set AM_LLM and a key to use one)")]
    Offline,

    #[error("stay within the run's LLM budget: {0}")]
    Budget(String),

    /// The fleet's daily budget (all repositories sharing the store) cannot afford the call, or
    /// cannot be checked; handled wherever the run's budget is.
    #[error("stay within the fleet's daily LLM budget: {0}")]
    FleetBudget(String),

    #[error("call {provider}: HTTP {status}: {body}")]
    Http {
        provider: String,
        status: u16,
        body: String,
    },

    #[error("reach {provider}: {reason}")]
    Transport { provider: String, reason: String },

    #[error("get a reply from {provider} within {seconds}s (after {attempts} attempts)")]
    Timeout {
        provider: String,
        seconds: u64,
        attempts: u32,
    },

    #[error("read the reply of {provider}: {reason}")]
    Protocol { provider: String, reason: String },

    #[error("get a complete reply: the model stopped at the token limit ({max_tokens} tokens); raw reply kept at {}", raw.display())]
    Truncated { max_tokens: u32, raw: PathBuf },

    #[error("get a valid structured reply after one repair round: {reason}; raw reply kept at {}", raw.display())]
    InvalidReply { reason: String, raw: PathBuf },

    #[error("render prompt `{name}`: {reason}")]
    Prompt { name: String, reason: String },

    #[error("{action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
}

impl LlmError {
    pub(crate) fn io(action: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            action: action.into(),
            source,
        }
    }

    /// Whether a server refused a request because it does not support tools (function calling):
    /// llama.cpp's server without `--jinja`, vLLM without `--enable-auto-tool-choice`, an Ollama
    /// model without tool support all answer a 4xx or 5xx that says so.
    pub fn is_tools_unsupported(&self) -> bool {
        match self {
            Self::Http { status, body, .. } if *status != 429 && *status >= 400 => {
                let body = body.to_ascii_lowercase();
                ["tool", "function"].iter().any(|w| body.contains(w))
            }
            _ => false,
        }
    }

    /// Whether the user must change the configuration (bad spec) rather than retry.
    pub fn is_configuration(&self) -> bool {
        matches!(self, Self::Spec { .. })
    }
}
