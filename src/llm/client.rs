//! The client every phase uses: picks the provider from the spec and the keys, and turns a
//! prompt into a validated reply of a Rust type, with one repair round, a budget check before
//! every call and the usage of every call counted.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::anthropic::Anthropic;
use super::conversation::{AssistantTurn, Conversation};
use super::exchange::{RawReply, Request, Role, Turn};
use super::fleet::FleetLedger;
use super::openai::OpenAi;
use super::prompts::Prompt;
use super::reply::parse_reply;
use super::spec::{
    ProviderSpec, ANTHROPIC_BASE_URL, DEFAULT_ANTHROPIC_MODEL, DEFAULT_OPENAI_MODEL,
    OPENAI_BASE_URL,
};
use super::transport::RetryPolicy;
use super::usage::{estimate_tokens, Budget, PriceTable};
use super::LlmError;
use crate::artifacts::Usage;
use crate::secrets::{Redactor, Secrets};

/// The file in a run directory that carries what the run has spent so far across phases.
pub const LEDGER_FILE: &str = "llm-usage.json";

const DEFAULT_MAX_TOKENS: u32 = 8192;

#[derive(Debug, Clone)]
enum Backend {
    Offline,
    Anthropic(Anthropic),
    OpenAi(OpenAi),
}

#[derive(Debug, Clone)]
pub struct LlmClient {
    spec: ProviderSpec,
    backend: Backend,
    http: reqwest::Client,
    policy: RetryPolicy,
    prices: PriceTable,
    budget: Budget,
    max_tokens: u32,
    /// Spent by this run so far (the ledger's total plus this process's calls).
    spent: Arc<Mutex<Usage>>,
    ledger: Option<PathBuf>,
    /// The fleet's daily budget and spend, in the store shared by every repository's runs.
    fleet: Option<FleetLedger>,
    debug_dir: PathBuf,
    redactor: Redactor,
}

