//! The `llm` input field shared by the phases that may ask a model: a bad spec is bad input
//! naming the field, and the client shares the run's budget ledger (`<run_dir>/llm-usage.json`)
//! with every other phase of the run.

use std::path::Path;

use crate::contract::InputError;
use crate::error::Error;
use crate::llm::{LlmClient, LlmError};
use crate::secrets::Secrets;

/// The client for the input's `llm` spec (None reads `AM_LLM`), on the run's ledger.
pub fn llm_client(
    spec: Option<&str>,
    secrets: &Secrets,
    run_dir: &Path,
) -> Result<LlmClient, Error> {
    let client = LlmClient::from_env(spec, secrets).map_err(|e| match e {
        LlmError::Spec { spec, reason } => Error::from(InputError::field(
            "llm",
            format!("a model spec such as `anthropic:<model>` or `offline` (`{spec}`: {reason})"),
        )),
        other => Error::from(other),
    })?;
    crate::llm::phase::on_run_ledgers(client, secrets, run_dir)
}
