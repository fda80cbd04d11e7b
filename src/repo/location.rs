//! Where a target repository lives, as given to am-setup: a URL (https, ssh, scp-like, file) or
//! a local path, checked before anything touches the disk.

use std::path::{Path, PathBuf};

use crate::contract::InputError;

/// A repository the run may clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A remote URL, without credentials.
    Url(String),
    /// An existing git repository on this machine (absolute, canonical).
    Path(PathBuf),
}

impl Location {
    /// Parses `repository` (the input field of that name); a local path must hold a repository.
    pub fn parse(repository: &str) -> Result<Self, InputError> {
        let field = "repository";
        let text = repository.trim();
        if text.is_empty() {
            return Err(InputError::field(field, "a repository URL or path"));
        }
        if let Some(rest) = text.strip_prefix("file://") {
            return Self::local(Path::new(rest), field);
        }
        if text.contains("://") {
            let url = url::Url::parse(text)
                .map_err(|e| InputError::field(field, format!("a valid URL ({e})")))?;
            if !matches!(url.scheme(), "https" | "http" | "ssh" | "git") {
                return Err(InputError::field(
                    field,
                    "an https, ssh or git URL or a local path",
                ));
            }
            if url.password().is_some() {
                // A token in the URL would end up in .git/config; it belongs in GITHUB_TOKEN.
                return Err(InputError::field(
                    field,
                    "a URL without credentials (set GITHUB_TOKEN instead)",
                ));
            }
            return Ok(Self::Url(text.to_owned()));
        }
        if is_scp_like(text) {
            return Ok(Self::Url(text.to_owned()));
        }
        Self::local(Path::new(text), field)
    }

    fn local(path: &Path, field: &str) -> Result<Self, InputError> {
        let canonical = path.canonicalize().map_err(|_| {
            InputError::field(
                field,
                format!("an existing path ({} does not exist)", path.display()),
            )
        })?;
        // Judged from its files first, as libgit2 would (`local_clone`): libgit2's first use
        // waits for its start, which `automaintainer run` begins in the background.
        if !super::local_clone::is_repository(&canonical) {
            return Err(InputError::field(
                field,
                format!("a git repository ({} is none)", canonical.display()),
            ));
        }
        Ok(Self::Path(canonical))
    }

    /// What libgit2 fetches from.
    pub fn fetch_url(&self) -> String {
        match self {
            Self::Url(url) => url.clone(),
            Self::Path(path) => path.display().to_string(),
        }
    }

    /// A short, file-name-safe name: the last path segment without `.git`.
    pub fn short_name(&self) -> String {
        let url = self.fetch_url();
        let last = url
            .trim_end_matches('/')
            .rsplit(['/', ':'])
            .next()
            .unwrap_or("repo")
            .trim_end_matches(".git")
            .to_owned();
        let safe: String = last
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if safe.is_empty() {
            "repo".to_owned()
        } else {
            safe
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(self, Self::Path(_))
    }
}

/// `git@host:owner/name.git`: a user, a host, a colon, and no slash before the colon.
fn is_scp_like(text: &str) -> bool {
    match text.split_once(':') {
        Some((before, after)) => before.contains('@') && !before.contains('/') && !after.is_empty(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_urls_and_rejects_credentials() {
        assert_eq!(
            Location::parse("https://github.com/o/r.git").unwrap(),
            Location::Url("https://github.com/o/r.git".into())
        );
        assert!(matches!(
            Location::parse("git@github.com:o/r.git").unwrap(),
            Location::Url(_)
        ));
        let e = Location::parse("https://x:ghp_secret@github.com/o/r").unwrap_err();
        assert!(e.to_string().contains("without credentials"), "{e}");
        let e = Location::parse("ftp://host/r").unwrap_err();
        assert!(e.to_string().contains("field `repository`"), "{e}");
    }

    #[test]
    fn a_local_path_is_a_repository_where_libgit2_opens_one() {
        let dir = tempfile::tempdir().unwrap();
        for (path, expected) in crate::repo::test_git::repositories_of_every_kind(dir.path()) {
            let text = path.to_str().unwrap();
            assert_eq!(Location::parse(text).is_ok(), expected, "{text}");
            let url = format!("file://{text}");
            assert_eq!(Location::parse(&url).is_ok(), expected, "{url}");
        }
    }

    #[test]
    fn a_local_path_must_be_a_repository() {
        let dir = tempfile::tempdir().unwrap();
        let e = Location::parse(dir.path().to_str().unwrap()).unwrap_err();
        assert!(e.to_string().contains("a git repository"), "{e}");
        let e = Location::parse("/no/such/dir").unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        git2::Repository::init(dir.path()).unwrap();
        assert!(Location::parse(dir.path().to_str().unwrap())
            .unwrap()
            .is_local());
    }

    #[test]
    fn short_names_are_file_safe() {
        assert_eq!(
            Location::Url("https://h/o/my.repo.git".into()).short_name(),
            "my_repo"
        );
        assert_eq!(Location::Url("git@h:o/r.git".into()).short_name(), "r");
    }
}
