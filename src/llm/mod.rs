//! The LLM port: providers (anthropic, openai-compatible, offline), structured replies, retries, usage and budget, prompts.