impl LlmClient {
    /// The client for `spec` (`None` reads `AM_LLM`): offline when the provider's key is missing
    /// (except for an OpenAI-compatible server named by URL, which may need none). Limits come from
    /// `AM_LLM_BUDGET_TOKENS`, `AM_LLM_BUDGET_USD`, `AM_LLM_TIMEOUT_SECS`, `AM_LLM_MAX_RETRIES`,
    /// `AM_LLM_MAX_TOKENS`, prices from `AM_LLM_PRICES`.
    pub fn from_env(spec: Option<&str>, secrets: &Secrets) -> Result<Self, LlmError> {
        let from_env = std::env::var("AM_LLM").ok();
        let text = spec
            .or(from_env.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let spec = match text {
            Some(text) => ProviderSpec::parse(text)?,
            None if secrets.anthropic_api_key.is_some() => ProviderSpec::Anthropic {
                model: DEFAULT_ANTHROPIC_MODEL.to_owned(),
            },
            None if secrets.openai_api_key.is_some() => ProviderSpec::OpenAi {
                model: DEFAULT_OPENAI_MODEL.to_owned(),
                base_url: None,
            },
            None => ProviderSpec::Offline,
        };
        let anthropic_base = std::env::var("AM_ANTHROPIC_BASE_URL")
            .ok()
            .filter(|u| !u.trim().is_empty());
        let mut client = Self::new(spec, secrets, anthropic_base)?;
        client.policy = RetryPolicy::from_env()?;
        client.prices = PriceTable::from_env()?;
        client.budget = Budget::from_env()?;
        if let Some(value) = std::env::var("AM_LLM_MAX_TOKENS")
            .ok()
            .filter(|v| !v.trim().is_empty())
        {
            client.max_tokens = value.trim().parse().map_err(|_| LlmError::Spec {
                spec: "AM_LLM_MAX_TOKENS".to_owned(),
                reason: "expected a whole number of tokens".to_owned(),
            })?;
        }
        Ok(client)
    }

    /// The client for `spec` with default limits; `anthropic_base_url` replaces Anthropic's API
    /// address (for stub servers and proxies).
    pub fn new(
        spec: ProviderSpec,
        secrets: &Secrets,
        anthropic_base_url: Option<String>,
    ) -> Result<Self, LlmError> {
        let (spec, backend) = match spec {
            ProviderSpec::Offline => (ProviderSpec::Offline, Backend::Offline),
            ProviderSpec::Anthropic { model } => match &secrets.anthropic_api_key {
                Some(key) => (
                    ProviderSpec::Anthropic {
                        model: model.clone(),
                    },
                    Backend::Anthropic(Anthropic {
                        model,
                        base_url: anthropic_base_url
                            .unwrap_or_else(|| ANTHROPIC_BASE_URL.to_owned())
                            .trim_end_matches('/')
                            .to_owned(),
                        key: key.clone(),
                    }),
                ),
                None => {
                    tracing::warn!("ANTHROPIC_API_KEY is not set; using the offline provider");
                    (ProviderSpec::Offline, Backend::Offline)
                }
            },
            ProviderSpec::OpenAi { model, base_url } => {
                let key = secrets.openai_api_key.clone();
                if key.is_none() && base_url.is_none() {
                    tracing::warn!("OPENAI_API_KEY is not set; using the offline provider");
                    (ProviderSpec::Offline, Backend::Offline)
                } else {
                    (
                        ProviderSpec::OpenAi {
                            model: model.clone(),
                            base_url: base_url.clone(),
                        },
                        Backend::OpenAi(OpenAi {
                            model,
                            base_url: base_url.unwrap_or_else(|| OPENAI_BASE_URL.to_owned()),
                            key,
                        }),
                    )
                }
            }
        };
        let http = reqwest::Client::builder()
            .user_agent(concat!("automaintainer/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LlmError::Transport {
                provider: spec.label(),
                reason: format!("build the HTTP client: {e}"),
            })?;
        Ok(Self {
            spent: Arc::new(Mutex::new(Usage {
                model: spec.label(),
                ..Usage::default()
            })),
            spec,
            backend,
            http,
            policy: RetryPolicy::default(),
            prices: PriceTable::default(),
            budget: Budget::default(),
            max_tokens: DEFAULT_MAX_TOKENS,
            ledger: None,
            fleet: None,
            debug_dir: std::env::temp_dir().join("automaintainer-llm"),
            redactor: secrets.redactor(),
        })
    }

    /// Shares the run's budget with the other phases through `<run_dir>/llm-usage.json` (read
    /// now, rewritten after every call), and keeps failed replies under `<run_dir>/llm/`.
    pub fn with_run_dir(mut self, run_dir: &Path) -> Result<Self, LlmError> {
        let ledger = run_dir.join(LEDGER_FILE);
        if let Ok(text) = std::fs::read_to_string(&ledger) {
            let earlier: Usage = serde_json::from_str(&text).map_err(|e| LlmError::Protocol {
                provider: "the run ledger".to_owned(),
                reason: format!("{} is not valid: {e}", ledger.display()),
            })?;
            if let Ok(mut spent) = self.spent.lock() {
                spent.add(&earlier);
            }
        }
        self.ledger = Some(ledger);
        self.debug_dir = run_dir.join("llm");
        Ok(self)
    }

    /// Checks the fleet's daily budget before every call and counts every call's spend in the
    /// store `fleet` names.
    pub fn with_fleet(mut self, fleet: FleetLedger) -> Self {
        self.fleet = Some(fleet);
        self
    }

    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn with_prices(mut self, prices: PriceTable) -> Self {
        self.prices = prices;
        self
    }

    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = max_tokens.max(1);
        self
    }

    /// Where failed replies are kept when there is no run directory.
    pub fn with_debug_dir(mut self, dir: PathBuf) -> Self {
        self.debug_dir = dir;
        self
    }

    pub fn is_offline(&self) -> bool {
        matches!(self.backend, Backend::Offline)
    }

    /// `provider:model`, or `offline`.
    pub fn label(&self) -> String {
        self.spec.label()
    }

    /// What the run has spent so far, this process's calls included.
    pub fn spent(&self) -> Usage {
        self.spent.lock().map(|u| u.clone()).unwrap_or_default()
    }

