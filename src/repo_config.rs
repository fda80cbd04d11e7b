//! `.automaintainer.yml`: what a target repository says about how it may be changed.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::contract::InputError;

/// The file name looked for at the repository root.
pub const FILE_NAME: &str = ".automaintainer.yml";

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RepoConfig {
    /// Check commands, run in order from the repository root; detected when empty.
    pub checks: Vec<String>,
    /// Seconds each check may take.
    pub check_timeout_secs: u64,
    /// Glob patterns of paths that may be edited; everything when empty.
    pub allowed_paths: Vec<String>,
    /// Glob patterns of paths that must never be edited (on top of `.git/`).
    pub denied_paths: Vec<String>,
    pub limits: Limits,
    /// Labels put on every pull request.
    pub labels: Vec<String>,
    /// Open pull requests as drafts.
    pub draft: bool,
    /// Reopen a PR for the same task that was closed unmerged.
    pub reopen_closed: bool,
    /// May workflow files under `.github/` be edited.
    pub allow_workflow_edits: bool,
    pub issues: IssuePolicy,
    /// Task kinds that may be chosen; all when empty.
    pub task_kinds: Vec<String>,
    /// Answering review findings and failing checks on the project's own open pull requests.
    pub follow_up: FollowUpPolicy,
    /// Whether the repository's code runs in the bubblewrap sandbox: `required`, `auto` (the
    /// default) or `off`. The repository can only make the run options stricter: its `off` is
    /// ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<crate::runner::SandboxMode>,
}

impl Default for RepoConfig {
    fn default() -> Self {
        Self {
            checks: Vec::new(),
            check_timeout_secs: 600,
            allowed_paths: Vec::new(),
            denied_paths: Vec::new(),
            limits: Limits::default(),
            labels: vec!["automaintainer".to_owned()],
            draft: false,
            reopen_closed: false,
            allow_workflow_edits: false,
            issues: IssuePolicy::default(),
            task_kinds: Vec::new(),
            follow_up: FollowUpPolicy::default(),
            sandbox: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FollowUpPolicy {
    /// Most follow-up rounds per pull request; 0 turns follow-ups off.
    pub max_rounds: u32,
    /// The label a pull request gets when the rounds stop and a human is needed.
    pub needs_human_label: String,
}

impl Default for FollowUpPolicy {
    fn default() -> Self {
        Self {
            max_rounds: 2,
            needs_human_label: "needs-human".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_files_changed: u32,
    pub max_lines_changed: u32,
    /// Largest file, in bytes, that may be written.
    pub max_file_bytes: u64,
    /// Implementation attempts before giving up.
    pub max_attempts: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_files_changed: 10,
            max_lines_changed: 400,
            max_file_bytes: 256 * 1024,
            max_attempts: 3,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct IssuePolicy {
    /// Take tasks from issues at all.
    pub enabled: bool,
    /// Only issues with at least one of these labels; any when empty.
    pub labels: Vec<String>,
    /// Issues with any of these labels are skipped.
    pub exclude_labels: Vec<String>,
    /// GitHub author associations whose issues are eligible.
    pub author_associations: Vec<String>,
    /// Most issues read.
    pub max_issues: u32,
    /// Characters of an issue body kept.
    pub max_body_chars: u32,
}

impl Default for IssuePolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            labels: Vec::new(),
            exclude_labels: vec!["wontfix".to_owned(), "question".to_owned()],
            author_associations: ["OWNER", "MEMBER", "COLLABORATOR"]
                .map(str::to_owned)
                .to_vec(),
            max_issues: 30,
            max_body_chars: 2000,
        }
    }
}

impl RepoConfig {
    /// Reads `.automaintainer.yml` from a clone; the defaults when there is none.
    pub fn load(repo_root: &Path) -> Result<Self, InputError> {
        let path = repo_root.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(InputError(format!("cannot read {FILE_NAME}: {e}"))),
        }
    }

    /// Parses and validates the YAML; errors name the field.
    pub fn parse(text: &str) -> Result<Self, InputError> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let deserializer = serde_yaml::Deserializer::from_str(text);
        let config: Self = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let path = e.path().to_string();
            let reason = e.into_inner().to_string();
            let reason = reason.lines().next().unwrap_or_default().to_owned();
            if path == "." {
                InputError(format!("{FILE_NAME}: {reason}"))
            } else {
                InputError(format!("{FILE_NAME}: field `{path}`: {reason}"))
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), InputError> {
        let field = |name: &str, expected: &str| {
            InputError(format!("{FILE_NAME}: field `{name}`: expected {expected}"))
        };
        if self.check_timeout_secs == 0 {
            return Err(field("check_timeout_secs", "a number of seconds above 0"));
        }
        if self.limits.max_attempts == 0 {
            return Err(field("limits.max_attempts", "at least 1"));
        }
        if self.limits.max_files_changed == 0 {
            return Err(field("limits.max_files_changed", "at least 1"));
        }
        if self.follow_up.needs_human_label.trim().is_empty() {
            return Err(field("follow_up.needs_human_label", "a label name"));
        }
        if let Some(bad) = self.checks.iter().position(|c| c.trim().is_empty()) {
            return Err(field(&format!("checks[{bad}]"), "a non-empty command"));
        }
        for (name, patterns) in [
            ("allowed_paths", &self.allowed_paths),
            ("denied_paths", &self.denied_paths),
        ] {
            for (i, pattern) in patterns.iter().enumerate() {
                if ignore::gitignore::GitignoreBuilder::new("/")
                    .add_line(None, pattern)
                    .is_err()
                {
                    return Err(field(&format!("{name}[{i}]"), "a valid glob pattern"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_empty() {
        assert_eq!(RepoConfig::parse("").unwrap(), RepoConfig::default());
    }

    #[test]
    fn reads_fields_and_keeps_defaults_for_the_rest() {
        let config = RepoConfig::parse(
            "checks: [cargo test]\ndraft: true\nlimits:\n  max_files_changed: 3\n",
        )
        .unwrap();
        assert_eq!(config.checks, vec!["cargo test"]);
        assert!(config.draft);
        assert_eq!(config.limits.max_files_changed, 3);
        assert_eq!(config.limits.max_attempts, 3);
        assert_eq!(config.follow_up.max_rounds, 2);
        let rounds = RepoConfig::parse("follow_up:\n  max_rounds: 5\n").unwrap();
        assert_eq!(rounds.follow_up.max_rounds, 5);
        assert_eq!(rounds.follow_up.needs_human_label, "needs-human");
    }

    #[test]
    fn errors_name_the_field() {
        let e = RepoConfig::parse("limits:\n  max_attempts: many\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("field `limits.max_attempts`"), "{e}");
        let e = RepoConfig::parse("colour: red\n").unwrap_err().to_string();
        assert!(e.contains("unknown field `colour`"), "{e}");
        let e = RepoConfig::parse("limits:\n  max_attempts: 0\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "bad input: .automaintainer.yml: field `limits.max_attempts`: expected at least 1"
        );
    }
}
