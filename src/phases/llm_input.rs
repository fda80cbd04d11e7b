//! The `llm` input field shared by the phases that may ask a model: a bad spec is bad input
//! naming the field.

use crate::contract::InputError;
use crate::error::Error;
use crate::llm::{LlmClient, LlmError};
use crate::secrets::Secrets;

/// The client for the input's `llm` spec (None reads `AM_LLM`).
pub fn llm_client(spec: Option<&str>, secrets: &Secrets) -> Result<LlmClient, Error> {
    LlmClient::from_env(spec, secrets).map_err(|e| match e {
        LlmError::Spec { spec, reason } => Error::from(InputError::field(
            "llm",
            format!("a model spec such as `anthropic:<model>` or `offline` (`{spec}`: {reason})"),
        )),
        other => Error::from(other),
    })
}
