//! The webhook: `AM_WEBHOOK_URL` (a secret: never logged, redacted from every message and
//! error), the JSON it is sent (`{"text": ...}` for Slack and compatible servers, `{"content":
//! ...}` for Discord, chosen by the URL's host unless `AM_WEBHOOK_FORMAT` says `slack`,
//! `discord` or `both`), which events it gets (`AM_WEBHOOK_EVENTS`, all by default) and how
//! long a post may take (`AM_WEBHOOK_TIMEOUT_SECS`, 10). A post that fails (timeout, an HTTP
//! error, nobody listening) is logged as a warning; it never fails the run.

use std::time::Duration;

use serde_json::{json, Value};

use super::Event;
use crate::secrets::{Redactor, Secret, Secrets};

/// Discord refuses a `content` over 2,000 characters.
const DISCORD_MAX_CHARS: usize = 1900;
/// Slack shows long messages folded; a digest of many repositories stays readable.
const SLACK_MAX_CHARS: usize = 3500;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which JSON the webhook takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// `{"text": ...}`: Slack's incoming webhooks, Mattermost, Rocket.Chat, and most others.
    Slack,
    /// `{"content": ...}`: Discord's webhooks.
    Discord,
    /// Both fields, for a relay that passes either on.
    Both,
}

/// A configured webhook.
#[derive(Debug, Clone)]
pub struct Webhook {
    url: Secret,
    format: WebhookFormat,
    events: Option<Vec<String>>,
    timeout: Duration,
    redactor: Redactor,
}

impl Webhook {
    /// The webhook the environment configures; None without `AM_WEBHOOK_URL` (or with one that
    /// is not an http(s) URL, which is warned about without quoting it).
    pub fn from_env(secrets: &Secrets) -> Option<Self> {
        Self::from_lookup(secrets, |name| std::env::var(name).ok())
    }

    pub fn from_lookup(secrets: &Secrets, lookup: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let url = secrets.webhook_url.clone()?;
        let parsed = url::Url::parse(url.expose())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        let Some(parsed) = parsed else {
            tracing::warn!("AM_WEBHOOK_URL is not an http(s) URL; no notification is sent");
            return None;
        };
        let read = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let by_host = match parsed.host_str().unwrap_or_default() {
            "discord.com" | "discordapp.com" | "canary.discord.com" | "ptb.discord.com" => {
                WebhookFormat::Discord
            }
            _ => WebhookFormat::Slack,
        };
        let format = match read("AM_WEBHOOK_FORMAT").as_deref() {
            None | Some("auto") => by_host,
            Some("slack") => WebhookFormat::Slack,
            Some("discord") => WebhookFormat::Discord,
            Some("both") => WebhookFormat::Both,
            Some(other) => {
                tracing::warn!(
                    "AM_WEBHOOK_FORMAT `{other}` is not auto, slack, discord or both; using the URL's host"
                );
                by_host
            }
        };
        let events = read("AM_WEBHOOK_EVENTS").map(|list| {
            list.split(',')
                .map(|e| e.trim().to_ascii_lowercase())
                .filter(|e| !e.is_empty())
                .collect()
        });
        let timeout = read("AM_WEBHOOK_TIMEOUT_SECS")
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
        Some(Self {
            url,
            format,
            events,
            timeout,
            redactor: secrets.redactor(),
        })
    }

    pub fn format(&self) -> WebhookFormat {
        self.format
    }

    /// Whether `AM_WEBHOOK_EVENTS` (all when unset) includes this kind of event.
    pub fn wants(&self, kind: &str) -> bool {
        self.events
            .as_ref()
            .is_none_or(|events| events.iter().any(|e| e == kind))
    }

    /// The JSON body of a message: redacted, then capped to what the server takes.
    pub fn body(&self, text: &str) -> Value {
        let text = self.redactor.redact(text);
        match self.format {
            WebhookFormat::Slack => json!({ "text": cap(&text, SLACK_MAX_CHARS) }),
            WebhookFormat::Discord => json!({ "content": cap(&text, DISCORD_MAX_CHARS) }),
            WebhookFormat::Both => {
                let text = cap(&text, DISCORD_MAX_CHARS);
                json!({ "text": text, "content": text })
            }
        }
    }

