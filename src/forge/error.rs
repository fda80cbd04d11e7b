//! What can go wrong talking to a forge or reviewing a pull request; messages read after
//! "failed to".

use crate::repo::push::PushError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    #[error("reach the GitHub API to {action}")]
    Transport {
        action: String,
        #[source]
        source: octocrab::Error,
    },
    #[error("{action}: GitHub answered {status}: {message}")]
    Api {
        action: String,
        status: u16,
        message: String,
    },
    /// 422: GitHub understood the request and refused it; its message says why.
    #[error("{action}: GitHub rejected the request: {message}")]
    Validation { action: String, message: String },
    #[error(
        "{action}: still rate limited after waiting {waited_secs}s (the limit is {limit_secs}s)"
    )]
    RateLimited {
        action: String,
        waited_secs: u64,
        limit_secs: u64,
    },
    #[error("{action}: GitHub's answer is not the JSON expected")]
    Decode {
        action: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("build the GitHub client: {0}")]
    Client(String),
    /// A blocking step (git, a diff) run on a worker thread that did not finish.
    #[error("{0}: the worker thread stopped")]
    Worker(String),
    #[error(transparent)]
    Push(#[from] PushError),
    /// Working out what to push over the remote branch failed.
    #[error("work out the update of the pull request's branch")]
    Lease(#[source] Box<crate::repo::RepoError>),
    #[error("{action}")]
    Git {
        action: String,
        #[source]
        source: git2::Error,
    },
    #[error("{action}")]
    Store {
        action: String,
        #[source]
        source: StoreError,
    },
}

impl ForgeError {
    pub fn git(action: impl Into<String>, source: git2::Error) -> Self {
        Self::Git {
            action: action.into(),
            source,
        }
    }

    pub fn store(action: impl Into<String>, source: StoreError) -> Self {
        Self::Store {
            action: action.into(),
            source,
        }
    }
}
