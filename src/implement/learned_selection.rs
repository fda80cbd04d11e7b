//! What learnings do to the offline selection, mechanically: findings of an avoided rule, by an
//! avoided tool or in an avoided path are not offered; avoided task kinds are not allowed;
//! preferred kinds are tried first. Every learning that changed what was offered or tried is
//! recorded as having shaped the task.

use std::collections::BTreeSet;
use std::path::Path;

use super::offline_selection::{self, rule_of};
use super::selection::Rules;
use crate::artifacts::{Context, EffectAction, Finding, Learning, Selection, TaskKind};
use crate::lint::tool::Tool;

/// The selection and the learnings that shaped it.
#[derive(Debug, Clone, PartialEq)]
pub struct Guided {
    pub selection: Selection,
    pub shaped_by: Vec<i64>,
}

/// Chooses offline as [`offline_selection::choose`] does, within what the context's learnings
/// allow.
pub fn choose(context: &Context, rules: &Rules, installed: impl Fn(Tool) -> bool) -> Guided {
    let mut shaped: BTreeSet<i64> = BTreeSet::new();
    let mut narrowed = context.clone();
    narrowed
        .findings
        .retain(|finding| match avoided_by(&context.learnings, finding) {
            Some(id) => {
                shaped.insert(id);
                false
            }
            None => true,
        });
    let mut allowed = rules.clone();
    let avoided: Vec<(i64, TaskKind)> = kinds(&context.learnings, EffectAction::AvoidKind);
    if !avoided.is_empty() {
        let every = all_kinds();
        let base: Vec<TaskKind> = if rules.allowed_kinds.is_empty() {
            every.to_vec()
        } else {
            rules.allowed_kinds.clone()
        };
        allowed.allowed_kinds = base
            .into_iter()
            .filter(|kind| match avoided.iter().find(|(_, k)| k == kind) {
                Some((id, _)) => {
                    shaped.insert(*id);
                    false
                }
                None => true,
            })
            .collect();
        if allowed.allowed_kinds.is_empty() {
            return Guided {
                selection: Selection::Nothing {
                    reason:
                        "every allowed task kind is avoided by what earlier pull requests taught"
                            .to_owned(),
                },
                shaped_by: shaped.into_iter().collect(),
            };
        }
    }
    for (id, kind) in kinds(&context.learnings, EffectAction::PreferKind) {
        if !allowed.allows(kind) {
            continue;
        }
        let preferred = Rules {
            allowed_kinds: vec![kind],
            ..allowed.clone()
        };
        let selection = offline_selection::choose(&narrowed, &preferred, &installed);
        if selection.task().is_some() {
            shaped.insert(id);
            return Guided {
                selection,
                shaped_by: shaped.into_iter().collect(),
            };
        }
    }
    Guided {
        selection: offline_selection::choose(&narrowed, &allowed, installed),
        shaped_by: shaped.into_iter().collect(),
    }
}

/// The learning that rules a finding out, if one does.
pub fn avoided_by(learnings: &[Learning], finding: &Finding) -> Option<i64> {
    let rule = rule_of(finding);
    learnings.iter().find_map(|learning| {
        let effect = learning.effect.as_ref()?;
        let hit = match effect.action {
            EffectAction::AvoidRule => rule.as_deref() == Some(effect.target.as_str()),
            EffectAction::AvoidTool => {
                Tool::from_name(&finding.tool).is_some_and(|tool| tool.name() == effect.target)
                    || finding.tool == effect.target
            }
            EffectAction::AvoidPath => in_path(&finding.path, &effect.target),
            _ => false,
        };
        hit.then_some(learning.id)
    })
}

/// Whether `path` is `avoided` or lies under it (a directory, with or without a trailing `/`).
pub(crate) fn in_path(path: &str, avoided: &str) -> bool {
    let avoided = avoided.trim_end_matches('/');
    !avoided.is_empty() && (path == avoided || Path::new(path).starts_with(avoided))
}

