//! `sandbox: required | auto | off`: whether commands run under bubblewrap, and how the
//! operator's choice (the run options) and the repository's (`.automaintainer.yml`) combine.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Whether the repository's code runs in the bubblewrap sandbox.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SandboxMode {
    /// No sandbox: the environment is still cleaned and the process group still killed.
    Off,
    /// The sandbox where `bwrap` is installed and works; said once, plainly, where it is not.
    #[default]
    Auto,
    /// The sandbox or nothing: a command fails when `bwrap` is missing or cannot start.
    Required,
}

impl SandboxMode {
    /// The mode a run uses: the operator's (run options) when given, else `auto`; the repository
    /// may only make it stricter. Its `off` is ignored (with a warning): the file is part of the
    /// code being confined, and must not be able to lift the confinement.
    pub fn effective(operator: Option<Self>, repository: Option<Self>) -> Self {
        let chosen = operator.unwrap_or_default();
        match repository {
            Some(Self::Off) if chosen != Self::Off => {
                tracing::warn!(
                    "the repository's .automaintainer.yml asks for `sandbox: off`; only the run options can turn the sandbox off, so it stays `{}`",
                    chosen.as_str()
                );
                chosen
            }
            Some(repository) => chosen.max(repository),
            None => chosen,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Auto => "auto",
            Self::Required => "required",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SandboxMode::{self, *};

    #[test]
    fn the_operator_decides_and_the_repository_can_only_tighten() {
        assert_eq!(SandboxMode::effective(None, None), Auto);
        assert_eq!(SandboxMode::effective(Some(Off), None), Off);
        assert_eq!(SandboxMode::effective(None, Some(Required)), Required);
        assert_eq!(SandboxMode::effective(Some(Off), Some(Required)), Required);
        assert_eq!(SandboxMode::effective(None, Some(Off)), Auto);
        assert_eq!(SandboxMode::effective(Some(Required), Some(Off)), Required);
        assert_eq!(SandboxMode::effective(Some(Off), Some(Off)), Off);
    }

    #[test]
    fn reads_the_lowercase_names() {
        let mode: SandboxMode = serde_json::from_str("\"required\"").unwrap();
        assert_eq!(mode, Required);
        assert!(serde_json::from_str::<SandboxMode>("\"maybe\"").is_err());
    }
}
