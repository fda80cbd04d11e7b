//! What one task's conversation may spend: model calls (steps), tokens and dollars, checked
//! before every call (the run's budget is checked too, by the client), and how often the same
//! call may repeat on an unchanged tree before the conversation is stopped.

use std::collections::HashMap;

use serde_json::Value;

use crate::artifacts::Usage;
use crate::llm::{Budget, LlmError};

pub const DEFAULT_MAX_STEPS: u32 = 40;
pub const DEFAULT_MAX_TOKENS: u64 = 2_000_000;
pub const DEFAULT_MAX_USD: f64 = 3.0;
pub const DEFAULT_MAX_REPEATS: u32 = 3;

/// The caps of one task.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Caps {
    /// Whether the tool-using conversation is used at all (else the single-request edit plan).
    pub enabled: bool,
    pub max_steps: u32,
    pub budget: Budget,
    /// The same call (tool and arguments) on an unchanged tree this many times stops the loop.
    pub max_repeats: u32,
}

impl Default for Caps {
    fn default() -> Self {
        Self {
            enabled: true,
            max_steps: DEFAULT_MAX_STEPS,
            budget: Budget {
                max_tokens: Some(DEFAULT_MAX_TOKENS),
                max_usd: Some(DEFAULT_MAX_USD),
            },
            max_repeats: DEFAULT_MAX_REPEATS,
        }
    }
}

impl Caps {
    /// The defaults with `AM_LLM_AGENT` (`tools` or `single`), `AM_LLM_AGENT_MAX_STEPS`,
    /// `AM_LLM_AGENT_BUDGET_TOKENS`, `AM_LLM_AGENT_BUDGET_USD` and `AM_LLM_AGENT_MAX_REPEATS`
    /// when set.
    pub fn from_env() -> Result<Self, LlmError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, LlmError> {
        let read = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let bad = |name: &str, expected: &str| LlmError::Spec {
            spec: name.to_owned(),
            reason: format!("expected {expected}"),
        };
        let mut caps = Self::default();
        if let Some(mode) = read("AM_LLM_AGENT") {
            caps.enabled = match mode.trim() {
                "tools" => true,
                "single" => false,
                _ => return Err(bad("AM_LLM_AGENT", "`tools` or `single`")),
            };
        }
        if let Some(v) = read("AM_LLM_AGENT_MAX_STEPS") {
            caps.max_steps = v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| bad("AM_LLM_AGENT_MAX_STEPS", "a whole number above 0"))?;
        }
        if let Some(v) = read("AM_LLM_AGENT_BUDGET_TOKENS") {
            caps.budget.max_tokens = Some(
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| bad("AM_LLM_AGENT_BUDGET_TOKENS", "a whole number of tokens"))?,
            );
        }
        if let Some(v) = read("AM_LLM_AGENT_BUDGET_USD") {
            caps.budget.max_usd = Some(
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|d| d.is_finite() && *d >= 0.0)
                    .ok_or_else(|| bad("AM_LLM_AGENT_BUDGET_USD", "an amount of dollars"))?,
            );
        }
        if let Some(v) = read("AM_LLM_AGENT_MAX_REPEATS") {
            caps.max_repeats = v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 1)
                .ok_or_else(|| bad("AM_LLM_AGENT_MAX_REPEATS", "a whole number above 1"))?;
        }
        Ok(caps)
    }

    /// Why the next call may not be made, if it may not: the step cap, or the task's tokens or
    /// dollars with the prompt's estimate added.
    pub fn refuse_next(
        &self,
        steps: u32,
        spent: &Usage,
        prompt_tokens: u64,
        prompt_cost: f64,
    ) -> Option<String> {
        if steps >= self.max_steps {
            return Some(format!(
                "the step cap was reached: {steps} model calls, the most one task may make"
            ));
        }
        match self.budget.check(spent, prompt_tokens, prompt_cost) {
            Err(LlmError::Budget(reason)) => Some(format!("the task's cap was reached: {reason}")),
            _ => None,
        }
    }
}

/// Counts identical calls since the tree last changed.
#[derive(Debug, Default)]
pub struct Repeats {
    seen: HashMap<String, u32>,
}

impl Repeats {
    /// Counts the call; the number of times it was made on the tree as it is.
    pub fn count(&mut self, name: &str, arguments: &Value) -> u32 {
        let key = format!("{name} {arguments}");
        let n = self.seen.entry(key).or_insert(0);
        *n += 1;
        *n
    }

    /// The tree changed: earlier calls may answer differently now.
    pub fn tree_changed(&mut self) {
        self.seen.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_settings_and_refuses_bad_ones() {
        let caps = Caps::from_lookup(|name| match name {
            "AM_LLM_AGENT_MAX_STEPS" => Some("5".into()),
            "AM_LLM_AGENT_BUDGET_USD" => Some("0.25".into()),
            "AM_LLM_AGENT" => Some("tools".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(caps.max_steps, 5);
        assert_eq!(caps.budget.max_usd, Some(0.25));
        assert_eq!(caps.budget.max_tokens, Some(DEFAULT_MAX_TOKENS));
        for (name, value) in [
            ("AM_LLM_AGENT_MAX_STEPS", "0"),
            ("AM_LLM_AGENT_BUDGET_USD", "lots"),
            ("AM_LLM_AGENT", "maybe"),
            ("AM_LLM_AGENT_MAX_REPEATS", "1"),
        ] {
            let e = Caps::from_lookup(|n| (n == name).then(|| value.to_owned())).unwrap_err();
            assert!(e.to_string().contains(name), "{e}");
        }
    }

    #[test]
    fn refuses_the_call_past_a_cap() {
        let caps = Caps {
            max_steps: 3,
            budget: Budget {
                max_tokens: Some(1000),
                max_usd: Some(0.01),
            },
            ..Caps::default()
        };
        let spent = Usage {
            input_tokens: 500,
            cost_usd: 0.009,
            ..Usage::default()
        };
        assert!(caps.refuse_next(2, &spent, 100, 0.0).is_none());
        assert!(caps
            .refuse_next(3, &spent, 0, 0.0)
            .unwrap()
            .contains("step cap"));
        assert!(caps
            .refuse_next(1, &spent, 600, 0.0)
            .unwrap()
            .contains("tokens"));
        assert!(caps.refuse_next(1, &spent, 0, 0.002).unwrap().contains('$'));
    }

    #[test]
    fn repeats_count_until_the_tree_changes() {
        let mut repeats = Repeats::default();
        let args = json!({"path": "a"});
        assert_eq!(repeats.count("read_file", &args), 1);
        assert_eq!(repeats.count("read_file", &args), 2);
        assert_eq!(repeats.count("read_file", &json!({"path": "b"})), 1);
        repeats.tree_changed();
        assert_eq!(repeats.count("read_file", &args), 1);
    }
}