    /// Posts the event's message; the reason it could not be delivered, redacted, otherwise.
    pub async fn send(&self, event: &Event) -> Result<(), String> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("automaintainer/", env!("CARGO_PKG_VERSION")))
            .timeout(self.timeout)
            .build()
            .map_err(|e| format!("build the HTTP client: {}", e.without_url()))?;
        let response = client
            .post(self.url.expose())
            .json(&self.body(&event.text()))
            .send()
            .await
            .map_err(|e| self.redactor.redact(&describe(e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        let body: String = body.chars().take(200).collect();
        Err(self.redactor.redact(&format!(
            "the webhook answered HTTP {}: {}",
            status.as_u16(),
            body.trim()
        )))
    }
}

/// What went wrong sending, without the URL (reqwest quotes it, and it holds the token).
fn describe(error: reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "the webhook did not answer in time"
    } else if error.is_connect() {
        "could not connect to the webhook"
    } else {
        "could not post to the webhook"
    };
    let error = error.without_url();
    let mut text = format!("{what}: {error}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

fn cap(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut capped: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    capped.push('…');
    capped
}

/// Tells the configured webhook about `event`, if one is configured and wants it. Never fails:
/// a notification that cannot be delivered is a warning (the reason redacted, the URL never
/// quoted).
pub async fn notify(secrets: &Secrets, event: &Event) {
    let Some(webhook) = Webhook::from_env(secrets) else {
        return;
    };
    deliver(&webhook, event).await;
}

/// Posts `event` to `webhook` when it wants that kind; warns when it cannot.
pub async fn deliver(webhook: &Webhook, event: &Event) -> bool {
    if !webhook.wants(event.kind()) {
        return false;
    }
    match webhook.send(event).await {
        Ok(()) => {
            tracing::info!("notified the webhook: {}", event.kind());
            true
        }
        Err(reason) => {
            tracing::warn!("could not notify the webhook of {}: {reason}", event.kind());
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(url: &str, format: Option<&str>) -> Webhook {
        let secrets = Secrets::from_lookup(|name| match name {
            "AM_WEBHOOK_URL" => Some(url.to_owned()),
            "GITHUB_TOKEN" => Some("ghp_0123456789abcdefghijklmnopqrstuvwxyz".to_owned()),
            _ => None,
        });
        Webhook::from_lookup(&secrets, |name| match name {
            "AM_WEBHOOK_FORMAT" => format.map(str::to_owned),
            "AM_WEBHOOK_EVENTS" => Some("pr_opened, run_failed".to_owned()),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn the_format_follows_the_host_unless_told() {
        let slack = webhook("https://hooks.slack.com/services/T0/B0/abcdefghijkl", None);
        assert_eq!(slack.format(), WebhookFormat::Slack);
        assert_eq!(slack.body("hi"), json!({"text": "hi"}));
        let discord = webhook("https://discord.com/api/webhooks/1/abcdefghijkl", None);
        assert_eq!(discord.body("hi"), json!({"content": "hi"}));
        let both = webhook("https://relay.example/hook", Some("both"));
        assert_eq!(both.body("hi"), json!({"text": "hi", "content": "hi"}));
        assert!(slack.wants("run_failed") && !slack.wants("digest"));
    }

    #[test]
    fn a_message_is_redacted_and_capped() {
        let url = "https://discord.com/api/webhooks/1/abcdefghijkl";
        let discord = webhook(url, None);
        let body = discord.body(&format!(
            "token ghp_0123456789abcdefghijklmnopqrstuvwxyz at {url} {}",
            "x".repeat(5000)
        ));
        let content = body["content"].as_str().unwrap();
        assert!(!content.contains("ghp_0123"), "{content}");
        assert!(!content.contains("abcdefghijkl"), "{content}");
        assert!(content.chars().count() <= DISCORD_MAX_CHARS);
    }

    #[test]
    fn a_url_that_is_not_http_is_no_webhook() {
        let secrets = Secrets::from_lookup(|name| {
            (name == "AM_WEBHOOK_URL").then(|| "ftp://example.org/x".to_owned())
        });
        assert!(Webhook::from_lookup(&secrets, |_| None).is_none());
        assert!(Webhook::from_lookup(&Secrets::default(), |_| None).is_none());
    }
}
