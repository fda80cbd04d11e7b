//! Authentication for fetches: the token goes to libgit2 through the credential callback only,
//! so it never lands in `.git/config`, a remote URL, a log line or an output.

use std::cell::Cell;

use git2::{Cred, CredentialType, RemoteCallbacks};

use crate::secrets::Secret;

/// The username GitHub expects alongside a token over https.
const TOKEN_USER: &str = "x-access-token";

/// Callbacks that answer libgit2's credential requests: the token for https, the SSH agent for
/// ssh. Each kind is offered once, because libgit2 asks again after a refusal and would loop.
pub fn callbacks(token: Option<&Secret>) -> RemoteCallbacks<'_> {
    let mut callbacks = RemoteCallbacks::new();
    let asked = Asked::default();
    callbacks.credentials(move |_url, username, allowed| answer(&asked, token, username, allowed));
    callbacks
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
    fn without_a_token_https_fails_as_authentication() {
        let asked = Asked::default();
        let e = answer(&asked, None, None, CredentialType::USER_PASS_PLAINTEXT)
            .err()
            .unwrap();
        assert_eq!(e.code(), git2::ErrorCode::Auth);
    }
}
