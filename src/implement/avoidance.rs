//! What the learnings say to leave alone while a task is carried out: rules the fixers must not
//! fix on the way, tools that must not run, paths that must not change. Selection already keeps
//! such work from being chosen; this keeps a fix run for one rule from changing another.

use crate::artifacts::{Effect, EffectAction, Learning, ShapingLearning};
use crate::lint::tool::Tool;

/// The avoid effects in force, each with the learning that says so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Avoidance {
    pub rules: Vec<(i64, String)>,
    pub tools: Vec<(i64, String)>,
    pub paths: Vec<(i64, String)>,
}

impl Avoidance {
    /// The avoid effects of the context's learnings and of those recorded as shaping the task.
    pub fn of(learnings: &[Learning], shaped_by: &[ShapingLearning]) -> Self {
        let effects = learnings
            .iter()
            .filter_map(|l| Some((l.id, l.effect.as_ref()?)))
            .chain(
                shaped_by
                    .iter()
                    .filter_map(|l| Some((l.id, l.effect.as_ref()?))),
            );
        let mut avoidance = Self::default();
        for (id, Effect { action, target }) in effects {
            let list = match action {
                EffectAction::AvoidRule => &mut avoidance.rules,
                EffectAction::AvoidTool => &mut avoidance.tools,
                EffectAction::AvoidPath => &mut avoidance.paths,
                _ => continue,
            };
            if !target.trim().is_empty() && !list.iter().any(|(_, t)| t == target) {
                list.push((id, target.clone()));
            }
        }
        avoidance
    }

    /// The avoided rules' names.
    pub fn rule_names(&self) -> Vec<String> {
        self.rules.iter().map(|(_, rule)| rule.clone()).collect()
    }

    /// The learning that says not to run `tool`, if one does.
    pub fn tool(&self, tool: Tool) -> Option<i64> {
        self.tools
            .iter()
            .find(|(_, name)| Tool::from_name(name) == Some(tool) || name == tool.name())
            .map(|(id, _)| *id)
    }

    /// The learning that says not to change `path`, if one does.
    pub fn path(&self, path: &str) -> Option<i64> {
        self.paths
            .iter()
            .find(|(_, avoided)| super::learned_selection::in_path(path, avoided))
            .map(|(id, _)| *id)
    }

    /// The learning that says to leave `rule` alone, if one does.
    pub fn rule(&self, rule: &str) -> Option<i64> {
        self.rules
            .iter()
            .find(|(_, avoided)| avoided == rule)
            .map(|(id, _)| *id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learning(id: i64, action: EffectAction, target: &str) -> Learning {
        Learning {
            id,
            kind: "mistake".into(),
            content: "c".into(),
            weight: 1.0,
            score: 0.0,
            effect: Some(Effect::new(action, target)),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn gathers_the_avoid_effects_once_each() {
        let learnings = [
            learning(1, EffectAction::AvoidRule, "clippy::len_zero"),
            learning(2, EffectAction::AvoidTool, "rustfmt"),
            learning(3, EffectAction::AvoidPath, "vendor/"),
            learning(4, EffectAction::PreferKind, "lint"),
        ];
        let shaped = [ShapingLearning::from(&learning(
            5,
            EffectAction::AvoidRule,
            "clippy::len_zero",
        ))];
        let avoidance = Avoidance::of(&learnings, &shaped);
        assert_eq!(avoidance.rule_names(), ["clippy::len_zero"]);
        assert_eq!(avoidance.tool(Tool::Rustfmt), Some(2));
        assert_eq!(avoidance.tool(Tool::Clippy), None);
        assert_eq!(avoidance.path("vendor/a.rs"), Some(3));
        assert_eq!(avoidance.path("src/a.rs"), None);
        assert_eq!(avoidance.rule("clippy::len_zero"), Some(1));
    }
}