    /// Asks for a reply of type `T`: the type's JSON Schema goes to the provider as the tool or
    /// response format, the reply is validated, a bad one gets one repair round quoting the
    /// problem, and a second bad one is a failure that keeps the raw reply (redacted).
    pub async fn structured<T: DeserializeOwned + JsonSchema>(
        &self,
        prompt: &Prompt,
    ) -> Result<(T, Usage), LlmError> {
        if self.is_offline() {
            return Err(LlmError::Offline);
        }
        let schema = serde_json::to_value(reply_schema::<T>()).map_err(|e| LlmError::Protocol {
            provider: self.label(),
            reason: format!("render the reply schema: {e}"),
        })?;
        let mut request = Request {
            system: prompt.system.clone(),
            turns: vec![Turn {
                role: Role::User,
                text: prompt.user.clone(),
            }],
            schema,
            schema_name: "reply".to_owned(),
            max_tokens: self.max_tokens,
        };
        let mut usage = Usage {
            model: self.label(),
            ..Usage::default()
        };
        for round in 0..2 {
            let reply = self.call(&request, &mut usage).await?;
            if reply.truncated {
                return Err(LlmError::Truncated {
                    max_tokens: self.max_tokens,
                    raw: self.keep_raw(&reply, "the model stopped at the token limit"),
                });
            }
            match parse_reply::<T>(&reply.body) {
                Ok(value) => return Ok((value, usage)),
                Err(reason) if round == 0 => {
                    tracing::warn!(model = %self.label(), "invalid structured reply, asking once more: {reason}");
                    request.turns.push(Turn {
                        role: Role::Assistant,
                        text: reply.body.as_text(),
                    });
                    request.turns.push(Turn {
                        role: Role::User,
                        text: format!(
                            "Your reply could not be used: {reason}.\nReply again with only the JSON object that matches the schema, complete, with no other text."
                        ),
                    });
                }
                Err(reason) => {
                    let raw = self.keep_raw(&reply, &reason);
                    return Err(LlmError::InvalidReply { reason, raw });
                }
            }
        }
        Err(LlmError::Protocol {
            provider: self.label(),
            reason: "no reply after the repair round".to_owned(),
        })
    }

    /// One turn of a tool-using conversation: the run's budget checked first, then the
    /// provider, then the usage counted (in the run's ledger too). The caller checks its own
    /// caps with [`Self::estimate`] before.
    pub async fn converse(
        &self,
        conversation: &Conversation,
    ) -> Result<(AssistantTurn, Usage), LlmError> {
        let (prompt_tokens, prompt_cost) = self.estimate(conversation);
        self.budget
            .check(&self.spent(), prompt_tokens, prompt_cost)?;
        self.check_fleet(prompt_tokens, prompt_cost).await?;
        let turn = match &self.backend {
            Backend::Offline => return Err(LlmError::Offline),
            Backend::Anthropic(p) => {
                p.converse(&self.http, &self.policy, &self.redactor, conversation)
                    .await?
            }
            Backend::OpenAi(p) => {
                p.converse(&self.http, &self.policy, &self.redactor, conversation)
                    .await?
            }
        };
        let this_call = self.count(turn.input_tokens, turn.output_tokens);
        self.record(&this_call).await;
        Ok((turn, this_call))
    }

    /// The tokens and dollars `conversation`'s prompt will at least cost.
    pub fn estimate(&self, conversation: &Conversation) -> (u64, f64) {
        let tokens = estimate_tokens(&conversation.prompt_text());
        (tokens, self.prices.cost(self.model_name(), tokens, 0))
    }

    /// The most output one turn may produce, as configured.
    pub fn max_tokens(&self) -> u32 {
        self.max_tokens
    }

    fn count(&self, input_tokens: u64, output_tokens: u64) -> Usage {
        Usage {
            calls: 1,
            input_tokens,
            output_tokens,
            cost_usd: self
                .prices
                .cost(self.model_name(), input_tokens, output_tokens),
            model: self.label(),
        }
    }

    /// One call: the budget check first, then the provider, then the usage counted.
    async fn call(&self, request: &Request, usage: &mut Usage) -> Result<RawReply, LlmError> {
        let prompt_text: String = std::iter::once(request.system.as_str())
            .chain(request.turns.iter().map(|t| t.text.as_str()))
            .collect();
        let prompt_tokens =
            estimate_tokens(&prompt_text) + estimate_tokens(&request.schema.to_string());
        let model = self.model_name();
        let prompt_cost = self.prices.cost(model, prompt_tokens, 0);
        self.budget
            .check(&self.spent(), prompt_tokens, prompt_cost)?;
        self.check_fleet(prompt_tokens, prompt_cost).await?;
        let reply = match &self.backend {
            Backend::Offline => return Err(LlmError::Offline),
            Backend::Anthropic(p) => {
                p.complete(&self.http, &self.policy, &self.redactor, request)
                    .await?
            }
            Backend::OpenAi(p) => {
                p.complete(&self.http, &self.policy, &self.redactor, request)
                    .await?
            }
        };
        let this_call = self.count(reply.input_tokens, reply.output_tokens);
        usage.add(&this_call);
        self.record(&this_call).await;
        Ok(reply)
    }

