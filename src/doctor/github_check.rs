//! The GitHub token, only when asked: `GET /user` on the configured API (`AM_GITHUB_API_URL`, else
//! api.github.com) and the scopes GitHub lists for the token (`X-OAuth-Scopes`). The token is
//! sent to that API only, and never printed.

use std::time::Duration;

use super::report::{Check, Level, Section};
use crate::secrets::Secret;

const TIMEOUT: Duration = Duration::from_secs(10);

pub async fn check_github(token: Option<&Secret>, api_base: &str) -> Check {
    let (level, status, hint) = match token {
        None => (
            Level::Problem,
            "GITHUB_TOKEN is not set".to_owned(),
            Some(
                "runs use the local forge; set GITHUB_TOKEN to open pull requests on GitHub"
                    .to_owned(),
            ),
        ),
        Some(token) => ask(token, api_base).await,
    };
    Check {
        section: Section::Github,
        name: "GitHub token".to_owned(),
        level,
        status,
        used_for: "opening and following pull requests on GitHub, reading CodeRabbit's reviews"
            .to_owned(),
        hint,
    }
}

async fn ask(token: &Secret, api_base: &str) -> (Level, String, Option<String>) {
    let url = format!("{}/user", api_base.trim_end_matches('/'));
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => return (Level::Problem, format!("no HTTP client: {error}"), None),
    };
    let response = client
        .get(&url)
        .bearer_auth(token.expose())
        .header("User-Agent", "automaintainer-doctor")
        .header("Accept", "application/vnd.github+json")
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => {
            return (
                Level::Problem,
                format!("{api_base} did not answer ({})", without_url(&error)),
                Some("check AM_GITHUB_API_URL and the network".to_owned()),
            )
        }
    };
    let status = response.status();
    let scopes = response
        .headers()
        .get("x-oauth-scopes")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        });
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return (
            Level::Problem,
            "the token was refused (401)".to_owned(),
            Some("the token is wrong or expired: make a new one".to_owned()),
        );
    }
    if !status.is_success() {
        return (Level::Problem, format!("GET /user answered {status}"), None);
    }
    let login = response
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|v| v.get("login").and_then(|l| l.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned());
    verdict(&login, scopes.as_deref())
}

/// Whether the scopes allow pushing a branch and opening a pull request.
fn verdict(login: &str, scopes: Option<&[String]>) -> (Level, String, Option<String>) {
    match scopes {
        None => (
            Level::Ok,
            format!("{login}: a fine-grained token (GitHub lists no scopes for it)"),
            Some("it needs Contents and Pull requests: read and write, on the repositories".to_owned()),
        ),
        Some(scopes) if scopes.iter().any(|s| s == "repo") => (
            Level::Ok,
            format!("{login}: scopes {}", scopes.join(", ")),
            None,
        ),
        Some(scopes) if scopes.iter().any(|s| s == "public_repo") => (
            Level::Warning,
            format!("{login}: scopes {}", scopes.join(", ")),
            Some("public_repo reaches public repositories only; private ones need `repo`".to_owned()),
        ),
        Some(scopes) => (
            Level::Problem,
            format!(
                "{login}: scopes {}",
                if scopes.is_empty() {
                    "none".to_owned()
                } else {
                    scopes.join(", ")
                }
            ),
            Some("the token needs the `repo` scope (or `public_repo`) to push and open pull requests".to_owned()),
        ),
    }
}

/// reqwest's error text without the URL it names (the URL holds no token, but stays short).
fn without_url(error: &reqwest::Error) -> String {
    let text = error.to_string();
    match error.url() {
        Some(url) => text.replace(url.as_str(), "").replace(" ()", ""),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_decide() {
        let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(verdict("me", Some(&s(&["repo", "workflow"]))).0, Level::Ok);
        assert_eq!(verdict("me", Some(&s(&["public_repo"]))).0, Level::Warning);
        assert_eq!(verdict("me", Some(&s(&["read:user"]))).0, Level::Problem);
        assert_eq!(verdict("me", Some(&[])).0, Level::Problem);
        assert_eq!(verdict("me", None).0, Level::Ok);
    }
}
