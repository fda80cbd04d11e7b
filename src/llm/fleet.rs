//! The fleet's daily budget: tokens and dollars per UTC day across every repository whose runs
//! share the store (`AM_FLEET_DAILY_TOKENS`, `AM_FLEET_DAILY_USD`). Before each model call the
//! day's total is read from the store and the call refused when it would go over; after each
//! call its usage is added to the repository's row of the day (one atomic statement), whether or
//! not a budget is set, so the dashboard shows the spend.
//!
//! The store is opened at the first call (an offline run never opens it). When it cannot be
//! opened or read: with a fleet budget set, the call is refused (a budget that cannot be checked
//! is not enforced otherwise); without one, the spend goes unrecorded and a warning says so.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::LlmError;
use crate::artifacts::Usage;
use crate::secrets::{Redactor, Secret};
use crate::store::{FleetSpend, SpendRow, Store};

/// The repository spend is counted under when the run was never registered (a phase run alone).
pub const UNREGISTERED: &str = "(unregistered run)";

/// The most all repositories together may spend on model calls per UTC day; `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FleetBudget {
    pub max_tokens: Option<u64>,
    pub max_usd: Option<f64>,
}

impl FleetBudget {
    /// `AM_FLEET_DAILY_TOKENS` and `AM_FLEET_DAILY_USD`.
    pub fn from_env() -> Result<Self, LlmError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, LlmError> {
        let read = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let bad = |name: &str, expected: &str| LlmError::Spec {
            spec: name.to_owned(),
            reason: format!("expected {expected}"),
        };
        let max_tokens = read("AM_FLEET_DAILY_TOKENS")
            .map(|v| v.trim().parse::<u64>())
            .transpose()
            .map_err(|_| bad("AM_FLEET_DAILY_TOKENS", "a whole number of tokens"))?;
        let max_usd = match read("AM_FLEET_DAILY_USD") {
            None => None,
            Some(text) => match text.trim().parse::<f64>() {
                Ok(usd) if usd.is_finite() && usd >= 0.0 => Some(usd),
                _ => return Err(bad("AM_FLEET_DAILY_USD", "an amount of dollars, 0 or more")),
            },
        };
        Ok(Self {
            max_tokens,
            max_usd,
        })
    }

    pub fn is_set(&self) -> bool {
        self.max_tokens.is_some() || self.max_usd.is_some()
    }

    /// Refuses a call when the day's fleet total plus what this call will at least cost (its
    /// prompt) goes over either limit.
    pub fn check(
        &self,
        spent: &FleetSpend,
        prompt_tokens: u64,
        prompt_cost: f64,
    ) -> Result<(), LlmError> {
        let tokens = u64::try_from(spent.tokens()).unwrap_or(0);
        if let Some(max) = self.max_tokens {
            if tokens.saturating_add(prompt_tokens) > max {
                return Err(LlmError::FleetBudget(format!(
                    "fleet budget for {} spent: {tokens} of {max} tokens used across all repositories, and this prompt needs about {prompt_tokens} more",
                    spent.day
                )));
            }
        }
        if let Some(max) = self.max_usd {
            if spent.cost_usd + prompt_cost > max {
                return Err(LlmError::FleetBudget(format!(
                    "fleet budget for {} spent: ${:.4} of ${max:.2} used across all repositories, and this prompt costs about ${prompt_cost:.4} more",
                    spent.day, spent.cost_usd
                )));
            }
        }
        Ok(())
    }
}

/// The store and the repository the run's spend is counted under, or why the store could not be
/// used.
type Opened = Result<(Arc<dyn Store>, String), String>;

/// The store's side of the fleet budget for one run: checks before calls, counts after them.
#[derive(Debug, Clone)]
pub struct FleetLedger {
    budget: FleetBudget,
    database_url: Option<Secret>,
    run_id: Option<String>,
    redactor: Redactor,
    /// The store and the run's repository, or why the store could not be used; once per process.
    opened: Arc<OnceCell<Opened>>,
}

impl FleetLedger {
    /// The ledger of run `run_id` (its spend is counted under the run's repository) on the store
    /// `database_url` names (the embedded one when None).
    pub fn new(
        budget: FleetBudget,
        database_url: Option<Secret>,
        run_id: Option<String>,
        redactor: Redactor,
    ) -> Self {
        Self {
            budget,
            database_url,
            run_id,
            redactor,
            opened: Arc::new(OnceCell::new()),
        }
    }

    /// The ledger of the run whose directory is `run_dir` (am-setup's mark names the run).
    pub fn for_run_dir(
        budget: FleetBudget,
        database_url: Option<Secret>,
        run_dir: &Path,
        redactor: Redactor,
    ) -> Self {
        let run_id = std::fs::read_to_string(run_dir.join(crate::phases::run_dir::MARKER))
            .ok()
            .map(|text| text.trim().to_owned())
            .filter(|id| !id.is_empty());
        Self::new(budget, database_url, run_id, redactor)
    }

    pub fn budget(&self) -> FleetBudget {
        self.budget
    }

    /// The store and the run's repository, opened at the first use; why not, otherwise.
    async fn opened(&self) -> Result<&(Arc<dyn Store>, String), &str> {
        self.opened
            .get_or_init(|| self.open())
            .await
            .as_ref()
            .map_err(String::as_str)
    }

