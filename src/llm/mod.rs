//! The LLM port: providers (anthropic, openai-compatible, offline), structured replies, retries,
//! usage and budget, prompts, and tool-using conversations.

mod anthropic;
mod anthropic_tools;
mod client;
pub mod conversation;
mod error;
mod exchange;
pub mod fleet;
mod openai;
mod openai_tools;
pub mod phase;
pub mod prompts;
mod reply;
mod spec;
mod transport;
mod usage;

pub use client::LlmClient;
pub use error::LlmError;
pub use fleet::{FleetBudget, FleetLedger};
pub use prompts::Prompt;
pub use reply::parse_reply;
pub use spec::{ProviderSpec, DEFAULT_ANTHROPIC_MODEL, DEFAULT_OPENAI_MODEL};
pub use transport::RetryPolicy;
pub use usage::{Budget, Price, PriceTable};
