//! Why a command could not be run at all (a command that runs and fails is a [`super::Ran`]).

/// A command that did not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The program is not on the PATH the command gets (or not at the path given).
    #[error("{program} is not installed (not found on the PATH)")]
    NotFound { program: String },

    /// `sandbox: required`, and bubblewrap is missing or cannot create its namespaces.
    #[error("run {program} in the sandbox (sandbox: required): {reason}")]
    SandboxUnavailable { program: String, reason: String },

    #[error("{action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
}

impl RunError {
    pub(crate) fn io(action: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            action: action.into(),
            source,
        }
    }

    /// Whether the program is simply not installed (callers treat that as "tool missing").
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
}