    fn model_name(&self) -> &str {
        match &self.backend {
            Backend::Offline => "",
            Backend::Anthropic(p) => &p.model,
            Backend::OpenAi(p) => &p.model,
        }
    }

    /// The fleet's daily budget, when there is a fleet ledger.
    async fn check_fleet(&self, prompt_tokens: u64, prompt_cost: f64) -> Result<(), LlmError> {
        match &self.fleet {
            Some(fleet) => fleet.check(prompt_tokens, prompt_cost).await,
            None => Ok(()),
        }
    }

    /// Counts a call: in the run's total and ledger, and in the fleet's spend of the day.
    async fn record(&self, call: &Usage) {
        if let Some(fleet) = &self.fleet {
            fleet.record(call).await;
        }
        let total = match self.spent.lock() {
            Ok(mut spent) => {
                spent.add(call);
                spent.clone()
            }
            Err(_) => return,
        };
        if let Some(ledger) = &self.ledger {
            let written = serde_json::to_string_pretty(&total)
                .map_err(std::io::Error::other)
                .and_then(|text| std::fs::write(ledger, text));
            if let Err(e) = written {
                tracing::warn!("could not update the LLM ledger {}: {e}", ledger.display());
            }
        }
    }

    /// Writes a reply that could not be used, redacted, and returns where.
    fn keep_raw(&self, reply: &RawReply, reason: &str) -> PathBuf {
        let path = self.debug_dir.join(format!(
            "failed-reply-{}-{}.txt",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f"),
            std::process::id()
        ));
        let text = self.redactor.redact(&format!(
            "model: {}\nproblem: {reason}\n\n{}",
            self.label(),
            reply.body.as_text()
        ));
        let written =
            std::fs::create_dir_all(&self.debug_dir).and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            tracing::warn!("could not keep the raw reply at {}: {e}", path.display());
        }
        path
    }
}

/// The reply type's schema with every subschema inlined (no `$ref`): local servers turn the
/// schema into a grammar, and not all of them follow references.
fn reply_schema<T: JsonSchema>() -> schemars::Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator()
        .into_root_schema_for::<T>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Secrets;

    fn secrets(anthropic: bool, openai: bool) -> Secrets {
        Secrets::from_lookup(|name| match name {
            "ANTHROPIC_API_KEY" if anthropic => Some("sk-ant-test-key-0000".into()),
            "OPENAI_API_KEY" if openai => Some("sk-test-key-0000".into()),
            _ => None,
        })
    }

    #[test]
    fn offline_without_a_key_and_provider_with_one() {
        let spec = |s: &str| ProviderSpec::parse(s).unwrap();
        let none = secrets(false, false);
        assert!(LlmClient::new(spec("anthropic:m"), &none, None)
            .unwrap()
            .is_offline());
        assert!(LlmClient::new(spec("openai:m"), &none, None)
            .unwrap()
            .is_offline());
        // A local server named by URL needs no key.
        let local =
            LlmClient::new(spec("openai:llama3@http://127.0.0.1:9/v1"), &none, None).unwrap();
        assert!(!local.is_offline());
        assert_eq!(local.label(), "openai:llama3");
        let keyed = LlmClient::new(spec("anthropic:m"), &secrets(true, false), None).unwrap();
        assert_eq!(keyed.label(), "anthropic:m");
    }

    #[tokio::test]
    async fn offline_structured_is_a_clear_error() {
        let client = LlmClient::new(ProviderSpec::Offline, &Secrets::default(), None).unwrap();
        let prompt = Prompt {
            system: String::new(),
            user: String::new(),
        };
        let e = client
            .structured::<serde_json::Value>(&prompt)
            .await
            .unwrap_err();
        assert!(matches!(e, LlmError::Offline));
    }
}
