//! The GitHub API client every GitHub-facing part shares (octocrab), with a configurable base
//! URL for GitHub Enterprise and for tests.

use crate::secrets::Secret;

/// `AM_GITHUB_API_URL`, or api.github.com.
pub fn api_base_url() -> String {
    std::env::var("AM_GITHUB_API_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "https://api.github.com".to_owned())
}

/// The host git talks to for GitHub (the one host the token is offered to over https):
/// `AM_GITHUB_HOST`, else the host of `AM_GITHUB_API_URL` (`api.github.com` means `github.com`,
/// an Enterprise API on `ghe.example.com/api/v3` means `ghe.example.com`).
pub fn git_host() -> String {
    if let Some(host) = std::env::var("AM_GITHUB_HOST")
        .ok()
        .filter(|h| !h.trim().is_empty())
    {
        return host.trim().to_ascii_lowercase();
    }
    git_host_of(&api_base_url())
}

fn git_host_of(api_url: &str) -> String {
    let host = url::Url::parse(api_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_else(|| "github.com".to_owned());
    if host == "api.github.com" {
        "github.com".to_owned()
    } else {
        host
    }
}

/// An octocrab client for `base_url`, authenticated with `token` when there is one.
///
/// octocrab's own retry is off: it resends a 429 at once and ignores `Retry-After`. Callers that
/// need retries honour GitHub's rate-limit headers themselves (`forge::github`), and the flows
/// retry whole phases with backoff.
pub fn client(base_url: &str, token: Option<&Secret>) -> Result<octocrab::Octocrab, String> {
    install_crypto_provider();
    let mut builder = octocrab::Octocrab::builder()
        .base_uri(base_url)
        .map_err(|e| format!("invalid GitHub API URL {base_url}: {e}"))?
        .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None);
    if let Some(token) = token {
        builder = builder.personal_token(token.expose().to_owned());
    }
    builder
        .build()
        .map_err(|e| format!("build the GitHub client: {e}"))
}

/// Both of rustls's crypto providers are compiled in (through different dependencies), so rustls
/// cannot pick one itself and would panic on the first TLS client; choose ring for the process.
/// An error only means one is installed already, which is as good.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Splits `https://github.com/owner/name(.git)` or `git@github.com:owner/name.git` into
/// (owner, name).
pub fn owner_and_name(repository: &str) -> Option<(String, String)> {
    let trimmed = repository.trim_end_matches('/').trim_end_matches(".git");
    let path = if let Some(rest) = trimmed.strip_prefix("git@") {
        rest.split_once(':')?.1.to_owned()
    } else if trimmed.contains("://") {
        let url = url::Url::parse(trimmed).ok()?;
        url.path().trim_start_matches('/').to_owned()
    } else {
        return None;
    };
    let mut parts = path.rsplitn(2, '/');
    let name = parts.next()?.to_owned();
    let owner = parts.next()?.rsplit('/').next()?.to_owned();
    (!owner.is_empty() && !name.is_empty()).then_some((owner, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_repository_urls() {
        let expected = Some(("octo".to_owned(), "hello".to_owned()));
        assert_eq!(
            owner_and_name("https://github.com/octo/hello.git"),
            expected
        );
        assert_eq!(owner_and_name("https://github.com/octo/hello"), expected);
        assert_eq!(owner_and_name("git@github.com:octo/hello.git"), expected);
        assert_eq!(owner_and_name("/srv/repos/hello"), None);
    }

    #[test]
    fn the_git_host_follows_the_api_url() {
        assert_eq!(git_host_of("https://api.github.com"), "github.com");
        assert_eq!(
            git_host_of("https://GHE.example.com/api/v3"),
            "ghe.example.com"
        );
        assert_eq!(git_host_of("not a url"), "github.com");
    }
}
