//! What every phase that calls a model shares: the run's client (a bad spec is bad input; the run
//! directory carries the budget ledger, the store the fleet's) and the usage metrics.

use std::path::Path;

use super::{FleetBudget, FleetLedger, LlmClient, LlmError};
use crate::artifacts::Usage;
use crate::contract::{InputError, Metric, TaskEnv};
use crate::error::Error;
use crate::secrets::Secrets;

/// The client for `spec` (the phase's `llm` input field; `AM_LLM` when absent), sharing the run's
/// budget through `run_dir`.
pub fn client_for_run(
    spec: Option<&str>,
    secrets: &Secrets,
    run_dir: &Path,
) -> Result<LlmClient, Error> {
    let client = LlmClient::from_env(spec, secrets).map_err(|e| match e {
        LlmError::Spec { spec, reason } => Error::Input(InputError(format!(
            "LLM spec `{spec}` (the `llm` field or AM_LLM): {reason}"
        ))),
        other => other.into(),
    })?;
    on_run_ledgers(client, secrets, run_dir)
}

/// `client` on the run's ledger (`<run_dir>/llm-usage.json`, the run's budget) and, unless it is
/// offline, on the fleet's (the store's spend of the day, the fleet's daily budget). A bad
/// `AM_FLEET_DAILY_*` value is bad input.
pub fn on_run_ledgers(
    client: LlmClient,
    secrets: &Secrets,
    run_dir: &Path,
) -> Result<LlmClient, Error> {
    let client = client.with_run_dir(run_dir)?;
    if client.is_offline() {
        return Ok(client);
    }
    let budget = FleetBudget::from_env().map_err(|e| match e {
        LlmError::Spec { spec, reason } => Error::Input(InputError(format!("{spec}: {reason}"))),
        other => other.into(),
    })?;
    Ok(client.with_fleet(FleetLedger::for_run_dir(
        budget,
        secrets.database_url.clone(),
        run_dir,
        secrets.redactor(),
    )))
}

/// `llm_tokens`, `llm_input_tokens`, `llm_output_tokens`, `llm_calls` and `llm_cost_usd`, tagged
/// with the phase.
pub fn usage_metrics(phase: &str, usage: &Usage) -> Vec<Metric> {
    let tagged = |name: &str, value: f64| {
        Metric::counter(name, value)
            .tag("phase", phase)
            .tag("model", &usage.model)
    };
    vec![
        tagged(
            "llm_tokens",
            (usage.input_tokens + usage.output_tokens) as f64,
        ),
        tagged("llm_input_tokens", usage.input_tokens as f64),
        tagged("llm_output_tokens", usage.output_tokens as f64),
        tagged("llm_calls", f64::from(usage.calls)),
        tagged("llm_cost_usd", usage.cost_usd),
    ]
}

/// Prints the usage metrics of a phase that called a model.
pub fn emit_usage(env: &TaskEnv, phase: &str, usage: &Usage) {
    if usage.calls > 0 {
        env.protocol.metrics(&usage_metrics(phase, usage));
    }
}
