//! Which forge a run uses: GitHub, or a bare repository on disk with PRs kept in the store.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::InputError;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ForgeKind {
    Github,
    Local,
}

impl ForgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Github => "github",
            Self::Local => "local",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "github" => Some(Self::Github),
            "local" => Some(Self::Local),
            _ => None,
        }
    }

    /// The forge to use: the input's choice, else `AM_FORGE`, else GitHub when there is a token
    /// and the repository is on GitHub, else local.
    pub fn resolve(
        chosen: Option<Self>,
        env_value: Option<&str>,
        has_token: bool,
        repository: &str,
    ) -> Result<Self, InputError> {
        if let Some(kind) = chosen {
            return Ok(kind);
        }
        if let Some(value) = env_value.filter(|v| !v.trim().is_empty()) {
            return Self::parse(value).ok_or_else(|| {
                InputError(format!(
                    "environment variable AM_FORGE: expected `github` or `local`, got `{value}`"
                ))
            });
        }
        let on_github = crate::github::owner_and_name(repository).is_some();
        Ok(if has_token && on_github {
            Self::Github
        } else {
            Self::Local
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_then_environment_then_token_and_url() {
        let url = "https://github.com/octo/hello";
        let pick = |chosen, env, token, repo| ForgeKind::resolve(chosen, env, token, repo).unwrap();
        assert_eq!(
            pick(Some(ForgeKind::Local), Some("github"), true, url),
            ForgeKind::Local
        );
        assert_eq!(pick(None, Some("local"), true, url), ForgeKind::Local);
        assert_eq!(pick(None, None, true, url), ForgeKind::Github);
        assert_eq!(pick(None, None, false, url), ForgeKind::Local);
        assert_eq!(pick(None, None, true, "/srv/repo"), ForgeKind::Local);
        let e = ForgeKind::resolve(None, Some("gitlab"), true, url).unwrap_err();
        assert!(e.to_string().contains("AM_FORGE"), "{e}");
    }
}
