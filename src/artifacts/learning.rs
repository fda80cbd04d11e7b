//! What a learning changes (its effect) and where it came from (its evidence).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::TaskKind;

/// What a learning makes the next run do differently.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum EffectAction {
    /// Do not choose work on findings of this rule (`clippy::needless_range_loop`, `F401`, ...).
    AvoidRule,
    /// Do not choose work a tool (`clippy`, `ruff`, `rustfmt`, ...) would carry out.
    AvoidTool,
    /// Do not touch this file (or directory, with a trailing `/`).
    AvoidPath,
    /// Do not choose tasks of this kind.
    AvoidKind,
    /// Choose tasks of this kind first.
    PreferKind,
    /// Tell the model this, with the evidence.
    Instruct,
}

impl EffectAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AvoidRule => "avoid_rule",
            Self::AvoidTool => "avoid_tool",
            Self::AvoidPath => "avoid_path",
            Self::AvoidKind => "avoid_kind",
            Self::PreferKind => "prefer_kind",
            Self::Instruct => "instruct",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::AvoidRule,
            Self::AvoidTool,
            Self::AvoidPath,
            Self::AvoidKind,
            Self::PreferKind,
            Self::Instruct,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }
}

/// An action and what it applies to: the rule, tool, path, task kind (`lint`, `refactor`, ...)
/// or, for `instruct`, the instruction.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    pub action: EffectAction,
    pub target: String,
}

impl Effect {
    pub fn new(action: EffectAction, target: impl Into<String>) -> Self {
        Self {
            action,
            target: target.into(),
        }
    }

    /// The task kind an avoid/prefer-kind effect names.
    pub fn kind(&self) -> Option<TaskKind> {
        serde_json::from_value(serde_json::Value::String(self.target.clone())).ok()
    }

    /// One line saying what the effect does, for prompts and pages.
    pub fn describe(&self) -> String {
        match self.action {
            EffectAction::AvoidRule => format!("avoid findings of the rule `{}`", self.target),
            EffectAction::AvoidTool => format!("avoid work by the tool `{}`", self.target),
            EffectAction::AvoidPath => format!("do not change `{}`", self.target),
            EffectAction::AvoidKind => format!("avoid `{}` tasks", self.target),
            EffectAction::PreferKind => format!("prefer `{}` tasks", self.target),
            EffectAction::Instruct => self.target.clone(),
        }
    }
}

/// One piece of evidence a learning rests on.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The run it was observed in.
    pub run_id: String,
    /// What was observed: `review_finding`, `merged`, `closed_unmerged`, `changes_requested`,
    /// `check_failed`.
    pub outcome: String,
    /// Who or what reported it: `coderabbit`, `local review`, the forge, a check.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr_number: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A short quote: a finding's title, a PR's title, a check's command (untrusted, one line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
}

impl Evidence {
    /// One line citing it: "PR #12 closed unmerged (run r-1)".
    pub fn cite(&self) -> String {
        let mut parts = Vec::new();
        match self.pr_number {
            Some(number) => parts.push(format!("PR #{number}")),
            None => parts.push(format!("run {}", self.run_id)),
        }
        parts.push(self.outcome.replace('_', " "));
        parts.push(format!("by {}", self.source));
        if let Some(rule) = &self.rule {
            parts.push(format!("rule {rule}"));
        }
        if let Some(category) = &self.category {
            parts.push(format!("category {category}"));
        }
        if let Some(path) = &self.path {
            parts.push(format!("in {path}"));
        }
        let mut line = parts.join(", ");
        if let Some(detail) = &self.detail {
            line.push_str(&format!(": \"{detail}\""));
        }
        line
    }
}

/// A learning's evidence as one stored JSON column.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(transparent)]
pub struct EvidenceList(pub Vec<Evidence>);

impl TryFrom<String> for EvidenceList {
    type Error = serde_json::Error;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_json::from_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_and_evidence_read_as_a_maintainer_would() {
        let effect = Effect::new(EffectAction::AvoidKind, "lint");
        assert_eq!(effect.kind(), Some(TaskKind::Lint));
        assert_eq!(effect.describe(), "avoid `lint` tasks");
        assert_eq!(
            EffectAction::parse("prefer_kind"),
            Some(EffectAction::PreferKind)
        );
        let evidence = Evidence {
            run_id: "r-1".into(),
            outcome: "closed_unmerged".into(),
            source: "github".into(),
            pr_number: Some(12),
            pr_url: None,
            rule: Some("clippy::needless_range_loop".into()),
            category: None,
            path: Some("src/lib.rs".into()),
            detail: Some("Fix 2 clippy warnings".into()),
            at: Utc::now(),
        };
        assert_eq!(
            evidence.cite(),
            "PR #12, closed unmerged, by github, rule clippy::needless_range_loop, in src/lib.rs: \"Fix 2 clippy warnings\""
        );
        let list = EvidenceList::try_from(serde_json::to_string(&vec![evidence]).unwrap()).unwrap();
        assert_eq!(list.0.len(), 1);
        assert!(EvidenceList::try_from(String::new()).unwrap().0.is_empty());
    }
}
