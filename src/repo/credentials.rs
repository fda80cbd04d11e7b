//! Authentication for fetches and pushes: the token goes to libgit2 through the credential
//! callback only, so it never lands in `.git/config`, a remote URL, a log line or an output; and
//! it is offered only over https to the configured GitHub host (`AM_GITHUB_API_URL`'s host, or
//! github.com), never to a plain-http URL or another host that asks.

use std::cell::Cell;

use git2::{Cred, CredentialType, RemoteCallbacks};

use crate::secrets::Secret;

/// The username GitHub expects alongside a token over https.
const TOKEN_USER: &str = "x-access-token";

/// Callbacks that answer libgit2's credential requests: the token for https to the GitHub
/// host, the SSH agent for ssh. Each kind is offered once, because libgit2 asks again after a
/// refusal and would loop.
pub fn callbacks(token: Option<&Secret>) -> RemoteCallbacks<'_> {
    let mut callbacks = RemoteCallbacks::new();
    let asked = Asked::default();
    let host = crate::github::git_host();
    callbacks.credentials(move |url, username, allowed| {
        let token = token.filter(|_| token_may_go_to(url, &host));
        answer(&asked, token, username, allowed)
    });
    callbacks
}

/// Whether `url` is an https URL on `host` (letter case aside, default port only).
pub(crate) fn token_may_go_to(url: &str, host: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    let offered = parsed.scheme() == "https"
        && parsed.port().is_none()
        && parsed
            .host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(host));
    if !offered {
        tracing::warn!(
            "not offering the GitHub token to {}: it goes only over https to {host}",
            redacted_url(&parsed)
        );
    }
    offered
}

/// The URL without user information, for a log line.
fn redacted_url(url: &url::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// Which kinds of credentials were already offered in this fetch.
#[derive(Debug, Default)]
struct Asked {
    token: Cell<bool>,
    agent: Cell<bool>,
    default: Cell<bool>,
}

fn answer(
    asked: &Asked,
    token: Option<&Secret>,
    username: Option<&str>,
    allowed: CredentialType,
) -> Result<Cred, git2::Error> {
    if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) && !asked.token.replace(true) {
        if let Some(token) = token {
            return Cred::userpass_plaintext(TOKEN_USER, token.expose());
        }
    }
    if allowed.contains(CredentialType::SSH_KEY) && !asked.agent.replace(true) {
        return Cred::ssh_key_from_agent(username.unwrap_or("git"));
    }
    if allowed.contains(CredentialType::USERNAME) {
        return Cred::username(username.unwrap_or("git"));
    }
    if allowed.contains(CredentialType::DEFAULT) && !asked.default.replace(true) {
        return Cred::default();
    }
    Err(git2::Error::new(
        git2::ErrorCode::Auth,
        git2::ErrorClass::Callback,
        "authentication failed: no accepted credentials left to offer",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_the_token_once_then_gives_up() {
        let asked = Asked::default();
        let token = Secret::new("ghp_test_token");
        let first = answer(
            &asked,
            Some(&token),
            None,
            CredentialType::USER_PASS_PLAINTEXT,
        );
        assert!(first.is_ok());
        let again = answer(
            &asked,
            Some(&token),
            None,
            CredentialType::USER_PASS_PLAINTEXT,
        );
        let e = again.err().unwrap();
        assert_eq!(e.code(), git2::ErrorCode::Auth);
    }

    #[test]
    fn the_token_goes_only_over_https_to_the_github_host() {
        for (url, offered) in [
            ("https://github.com/o/r.git", true),
            ("https://GitHub.com/o/r", true),
            ("http://github.com/o/r.git", false),
            ("https://evil.example/o/r.git", false),
            ("https://github.com.evil.example/o/r.git", false),
            ("https://github.com:8443/o/r.git", false),
            ("https://x@evil.example/github.com/o/r", false),
            ("ssh://git@github.com/o/r.git", false),
            ("not a url", false),
        ] {
            assert_eq!(token_may_go_to(url, "github.com"), offered, "{url}");
        }
        assert!(token_may_go_to(
            "https://ghe.example.com/o/r.git",
            "ghe.example.com"
        ));
    }

    #[test]
    fn a_refused_host_gets_no_token_from_the_callback() {
        // The callback as libgit2 calls it: an http URL asking for a user and password.
        let token = Secret::new("ghp_test_token");
        let host = "github.com";
        let asked = Asked::default();
        let url = "http://github.com/o/r.git";
        let given = token_may_go_to(url, host).then_some(&token);
        let e = answer(&asked, given, None, CredentialType::USER_PASS_PLAINTEXT)
            .err()
            .unwrap();
        assert_eq!(e.code(), git2::ErrorCode::Auth);
    }

    #[test]
    fn without_a_token_https_fails_as_authentication() {
        let asked = Asked::default();
        let e = answer(&asked, None, None, CredentialType::USER_PASS_PLAINTEXT)
            .err()
            .unwrap();
        assert_eq!(e.code(), git2::ErrorCode::Auth);
    }
}