fn kinds(learnings: &[Learning], action: EffectAction) -> Vec<(i64, TaskKind)> {
    learnings
        .iter()
        .filter_map(|l| {
            let effect = l.effect.as_ref().filter(|e| e.action == action)?;
            Some((l.id, effect.kind()?))
        })
        .collect()
}

fn all_kinds() -> [TaskKind; 9] {
    [
        TaskKind::BugFix,
        TaskKind::Test,
        TaskKind::Refactor,
        TaskKind::Docs,
        TaskKind::Lint,
        TaskKind::Format,
        TaskKind::Dependency,
        TaskKind::Performance,
        TaskKind::Feature,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{Effect, FindingKind, History, RepoMap, RepoSummary};

    fn finding(kind: FindingKind, tool: &str, path: &str, message: &str) -> Finding {
        Finding {
            kind,
            path: path.into(),
            line: Some(3),
            message: message.into(),
            tool: tool.into(),
            fixable: true,
            score: None,
        }
    }

    fn learning(id: i64, action: EffectAction, target: &str) -> Learning {
        Learning {
            id,
            kind: "mistake".into(),
            content: "c".into(),
            weight: 1.0,
            score: 1.0,
            effect: Some(Effect::new(action, target)),
            evidence: vec![],
        }
    }

    fn context(learnings: Vec<Learning>) -> Context {
        Context {
            repository: "r".into(),
            head_commit: "h".into(),
            summary: RepoSummary::default(),
            repo_map: RepoMap::default(),
            findings: vec![
                finding(
                    FindingKind::Lint,
                    "clippy",
                    "src/a.rs",
                    "clippy::len_zero: use is_empty",
                ),
                finding(
                    FindingKind::Lint,
                    "clippy",
                    "src/b.rs",
                    "clippy::needless_return: drop it",
                ),
                finding(
                    FindingKind::Format,
                    "rustfmt",
                    "src/a.rs",
                    "not formatted as rustfmt would",
                ),
            ],
            issues: vec![],
            history: History::default(),
            learnings,
            check_commands: vec![],
            tools: vec![],
            backoffs: vec![],
        }
    }

    fn rules() -> Rules {
        Rules {
            allowed_kinds: vec![],
            max_target_files: 5,
            max_lines: 400,
        }
    }

    #[test]
    fn avoided_rules_tools_paths_and_kinds_are_not_chosen() {
        let free = choose(&context(vec![]), &rules(), |_| true);
        let task = free.selection.task().cloned().unwrap();
        assert_eq!(task.rules, ["clippy::len_zero", "clippy::needless_return"]);
        assert!(free.shaped_by.is_empty());

        let one_rule = choose(
            &context(vec![learning(
                4,
                EffectAction::AvoidRule,
                "clippy::len_zero",
            )]),
            &rules(),
            |_| true,
        );
        let task = one_rule.selection.task().cloned().unwrap();
        assert_eq!(task.rules, ["clippy::needless_return"]);
        assert_eq!(task.target_files, ["src/b.rs"]);
        assert_eq!(one_rule.shaped_by, [4]);

        let no_clippy = choose(
            &context(vec![learning(5, EffectAction::AvoidTool, "clippy")]),
            &rules(),
            |_| true,
        );
        assert_eq!(no_clippy.selection.task().unwrap().kind, TaskKind::Format);
        assert_eq!(no_clippy.shaped_by, [5]);

        let no_lint = choose(
            &context(vec![
                learning(6, EffectAction::AvoidKind, "lint"),
                learning(7, EffectAction::AvoidPath, "src/"),
            ]),
            &rules(),
            |_| true,
        );
        assert!(no_lint.selection.task().is_none());
        assert_eq!(no_lint.shaped_by, [6, 7]);
    }

    #[test]
    fn a_preferred_kind_is_tried_first() {
        let guided = choose(
            &context(vec![learning(8, EffectAction::PreferKind, "format")]),
            &rules(),
            |_| true,
        );
        assert_eq!(guided.selection.task().unwrap().kind, TaskKind::Format);
        assert_eq!(guided.shaped_by, [8]);
    }
}
