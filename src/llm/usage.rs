//! What model calls cost: a price table (per million tokens, configurable) and the per-run
//! budget in tokens and dollars that is checked before every call.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::LlmError;
use crate::artifacts::Usage;

/// Dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
}

/// Prices by model-name prefix; the longest matching prefix wins, unknown models (local servers)
/// cost nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable(BTreeMap<String, Price>);

impl Default for PriceTable {
    /// List prices at the time of writing; override with `AM_LLM_PRICES`.
    fn default() -> Self {
        let table = [
            ("claude-opus-4", 15.0, 75.0),
            ("claude-sonnet-4", 3.0, 15.0),
            ("claude-3-7-sonnet", 3.0, 15.0),
            ("claude-3-5-haiku", 0.8, 4.0),
            ("claude-haiku-4", 1.0, 5.0),
            ("gpt-4o-mini", 0.15, 0.6),
            ("gpt-4o", 2.5, 10.0),
            ("gpt-4.1-nano", 0.1, 0.4),
            ("gpt-4.1-mini", 0.4, 1.6),
            ("gpt-4.1", 2.0, 8.0),
        ];
        Self(
            table
                .into_iter()
                .map(|(model, input, output)| {
                    (
                        model.to_owned(),
                        Price {
                            input_per_mtok: input,
                            output_per_mtok: output,
                        },
                    )
                })
                .collect(),
        )
    }
}

impl PriceTable {
    /// The defaults, overlaid with `AM_LLM_PRICES`: a JSON object `{"model-prefix":
    /// {"input_per_mtok": 3.0, "output_per_mtok": 15.0}}`, inline or as the path of a file.
    pub fn from_env() -> Result<Self, LlmError> {
        let mut table = Self::default();
        if let Ok(value) = std::env::var("AM_LLM_PRICES") {
            table.overlay(&value)?;
        }
        Ok(table)
    }

    pub fn overlay(&mut self, inline_or_path: &str) -> Result<(), LlmError> {
        let text = if inline_or_path.trim_start().starts_with('{') {
            inline_or_path.to_owned()
        } else {
            std::fs::read_to_string(inline_or_path)
                .map_err(|e| LlmError::io(format!("read the price table {inline_or_path}"), e))?
        };
        let prices: BTreeMap<String, Price> =
            serde_json::from_str(&text).map_err(|e| LlmError::Spec {
                spec: "AM_LLM_PRICES".to_owned(),
                reason: format!("expected {{\"model\": {{\"input_per_mtok\": n, \"output_per_mtok\": n}}}}: {e}"),
            })?;
        self.0.extend(prices);
        Ok(())
    }

    pub fn price(&self, model: &str) -> Option<Price> {
        self.0
            .iter()
            .filter(|(prefix, _)| model.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, price)| *price)
    }

    pub fn cost(&self, model: &str, input_tokens: u64, output_tokens: u64) -> f64 {
        self.price(model).map_or(0.0, |p| {
            (input_tokens as f64 * p.input_per_mtok + output_tokens as f64 * p.output_per_mtok)
                / 1_000_000.0
        })
    }
}

/// The most a run may spend on model calls; `None` is unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Budget {
    pub max_tokens: Option<u64>,
    pub max_usd: Option<f64>,
}

impl Budget {
    /// `AM_LLM_BUDGET_TOKENS` and `AM_LLM_BUDGET_USD`.
    pub fn from_env() -> Result<Self, LlmError> {
        let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bad = |name: &str, expected: &str| LlmError::Spec {
            spec: name.to_owned(),
            reason: format!("expected {expected}"),
        };
        let max_tokens = read("AM_LLM_BUDGET_TOKENS")
            .map(|v| v.trim().parse::<u64>())
            .transpose()
            .map_err(|_| bad("AM_LLM_BUDGET_TOKENS", "a whole number of tokens"))?;
        let max_usd = read("AM_LLM_BUDGET_USD")
            .map(|v| v.trim().parse::<f64>())
            .transpose()
            .map_err(|_| bad("AM_LLM_BUDGET_USD", "an amount of dollars"))?
            .filter(|v| v.is_finite());
        Ok(Self {
            max_tokens,
            max_usd,
        })
    }

    /// Refuses a call when what was spent plus what this call will at least cost (its prompt)
    /// goes over either limit.
    pub fn check(
        &self,
        spent: &Usage,
        prompt_tokens: u64,
        prompt_cost: f64,
    ) -> Result<(), LlmError> {
        let tokens = spent.input_tokens + spent.output_tokens;
        if let Some(max) = self.max_tokens {
            if tokens + prompt_tokens > max {
                return Err(LlmError::Budget(format!(
                    "{tokens} tokens spent and this prompt needs about {prompt_tokens} more, over the limit of {max}"
                )));
            }
        }
        if let Some(max) = self.max_usd {
            if spent.cost_usd + prompt_cost > max {
                return Err(LlmError::Budget(format!(
                    "${:.4} spent and this prompt costs about ${prompt_cost:.4} more, over the limit of ${max:.2}",
                    spent.cost_usd
                )));
            }
        }
        Ok(())
    }
}

/// A rough token count (four characters a token), for the check before a call.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_prices_and_unknown_models_are_free() {
        let table = PriceTable::default();
        assert_eq!(
            table.price("gpt-4o-mini-2024").unwrap().input_per_mtok,
            0.15
        );
        assert_eq!(table.price("gpt-4o-2024").unwrap().input_per_mtok, 2.5);
        assert!((table.cost("claude-sonnet-4-5", 1_000_000, 1_000_000) - 18.0).abs() < 1e-9);
        assert_eq!(table.cost("llama3.2", 5000, 5000), 0.0);
    }

    #[test]
    fn overlay_adds_and_overrides() {
        let mut table = PriceTable::default();
        table
            .overlay(r#"{"llama3": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}}"#)
            .unwrap();
        assert!((table.cost("llama3.2", 1_000_000, 0) - 1.0).abs() < 1e-9);
        assert!(table.overlay(r#"{"x": {"input": 1}}"#).is_err());
    }

    #[test]
    fn budget_refuses_before_overspending() {
        let spent = Usage {
            input_tokens: 900,
            output_tokens: 50,
            cost_usd: 0.9,
            ..Usage::default()
        };
        let tokens = Budget {
            max_tokens: Some(1000),
            max_usd: None,
        };
        assert!(tokens.check(&spent, 40, 0.0).is_ok());
        assert!(matches!(
            tokens.check(&spent, 60, 0.0),
            Err(LlmError::Budget(_))
        ));
        let dollars = Budget {
            max_tokens: None,
            max_usd: Some(1.0),
        };
        assert!(dollars.check(&spent, 0, 0.2).is_err());
        assert!(Budget::default().check(&spent, u64::MAX / 2, 1e9).is_ok());
    }
}
