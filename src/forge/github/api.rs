//! GitHub REST calls that wait out rate limits, retry server errors and report GitHub's own
//! message for a refused request.
//!
//! Why octocrab's raw `_get`/`_post`/`_patch` and not its typed methods: the typed methods turn a
//! response into `octocrab::Error::GitHub`, which keeps the status and message but drops the
//! headers (`Retry-After`, `x-ratelimit-reset`, `Link`) these calls depend on. The raw methods
//! still give octocrab's authentication, base URL and TLS. Octocrab's own retry layer is turned
//! off: it resends a 429 at once, ignoring `Retry-After`, which GitHub punishes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use octocrab::Octocrab;
use serde_json::Value;

use super::rate_limit::{judge, next_link, Verdict};
use crate::forge::ForgeError;
use crate::secrets::Secret;

/// How long to keep trying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total time rate limits may be waited out, per call.
    pub max_wait: Duration,
    /// Retries of a server error.
    pub server_retries: u32,
    /// The first backoff after a server error; doubled each time.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_wait: Duration::from_secs(300),
            server_retries: 3,
            backoff: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Get,
    Post,
    Patch,
}

/// The most pages read from one listing; a guard against a server that always says "next".
const MAX_PAGES: usize = 50;

/// An authenticated GitHub REST client.
#[derive(Debug, Clone)]
pub struct GitHubApi {
    client: Octocrab,
    /// The path part of the base URL (`/api/v3` on GitHub Enterprise), stripped from `Link`
    /// URLs because octocrab prefixes it again.
    base_path: String,
    policy: RetryPolicy,
}

impl GitHubApi {
    pub fn new(
        base_url: &str,
        token: Option<&Secret>,
        policy: RetryPolicy,
    ) -> Result<Self, ForgeError> {
        let client = crate::github::client(base_url, token).map_err(ForgeError::Client)?;
        let base_path = url::Url::parse(base_url)
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        Ok(Self {
            client,
            base_path,
            policy,
        })
    }

    pub async fn get(&self, path: &str, action: &str) -> Result<Value, ForgeError> {
        Ok(self.send(Verb::Get, path, None, action).await?.0)
    }

    pub async fn post(&self, path: &str, body: &Value, action: &str) -> Result<Value, ForgeError> {
        Ok(self.send(Verb::Post, path, Some(body), action).await?.0)
    }

    pub async fn patch(&self, path: &str, body: &Value, action: &str) -> Result<Value, ForgeError> {
        Ok(self.send(Verb::Patch, path, Some(body), action).await?.0)
    }

    /// Every item of a paginated listing, following `Link: rel="next"`.
    pub async fn get_all(&self, path: &str, action: &str) -> Result<Vec<Value>, ForgeError> {
        let mut items = Vec::new();
        let mut next = Some(path.to_owned());
        let mut pages = 0;
        while let Some(page) = next.take() {
            pages += 1;
            let (value, link) = self.send(Verb::Get, &page, None, action).await?;
            match value {
                Value::Array(page_items) => items.extend(page_items),
                other => {
                    return Err(ForgeError::Api {
                        action: action.to_owned(),
                        status: 200,
                        message: format!("expected a list, got {}", kind_of(&other)),
                    })
                }
            }
            if pages < MAX_PAGES {
                next = link.map(|url| self.relative(&url));
            }
        }
        Ok(items)
    }

    /// A `Link` URL as a path octocrab joins to its base (so the token goes with it: octocrab
    /// only authenticates requests without a host of their own, or to api.github.com).
    fn relative(&self, url: &str) -> String {
        let Ok(parsed) = url::Url::parse(url) else {
            return url.to_owned();
        };
        let path = parsed.path();
        let path = path.strip_prefix(self.base_path.as_str()).unwrap_or(path);
        match parsed.query() {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        }
    }

    async fn send(
        &self,
        verb: Verb,
        path: &str,
        body: Option<&Value>,
        action: &str,
    ) -> Result<(Value, Option<String>), ForgeError> {
        let mut waited = Duration::ZERO;
        let mut server_errors = 0u32;
        loop {
            let response = match verb {
                Verb::Get => self.client._get(path).await,
                Verb::Post => self.client._post(path, body).await,
                Verb::Patch => self.client._patch(path, body).await,
            }
            .map_err(|source| ForgeError::Transport {
                action: action.to_owned(),
                source,
            })?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let text = self
                .client
                .body_to_string(response)
                .await
                .map_err(|source| ForgeError::Transport {
                    action: action.to_owned(),
                    source,
                })?;
            match judge(status, &headers, &text, now_epoch_secs()) {
                Verdict::Success => {
                    let value = if text.trim().is_empty() {
                        Value::Null
                    } else {
                        serde_json::from_str(&text).map_err(|source| ForgeError::Decode {
                            action: action.to_owned(),
                            source,
                        })?
                    };
                    return Ok((value, next_link(&headers)));
                }
                Verdict::WaitAndRetry(wait) => {
                    if waited.saturating_add(wait) > self.policy.max_wait {
                        return Err(ForgeError::RateLimited {
                            action: action.to_owned(),
                            waited_secs: waited.as_secs(),
                            limit_secs: self.policy.max_wait.as_secs(),
                        });
                    }
                    tracing::warn!(
                        "GitHub rate limit on {action}: waiting {}s as it asks",
                        wait.as_secs()
                    );
                    tokio::time::sleep(wait).await;
                    waited += wait;
                }
                Verdict::ServerError if server_errors < self.policy.server_retries => {
                    let backoff = self
                        .policy
                        .backoff
                        .saturating_mul(2u32.saturating_pow(server_errors));
                    server_errors += 1;
                    tracing::warn!(
                        "GitHub answered {status} to {action}: retrying in {}s",
                        backoff.as_secs_f64()
                    );
                    tokio::time::sleep(backoff).await;
                }
                Verdict::ServerError | Verdict::Fail => {
                    return Err(failure(action, status, &text));
                }
            }
        }
    }
}

fn failure(action: &str, status: u16, text: &str) -> ForgeError {
    let message = github_message(text);
    if status == 422 {
        ForgeError::Validation {
            action: action.to_owned(),
            message,
        }
    } else {
        ForgeError::Api {
            action: action.to_owned(),
            status,
            message,
        }
    }
}

/// GitHub's `message`, with the `errors[].message` (or code and field) a 422 carries.
pub fn github_message(text: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        let line = text.lines().next().unwrap_or_default().trim();
        return if line.is_empty() {
            "no message".to_owned()
        } else {
            line.chars().take(200).collect()
        };
    };
    let mut message = value["message"].as_str().unwrap_or("no message").to_owned();
    let details: Vec<String> = value["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| match e {
            Value::String(s) => Some(s.clone()),
            Value::Object(_) => e["message"].as_str().map(str::to_owned).or_else(|| {
                let code = e["code"].as_str()?;
                Some(format!(
                    "{} {}",
                    e["field"].as_str().unwrap_or("field"),
                    code
                ))
            }),
            _ => None,
        })
        .collect();
    if !details.is_empty() {
        message = format!("{message}: {}", details.join("; "));
    }
    message
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn now_epoch_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages_carry_the_details() {
        let text = r#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for octo:am/x."}]}"#;
        assert_eq!(
            github_message(text),
            "Validation Failed: A pull request already exists for octo:am/x."
        );
        let text = r#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","field":"base","code":"invalid"}]}"#;
        assert_eq!(github_message(text), "Validation Failed: base invalid");
        assert_eq!(github_message("<html>bad gateway"), "<html>bad gateway");
    }
}
