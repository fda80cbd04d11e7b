//! The library's error type. Each variant's message is a lowercase fragment that reads after
//! "failed to"; bad input reads on its own and exits 2.

use crate::contract::{InputError, EXIT_BAD_INPUT, EXIT_FAILURE};
use crate::store::StoreError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input (JSON, a path, a URL, a config file) is wrong; the user must change it.
    #[error(transparent)]
    Input(#[from] InputError),

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Llm(#[from] crate::llm::LlmError),

    #[error(transparent)]
    Kestra(#[from] crate::orchestration::kestra_client::KestraError),

    #[error(transparent)]
    Repo(#[from] crate::repo::RepoError),

    #[error("{action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{action}")]
    Json {
        action: String,
        #[source]
        source: serde_json::Error,
    },

    #[error(transparent)]
    Forge(#[from] crate::forge::ForgeError),

    /// A step that failed for a reason of its own, said in full in `reason`.
    #[error("{step}: {reason}")]
    Step { step: String, reason: String },
}

impl Error {
    pub fn io(action: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            action: action.into(),
            source,
        }
    }

    pub fn json(action: impl Into<String>, source: serde_json::Error) -> Self {
        Self::Json {
            action: action.into(),
            source,
        }
    }

    pub fn step(step: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Step {
            step: step.into(),
            reason: reason.into(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => EXIT_BAD_INPUT,
            _ => EXIT_FAILURE,
        }
    }

    /// The headline, then each cause on a line of its own (`  caused by: ...`), as the binaries
    /// print a failure.
    pub fn chain(&self) -> String {
        let mut text = self.headline();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(&format!("\n  caused by: {cause}"));
            source = cause.source();
        }
        text
    }

    /// The one line a user reads: "bad input: ..." or "failed to ...".
    pub fn headline(&self) -> String {
        match self {
            Self::Input(e) => e.to_string(),
            other => format!("failed to {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_and_exit_codes() {
        let bad = Error::from(InputError::field("repository", "a URL or a path"));
        assert_eq!(bad.exit_code(), 2);
        assert_eq!(
            bad.headline(),
            "bad input: field `repository`: expected a URL or a path"
        );
        let io = Error::io("write context.json", std::io::Error::other("disk full"));
        assert_eq!(io.exit_code(), 1);
        assert_eq!(io.headline(), "failed to write context.json");
    }
}
