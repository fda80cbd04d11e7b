//! One name per repository, however it was spelled: the store's rows, the mirrors, their locks
//! and the dashboard all use it.
//!
//! - A local path: absolute, symlinks resolved, no trailing slash, `file://` stripped
//!   (`file:///x`, `x/` and `../x` are one repository).
//! - A hosted repository: `host/owner/name`, lower case, without scheme, user, port, `.git` or
//!   trailing slash (`https://github.com/O/R/`, `git@github.com:o/r.git` and
//!   `ssh://git@github.com/o/r` are all `github.com/o/r`; GitHub Enterprise hosts likewise).

use std::path::{Component, Path, PathBuf};

/// The repository's identity.
pub fn identity(repository: &str) -> String {
    let text = repository.trim();
    if let Some(rest) = text.strip_prefix("file://") {
        return local(rest);
    }
    if let Some(hosted) = hosted(text) {
        return hosted;
    }
    if is_identity(text) {
        return text.trim_end_matches('/').to_lowercase();
    }
    local(text)
}

/// An identity already (`host/owner/name`): no such path here, and a first segment that is a
/// host name; so the identity of an identity is itself.
fn is_identity(text: &str) -> bool {
    let mut segments = text.split('/');
    let host = segments.next().unwrap_or_default();
    !text.starts_with(['/', '.', '~'])
        && host.contains('.')
        && segments.filter(|s| !s.is_empty()).count() >= 2
        && !Path::new(text).exists()
}

/// `host/owner/name` of a URL or scp-like location; None for a local path.
fn hosted(text: &str) -> Option<String> {
    let (host, path) = if text.contains("://") {
        let url = url::Url::parse(text).ok()?;
        (url.host_str()?.to_owned(), url.path().to_owned())
    } else {
        // git@host:owner/name(.git): a user, a host, a colon, no slash before it.
        let (before, after) = text.split_once(':')?;
        if !before.contains('@') || before.contains('/') || after.is_empty() {
            return None;
        }
        let host = before.rsplit('@').next()?.to_owned();
        (host, after.to_owned())
    };
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    if host.is_empty() || path.is_empty() {
        return None;
    }
    Some(format!("{host}/{path}").to_lowercase())
}

/// An absolute path with symlinks resolved where it exists, lexically cleaned where it does not.
fn local(text: &str) -> String {
    let path = Path::new(text);
    if let Ok(canonical) = path.canonicalize() {
        return without_trailing_slash(&canonical);
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut clean = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    without_trailing_slash(&clean)
}

fn without_trailing_slash(path: &Path) -> String {
    let text = path.display().to_string();
    if text.len() > 1 {
        text.trim_end_matches('/').to_owned()
    } else {
        text
    }
}

/// The `owner/name` part of a GitHub identity (`github.com/owner/name`), for API paths.
pub fn owner_and_name(identity: &str) -> Option<(&str, &str)> {
    let mut parts = identity.rsplitn(3, '/');
    let name = parts.next()?;
    let owner = parts.next()?;
    parts.next()?;
    Some((owner, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_github_repository_is_one() {
        for spelling in [
            "https://github.com/Octo/Hello",
            "https://github.com/octo/hello.git",
            "https://github.com/O%63to/hello/"
                .replace("%63", "c")
                .as_str(),
            "git@github.com:octo/hello.git",
            "ssh://git@github.com/octo/hello",
            "ssh://git@github.com:22/Octo/Hello.git/",
            "http://GitHub.com/octo/hello",
        ] {
            assert_eq!(identity(spelling), "github.com/octo/hello", "{spelling}");
        }
        assert_eq!(
            identity("https://git.corp.example/Team/Tool.git"),
            "git.corp.example/team/tool"
        );
        assert_eq!(
            owner_and_name("github.com/octo/hello"),
            Some(("octo", "hello"))
        );
        assert_eq!(owner_and_name("octo/hello"), None);
    }

    #[test]
    fn every_spelling_of_a_local_path_is_one() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().canonicalize().unwrap().join("x");
        std::fs::create_dir_all(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let expected = real.display().to_string();
        for spelling in [
            format!("file://{}", real.display()),
            format!("{}/", real.display()),
            format!("{}/../x", real.display()),
            link.display().to_string(),
            format!("  {}  ", real.display()),
        ] {
            assert_eq!(identity(&spelling), expected, "{spelling}");
        }
        assert_eq!(identity("/no/such/../place/"), "/no/place");
    }
}
