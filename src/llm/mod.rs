//! The LLM port: providers (anthropic, openai-compatible, offline), structured replies, retries,
//! usage and budget, prompts.

mod anthropic;
mod client;
mod error;
mod exchange;
mod openai;
pub mod phase;
pub mod prompts;
mod reply;
mod spec;
mod transport;
mod usage;

pub use client::LlmClient;
pub use error::LlmError;
pub use prompts::Prompt;
pub use reply::parse_reply;
pub use spec::{ProviderSpec, DEFAULT_ANTHROPIC_MODEL, DEFAULT_OPENAI_MODEL};
pub use transport::RetryPolicy;
pub use usage::{Budget, Price, PriceTable};
