//! What can go wrong with the target repository on disk: messages read after "failed to".

/// Errors of cloning, fetching and reading the target repository.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The remote refused the credentials (or asked for some and none were given).
    #[error("authenticate to {url}: the remote refused the credentials (is GITHUB_TOKEN set and allowed to read it?)")]
    Auth {
        url: String,
        #[source]
        source: git2::Error,
    },
    /// The remote could not be reached at all.
    #[error("reach {url}")]
    Unreachable {
        url: String,
        #[source]
        source: git2::Error,
    },
    /// Another run kept the mirror locked for longer than this run would wait.
    #[error("lock the mirror {}: another run of the same repository held it for {waited:?}", mirror.display())]
    MirrorBusy {
        mirror: std::path::PathBuf,
        waited: std::time::Duration,
    },
    #[error("{action}")]
    Git {
        action: String,
        #[source]
        source: git2::Error,
    },
    #[error("{action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
}

impl RepoError {
    pub fn git(action: impl Into<String>, source: git2::Error) -> Self {
        Self::Git {
            action: action.into(),
            source,
        }
    }

    pub fn io(action: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            action: action.into(),
            source,
        }
    }

    /// Classifies a failed fetch: refused credentials, an unreachable remote, or anything else.
    pub fn fetch(url: &str, source: git2::Error) -> Self {
        use git2::{ErrorClass, ErrorCode};
        let url = url.to_owned();
        if source.code() == ErrorCode::Auth
            || source.message().contains("authentication")
            || source.message().contains("credential")
        {
            return Self::Auth { url, source };
        }
        match source.class() {
            ErrorClass::Net | ErrorClass::Http | ErrorClass::Ssh | ErrorClass::Os => {
                Self::Unreachable { url, source }
            }
            _ if source.code() == ErrorCode::NotFound => Self::Unreachable { url, source },
            _ => Self::git(format!("fetch {url}"), source),
        }
    }
}
