//! Secrets: read from the environment only, hidden from `Debug`, and redacted from everything the
//! binaries print, store or write.

use std::fmt;

use regex::Regex;

mod encoded;

/// The environment variables that may carry secrets. Nothing else is ever read as a secret, and
/// these are never read from JSON input.
pub const SECRET_VARIABLES: [&str; 6] = [
    "GITHUB_TOKEN",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "DATABASE_URL",
    "KESTRA_PASSWORD",
    "AM_WEBHOOK_URL",
];

/// A secret value. Its `Debug` and `Display` never show it; `expose` is the one way out.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that must send it (a header, a connection string).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Every secret the process was given, from the environment.
#[derive(Clone, Default, Debug)]
pub struct Secrets {
    pub github_token: Option<Secret>,
    pub anthropic_api_key: Option<Secret>,
    pub openai_api_key: Option<Secret>,
    pub database_url: Option<Secret>,
    pub kestra_password: Option<Secret>,
    /// The notifications' webhook (Slack, Discord): its URL embeds the token that posts.
    pub webhook_url: Option<Secret>,
}

impl Secrets {
    /// Reads the secret variables from the process environment; empty values count as unset.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the secret variables through `lookup`, so tests need not touch the process
    /// environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty()).map(Secret::new);
        Self {
            github_token: get("GITHUB_TOKEN"),
            anthropic_api_key: get("ANTHROPIC_API_KEY"),
            openai_api_key: get("OPENAI_API_KEY"),
            database_url: get("DATABASE_URL"),
            kestra_password: get("KESTRA_PASSWORD"),
            webhook_url: get("AM_WEBHOOK_URL"),
        }
    }

    /// A redactor that hides every one of these secrets.
    pub fn redactor(&self) -> Redactor {
        let mut values = Vec::new();
        for secret in [
            &self.github_token,
            &self.anthropic_api_key,
            &self.openai_api_key,
            &self.database_url,
            &self.kestra_password,
            &self.webhook_url,
        ]
        .into_iter()
        .flatten()
        {
            values.push(secret.expose().to_owned());
        }
        // A database URL's password can show up alone (in a driver's error message), so it is
        // redacted on its own too.
        if let Some(password) = self
            .database_url
            .as_ref()
            .and_then(|url| url::Url::parse(url.expose()).ok())
            .and_then(|url| url.password().map(str::to_owned))
        {
            values.push(password);
        }
        // A webhook's token is its path (Slack: `/services/T/B/<token>`, Discord:
        // `/api/webhooks/<id>/<token>`): an error quoting the path alone hides it too.
        if let Some(path) = self
            .webhook_url
            .as_ref()
            .and_then(|url| url::Url::parse(url.expose()).ok())
            .map(|url| url.path().to_owned())
            .filter(|path| path.len() > 8)
        {
            values.push(path);
        }
        Redactor::new(values)
    }
}

/// Replaces known secret values, and anything shaped like a well-known token, with `[redacted]`.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    values: Vec<String>,
}

/// Token shapes that are secrets wherever they appear, even when nobody told us about them.
fn token_patterns() -> &'static [Regex] {
    static PATTERNS: std::sync::OnceLock<Vec<Regex>> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            r"gh[pousr]_[A-Za-z0-9]{30,}",
            r"github_pat_[A-Za-z0-9_]{30,}",
            r"sk-ant-[A-Za-z0-9_\-]{20,}",
            r"sk-(?:proj-)?[A-Za-z0-9_\-]{20,}",
            r"AKIA[0-9A-Z]{16}",
            r"xox[baprs]-[A-Za-z0-9\-]{10,}",
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
        ]
        .iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect()
    })
}

impl Redactor {
    /// Values shorter than four characters are not redacted: they would blank out ordinary text.
    /// Each value is also redacted in its base64 (standard and URL-safe, at any alignment inside
    /// a longer encoding) and hex forms, so an encoded secret is no way round.
    pub fn new(values: impl IntoIterator<Item = String>) -> Self {
        let mut values: Vec<String> = values
            .into_iter()
            .filter(|v| v.len() >= 4)
            .flat_map(|v| {
                let mut forms = encoded::encoded_forms(&v);
                forms.push(v);
                forms
            })
            .collect();
        // Longest first, so a secret that contains another is replaced whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Self { values }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), "[redacted]");
            }
        }
        for pattern in token_patterns() {
            if pattern.is_match(&out) {
                out = pattern.replace_all(&out, "[redacted]").into_owned();
            }
        }
        out
    }

    /// Redacts every string inside a JSON value, keys included.
    pub fn redact_json(&self, value: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.redact(s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.redact_json(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.redact(k), self.redact_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// Whether `text` holds something shaped like a well-known token (for diff scanning).
pub fn looks_like_token(text: &str) -> bool {
    token_patterns().iter().any(|p| p.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_every_secret() {
        let secrets = Secrets::from_lookup(|name| match name {
            "GITHUB_TOKEN" => Some("tok-abcdef123".into()),
            "DATABASE_URL" => Some("postgres://u:hunter22@db/x".into()),
            _ => None,
        });
        let debug = format!("{secrets:?}");
        assert!(!debug.contains("tok-abcdef123"), "{debug}");
        assert!(!debug.contains("hunter22"), "{debug}");
        assert!(debug.contains("[redacted]"));
    }

    #[test]
    fn redacts_values_passwords_and_token_shapes() {
        let secrets = Secrets::from_lookup(|name| match name {
            "GITHUB_TOKEN" => Some("tok-abcdef123".into()),
            "DATABASE_URL" => Some("postgres://u:hunter22@db/x".into()),
            _ => None,
        });
        let r = secrets.redactor();
        assert_eq!(r.redact("a tok-abcdef123 b"), "a [redacted] b");
        assert_eq!(
            r.redact("password hunter22 wrong"),
            "password [redacted] wrong"
        );
        let gh = format!("ghp_{}", "a".repeat(36));
        assert_eq!(r.redact(&format!("x {gh} y")), "x [redacted] y");
        let json = serde_json::json!({"k": ["tok-abcdef123"]});
        assert_eq!(
            r.redact_json(&json),
            serde_json::json!({"k": ["[redacted]"]})
        );
    }

    #[test]
    fn encoded_forms_of_a_secret_are_redacted() {
        use base64::Engine;
        let key = "sk-test-0123456789abcdef";
        let r = Redactor::new(vec![key.to_owned()]);
        let b64 = base64::engine::general_purpose::STANDARD;
        for text in [
            b64.encode(key),
            b64.encode(format!("x{key}")),
            b64.encode(format!("Authorization: Bearer {key}\n")),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("ab{key}")),
            hex::encode(key),
            hex::encode_upper(format!("--{key}")),
        ] {
            let out = r.redact(&text);
            assert!(out.contains("[redacted]"), "{text} -> {out}");
        }
        assert_eq!(r.redact("ordinary text"), "ordinary text");
    }

    #[test]
    fn empty_and_short_values_are_not_secrets() {
        let secrets = Secrets::from_lookup(|name| (name == "OPENAI_API_KEY").then(String::new));
        assert!(secrets.openai_api_key.is_none());
        assert_eq!(Redactor::new(vec!["ab".into()]).redact("abc"), "abc");
    }
}
