//! What a repository name stored before there was one identity per repository becomes: the
//! identity, where it can be known from the text alone. URLs, scp-like locations, `file://`
//! URLs and absolute paths map as [`identity`] maps them; `owner/name`, as older releases keyed
//! GitHub pull requests, becomes `github.com/owner/name` when the store says the repository's
//! pull requests live on GitHub. A relative path is left as it is: the directory it was relative
//! to is not known.

use super::identity::identity;

/// The identity `stored` is rewritten to, or None when it stays (already an identity, or not
/// knowable). `on_github`: the store has GitHub pull requests under this name.
pub fn rewritten(stored: &str, on_github: bool) -> Option<String> {
    let text = stored.trim();
    if text.is_empty() {
        return None;
    }
    let canonical = if on_github && is_owner_and_name(text) {
        format!("github.com/{}", text.trim_end_matches('/')).to_lowercase()
    } else if text.contains("://")
        || is_scp_like(text)
        || text.starts_with('/')
        || is_hosted_identity(text)
    {
        identity(text)
    } else {
        return None;
    };
    (canonical != stored).then_some(canonical)
}

/// `owner/name`: two non-empty segments, the first no host name.
fn is_owner_and_name(text: &str) -> bool {
    let text = text.trim_end_matches('/');
    let mut parts = text.split('/');
    let (Some(owner), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !owner.is_empty()
        && !name.is_empty()
        && !owner.contains('.')
        && !text.starts_with(['.', '~'])
        && !text.contains(':')
}

/// `user@host:path`.
fn is_scp_like(text: &str) -> bool {
    text.split_once(':').is_some_and(|(before, after)| {
        before.contains('@') && !before.contains('/') && !after.is_empty()
    })
}

/// `host.tld/owner/name`, spelled in any case or with a trailing slash.
fn is_hosted_identity(text: &str) -> bool {
    let mut segments = text.split('/');
    let host = segments.next().unwrap_or_default();
    !text.starts_with(['.', '~'])
        && host.contains('.')
        && segments.filter(|s| !s.is_empty()).count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_spellings_become_the_identity_and_identities_stay() {
        for (stored, on_github, expected) in [
            (
                "https://github.com/Octo/Hello.git",
                false,
                Some("github.com/octo/hello"),
            ),
            (
                "git@github.com:octo/hello.git",
                false,
                Some("github.com/octo/hello"),
            ),
            ("Octo/Hello", true, Some("github.com/octo/hello")),
            (
                "GitHub.com/Octo/Hello/",
                false,
                Some("github.com/octo/hello"),
            ),
            ("file:///srv/git/x.git/", false, Some("/srv/git/x.git")),
            ("/srv/git/../git/x.git/", false, Some("/srv/git/x.git")),
            ("github.com/octo/hello", false, None),
            ("/srv/git/x.git", false, None),
            // Not knowable from the text: a relative path, `owner/name` off GitHub.
            ("../x", false, None),
            ("octo/hello", false, None),
            ("", true, None),
        ] {
            assert_eq!(
                rewritten(stored, on_github).as_deref(),
                expected,
                "{stored} (on GitHub: {on_github})"
            );
        }
    }
}