    async fn open(&self) -> Opened {
        let redacted = |e: &dyn std::error::Error| self.redactor.redact(&causes(e));
        let store = crate::store::open(self.database_url.as_ref())
            .await
            .map_err(|e| redacted(&e))?;
        let repository = match &self.run_id {
            Some(run_id) => store
                .run_repository(run_id)
                .await
                .map_err(|e| redacted(&e))?,
            None => None,
        };
        Ok((store, repository.unwrap_or_else(|| UNREGISTERED.to_owned())))
    }

    /// Refuses the call when the fleet's budget for today cannot afford its prompt, or cannot be
    /// checked (the store unreachable). Without a budget there is nothing to check.
    pub async fn check(&self, prompt_tokens: u64, prompt_cost: f64) -> Result<(), LlmError> {
        if !self.budget.is_set() {
            return Ok(());
        }
        let day = crate::store::spend::day_of(crate::store::clock::now());
        let unreachable = |why: &str| {
            LlmError::FleetBudget(format!(
                "fleet budget for {day} cannot be checked, so no model call is made: the store is unreachable ({why})"
            ))
        };
        let (store, _) = self.opened().await.map_err(unreachable)?;
        let spent = store
            .fleet_spend(&day)
            .await
            .map_err(|e| unreachable(&self.redactor.redact(&causes(&e))))?;
        self.budget.check(&spent, prompt_tokens, prompt_cost)
    }

    /// Adds a call's usage to the repository's row of today. A store that cannot take it is a
    /// warning: the call was made and the run's own ledger has it.
    pub async fn record(&self, call: &Usage) {
        let (store, repository) = match self.opened().await {
            Ok(opened) => opened,
            Err(why) => {
                tracing::warn!("the model call's spend is not recorded for the fleet: {why}");
                return;
            }
        };
        let row = SpendRow {
            repository: repository.clone(),
            day: crate::store::spend::day_of(crate::store::clock::now()),
            calls: i64::from(call.calls),
            input_tokens: i64::try_from(call.input_tokens).unwrap_or(i64::MAX),
            output_tokens: i64::try_from(call.output_tokens).unwrap_or(i64::MAX),
            cost_usd: call.cost_usd,
        };
        if let Err(e) = store.add_spend(&row).await {
            tracing::warn!(
                "the model call's spend is not recorded for the fleet: {}",
                self.redactor.redact(&causes(&e))
            );
        }
    }
}

/// An error and its causes on one line.
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spent(tokens: i64, cost: f64) -> FleetSpend {
        FleetSpend {
            day: "2026-12-06".to_owned(),
            calls: 1,
            input_tokens: tokens,
            output_tokens: 0,
            cost_usd: cost,
        }
    }

    #[test]
    fn the_budget_reads_its_variables_and_refuses_bad_values() {
        let budget = FleetBudget::from_lookup(|name| match name {
            "AM_FLEET_DAILY_TOKENS" => Some("1000".into()),
            "AM_FLEET_DAILY_USD" => Some(" 2.5 ".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(budget.max_tokens, Some(1000));
        assert_eq!(budget.max_usd, Some(2.5));
        assert!(!FleetBudget::from_lookup(|_| None).unwrap().is_set());
        for (name, value) in [
            ("AM_FLEET_DAILY_TOKENS", "lots"),
            ("AM_FLEET_DAILY_USD", "-1"),
            ("AM_FLEET_DAILY_USD", "NaN"),
        ] {
            let error = FleetBudget::from_lookup(|n| (n == name).then(|| value.to_owned()))
                .unwrap_err()
                .to_string();
            assert!(error.contains(name), "{error}");
        }
    }

    #[test]
    fn the_budget_refuses_a_call_the_day_cannot_afford() {
        let tokens = FleetBudget {
            max_tokens: Some(1000),
            max_usd: None,
        };
        assert!(tokens.check(&spent(900, 0.0), 100, 0.0).is_ok());
        let error = tokens.check(&spent(900, 0.0), 101, 0.0).unwrap_err();
        assert!(matches!(error, LlmError::FleetBudget(_)));
        assert!(
            error
                .to_string()
                .contains("fleet budget for 2026-12-06 spent: 900 of 1000 tokens"),
            "{error}"
        );
        let dollars = FleetBudget {
            max_tokens: None,
            max_usd: Some(1.0),
        };
        assert!(dollars.check(&spent(0, 0.9), 0, 0.05).is_ok());
        assert!(dollars.check(&spent(0, 0.9), 0, 0.2).is_err());
    }

    #[tokio::test]
    async fn an_unreachable_store_refuses_calls_only_under_a_budget() {
        // A URL the store refuses at once: no store can be opened.
        let unreachable = Some(Secret::new("mysql://db.invalid/x"));
        let budget = FleetBudget {
            max_tokens: Some(1000),
            max_usd: None,
        };
        let ledger = FleetLedger::new(budget, unreachable.clone(), None, Redactor::default());
        let error = ledger.check(10, 0.0).await.unwrap_err();
        assert!(matches!(error, LlmError::FleetBudget(_)), "{error}");
        assert!(error.to_string().contains("cannot be checked"), "{error}");
        assert!(!error.to_string().contains("db.invalid"), "{error}");
        let free = FleetLedger::new(
            FleetBudget::default(),
            unreachable,
            None,
            Redactor::default(),
        );
        assert!(free.check(10, 0.0).await.is_ok());
        // The spend is lost with a warning, never an error.
        free.record(&Usage::default()).await;
    }
}
