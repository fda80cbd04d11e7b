//! Sending one request to a provider: a request timeout, retries with exponential backoff on
//! 429, 5xx and timeouts (honouring `Retry-After`), no retry on any other 4xx.

use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

use super::LlmError;
use crate::secrets::Redactor;

/// How long a request may take and how often a failing one is repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff; doubled on each retry.
    pub base_delay: Duration,
    /// No wait (backoff or `Retry-After`) is longer than this.
    pub max_delay: Duration,
    /// Per request.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(180),
        }
    }
}

impl RetryPolicy {
    /// The defaults, with `AM_LLM_TIMEOUT_SECS` and `AM_LLM_MAX_RETRIES` when set.
    pub fn from_env() -> Result<Self, LlmError> {
        let mut policy = Self::default();
        let read = |name: &str| -> Result<Option<u64>, LlmError> {
            match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => {
                    v.trim().parse().map(Some).map_err(|_| LlmError::Spec {
                        spec: name.to_owned(),
                        reason: "expected a whole number".to_owned(),
                    })
                }
                _ => Ok(None),
            }
        };
        if let Some(secs) = read("AM_LLM_TIMEOUT_SECS")? {
            policy.timeout = Duration::from_secs(secs.max(1));
        }
        if let Some(retries) = read("AM_LLM_MAX_RETRIES")? {
            policy.max_retries = u32::try_from(retries).unwrap_or(u32::MAX);
        }
        Ok(policy)
    }

    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

enum Attempt {
    Done(Value),
    Retry {
        wait: Option<Duration>,
        error: LlmError,
    },
    Fail(LlmError),
}

/// Sends the request built by `build` until it succeeds, fails for good, or retries run out;
/// returns the JSON body of the successful response. Error bodies are redacted with `redactor`
/// before they are cut, so a secret the server echoes never leaks in part.
pub async fn send_json(
    build: impl Fn() -> RequestBuilder,
    provider: &str,
    policy: &RetryPolicy,
    redactor: &Redactor,
) -> Result<Value, LlmError> {
    let mut retry = 0;
    loop {
        let attempt = attempt(
            build().timeout(policy.timeout),
            provider,
            policy,
            retry,
            redactor,
        )
        .await;
        match attempt {
            Attempt::Done(value) => return Ok(value),
            Attempt::Fail(error) => return Err(error),
            Attempt::Retry { wait, error } => {
                if retry >= policy.max_retries {
                    return Err(error);
                }
                let wait = wait
                    .unwrap_or_else(|| policy.backoff(retry))
                    .min(policy.max_delay);
                tracing::warn!(
                    provider,
                    retry = retry + 1,
                    wait_secs = wait.as_secs_f64(),
                    "{error}; retrying"
                );
                tokio::time::sleep(wait).await;
                retry += 1;
            }
        }
    }
}

async fn attempt(
    request: RequestBuilder,
    provider: &str,
    policy: &RetryPolicy,
    retry: u32,
    redactor: &Redactor,
) -> Attempt {
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) if e.is_timeout() => {
            return Attempt::Retry {
                wait: None,
                error: LlmError::Timeout {
                    provider: provider.to_owned(),
                    seconds: policy.timeout.as_secs(),
                    attempts: retry + 1,
                },
            }
        }
        Err(e) => {
            return Attempt::Retry {
                wait: None,
                error: LlmError::Transport {
                    provider: provider.to_owned(),
                    reason: redactor.redact(&error_chain(&e)),
                },
            }
        }
    };
    let status = response.status();
    let retry_after = retry_after(&response);
    let body = match response.text().await {
        Ok(body) => body,
        Err(e) if e.is_timeout() => {
            return Attempt::Retry {
                wait: None,
                error: LlmError::Timeout {
                    provider: provider.to_owned(),
                    seconds: policy.timeout.as_secs(),
                    attempts: retry + 1,
                },
            }
        }
        Err(e) => {
            return Attempt::Retry {
                wait: None,
                error: LlmError::Transport {
                    provider: provider.to_owned(),
                    reason: redactor.redact(&error_chain(&e)),
                },
            }
        }
    };
    if status.is_success() {
        return match serde_json::from_str(&body) {
            Ok(value) => Attempt::Done(value),
            Err(e) => Attempt::Fail(LlmError::Protocol {
                provider: provider.to_owned(),
                reason: format!("the response body is not JSON: {e}"),
            }),
        };
    }
    let error = LlmError::Http {
        provider: provider.to_owned(),
        status: status.as_u16(),
        body: snippet(&redactor.redact(&body)),
    };
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        Attempt::Retry {
            wait: retry_after,
            error,
        }
    } else {
        Attempt::Fail(error)
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare from these APIs and falls back to the
/// backoff). A value too large for a `Duration` (`1e30`) is the longest wait, which the caller
/// then cuts to the policy's limit.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    parse_retry_after(
        response
            .headers()
            .get(reqwest::header::RETRY_AFTER)?
            .to_str()
            .ok()?,
    )
}

fn parse_retry_after(value: &str) -> Option<Duration> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| !s.is_nan() && *s >= 0.0)
        .map(|s| Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX))
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The start of an error body, enough to say what the server objected to.
fn snippet(body: &str) -> String {
    const MAX: usize = 500;
    let body = body.trim();
    match body.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}...", &body[..end]),
        None => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        assert_eq!(policy.backoff(0), Duration::from_millis(100));
        assert_eq!(policy.backoff(1), Duration::from_millis(200));
        assert_eq!(policy.backoff(2), Duration::from_millis(350));
        assert_eq!(policy.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn huge_retry_after_values_do_not_overflow() {
        assert_eq!(parse_retry_after("1e30"), Some(Duration::MAX));
        assert_eq!(parse_retry_after("inf"), Some(Duration::MAX));
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("NaN"), None);
        let policy = RetryPolicy::default();
        assert_eq!(
            parse_retry_after("1e30").unwrap().min(policy.max_delay),
            policy.max_delay
        );
    }

    #[test]
    fn long_bodies_are_cut() {
        assert_eq!(snippet(" short "), "short");
        assert!(snippet(&"x".repeat(2000)).ends_with("..."));
    }
}
