//! A model's choice held to what the learnings say to avoid, as the offline selection is: a task
//! whose kind, tool, rule or target path an avoid effect names is refused, with the learning and
//! its evidence as the reason, so the model can choose again and the selection can fall back.

use crate::artifacts::{EffectAction, Evidence, Learning, TaskSpec};
use crate::lint::tool::Tool;

/// Why a task is refused: the learning that avoids it, and a sentence saying so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub learning: i64,
    pub reason: String,
}

/// The first learning whose avoid effect `task` runs into, if one does.
pub fn refusal(task: &TaskSpec, learnings: &[Learning]) -> Option<Refusal> {
    learnings.iter().find_map(|learning| {
        let effect = learning.effect.as_ref()?;
        let target = effect.target.as_str();
        let what = match effect.action {
            EffectAction::AvoidKind => (effect.kind() == Some(task.kind))
                .then(|| format!("its kind `{}`", task.kind.as_str())),
            EffectAction::AvoidTool => task
                .tool
                .as_deref()
                .filter(|tool| same_tool(tool, target))
                .map(|tool| format!("its tool `{tool}`")),
            EffectAction::AvoidRule => task
                .rules
                .iter()
                .find(|rule| rule.as_str() == target)
                .map(|rule| format!("its rule `{rule}`")),
            EffectAction::AvoidPath => task
                .target_files
                .iter()
                .find(|file| super::learned_selection::in_path(file, target))
                .map(|file| format!("its target file `{file}`")),
            EffectAction::PreferKind | EffectAction::Instruct => None,
        }?;
        let evidence: Vec<String> = learning.evidence.iter().map(Evidence::cite).collect();
        let mut reason = format!(
            "the task is refused because {what} is avoided in this repository by learning #{}: {}",
            learning.id,
            effect.describe()
        );
        if !evidence.is_empty() {
            reason.push_str(&format!(" (evidence: {})", evidence.join("; ")));
        }
        Some(Refusal {
            learning: learning.id,
            reason,
        })
    })
}

fn same_tool(tool: &str, avoided: &str) -> bool {
    tool == avoided || Tool::from_name(tool).is_some_and(|t| Tool::from_name(avoided) == Some(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{Effect, TaskKind};

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

    fn task() -> TaskSpec {
        TaskSpec {
            kind: TaskKind::Lint,
            title: "Fix it".into(),
            rationale: "r".into(),
            target_files: vec!["src/gen/table.rs".into()],
            acceptance_criteria: vec![],
            issue: None,
            tool: Some("cargo clippy".into()),
            rules: vec!["clippy::len_zero".into()],
            pull_request: None,
        }
    }

    #[test]
    fn each_avoid_effect_refuses_what_it_names() {
        for (action, target, said) in [
            (EffectAction::AvoidKind, "lint", "its kind `lint`"),
            (EffectAction::AvoidTool, "clippy", "its tool `cargo clippy`"),
            (
                EffectAction::AvoidRule,
                "clippy::len_zero",
                "its rule `clippy::len_zero`",
            ),
            (
                EffectAction::AvoidPath,
                "src/gen/",
                "its target file `src/gen/table.rs`",
            ),
        ] {
            let refused = refusal(&task(), &[learning(9, action, target)])
                .unwrap_or_else(|| panic!("{action:?} {target} refuses"));
            assert_eq!(refused.learning, 9);
            assert!(refused.reason.contains(said), "{}", refused.reason);
            assert!(refused.reason.contains("learning #9"), "{}", refused.reason);
        }
        for (action, target) in [
            (EffectAction::AvoidKind, "refactor"),
            (EffectAction::AvoidTool, "rustfmt"),
            (EffectAction::AvoidRule, "clippy::needless_return"),
            (EffectAction::AvoidPath, "src/other"),
            (EffectAction::PreferKind, "lint"),
        ] {
            assert_eq!(
                refusal(&task(), &[learning(1, action, target)]),
                None,
                "{action:?}"
            );
        }
    }
}
