//! Choosing the task without a model, from the context's findings, by a fixed priority — and only
//! tasks a tool installed on this machine can carry out:
//!
//! 1. lint warnings a tool fixes automatically (clippy for Rust, ruff for Python, eslint for
//!    JavaScript/TypeScript);
//! 2. formatting (rustfmt, black, gofmt).
//!
//! Within a kind, the files with the most findings come first, up to the target-file limit.
//! Anything else (complexity, TODOs, untested code) needs a model: "nothing to do".

use std::collections::BTreeMap;

use super::selection::Rules;
use super::tools::Tool;
use crate::artifacts::{Context, Finding, FindingKind, Selection, TaskKind, TaskSpec};

/// Chooses by the priority above; `installed` says whether a tool can run here.
pub fn choose(context: &Context, rules: &Rules, installed: impl Fn(Tool) -> bool) -> Selection {
    let candidates = [
        (
            FindingKind::Lint,
            TaskKind::Lint,
            &[Tool::Clippy, Tool::Ruff, Tool::Eslint][..],
        ),
        (
            FindingKind::Format,
            TaskKind::Format,
            &[Tool::Rustfmt, Tool::Black, Tool::Gofmt][..],
        ),
    ];
    let mut seen = Vec::new();
    for (finding_kind, task_kind, tools) in candidates {
        if !rules.allows(task_kind) {
            continue;
        }
        for tool in tools {
            let findings: Vec<&Finding> = context
                .findings
                .iter()
                .filter(|f| f.kind == finding_kind && Tool::from_finding(&f.tool) == Some(*tool))
                .filter(|f| f.fixable || finding_kind == FindingKind::Format)
                .collect();
            if findings.is_empty() {
                continue;
            }
            if !installed(*tool) {
                seen.push(format!(
                    "{} {} finding(s) but {} is not installed",
                    findings.len(),
                    tool.name(),
                    tool.name()
                ));
                continue;
            }
            return Selection::Selected {
                task: task_for(task_kind, *tool, &findings, rules.max_target_files),
            };
        }
    }
    let reason = if seen.is_empty() {
        "the offline provider found no lint or formatting finding a tool can fix automatically; other work needs a model".to_owned()
    } else {
        format!("the offline provider cannot act: {}", seen.join("; "))
    };
    Selection::Nothing { reason }
}

fn task_for(kind: TaskKind, tool: Tool, findings: &[&Finding], max_files: usize) -> TaskSpec {
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        *per_file.entry(finding.path.as_str()).or_default() += 1;
    }
    let mut files: Vec<(&str, usize)> = per_file.into_iter().collect();
    files.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    files.truncate(max_files.max(1));
    let target_files: Vec<String> = files.iter().map(|(f, _)| (*f).to_owned()).collect();
    let count: usize = files.iter().map(|(_, n)| n).sum();
    let place = if target_files.len() == 1 {
        target_files[0].clone()
    } else {
        format!("{} files", target_files.len())
    };
    let (title, criteria) = match kind {
        TaskKind::Format => (
            format!("Format {place} with {}", tool.name()),
            format!(
                "`{}` reports no formatting differences in the target files",
                tool.name()
            ),
        ),
        _ => (
            format!(
                "Fix {count} {} warning{} in {place}",
                tool.name(),
                if count == 1 { "" } else { "s" }
            ),
            format!("`{}` reports none of the warnings below", tool.name()),
        ),
    };
    let examples: Vec<String> = findings
        .iter()
        .filter(|f| target_files.contains(&f.path))
        .take(10)
        .map(|f| {
            format!(
                "{}{}: {}",
                f.path,
                f.line.map(|l| format!(":{l}")).unwrap_or_default(),
                f.message
            )
        })
        .collect();
    TaskSpec {
        kind,
        title,
        rationale: format!(
            "{} reported {count} automatically fixable finding(s); applying its own fixes is a safe, mechanical improvement.\n{}",
            tool.name(),
            examples.join("\n")
        ),
        acceptance_criteria: vec![criteria, "the repository's checks pass".to_owned()],
        issue: None,
        tool: Some(tool.name().to_owned()),
        rules: findings
            .iter()
            .filter(|f| target_files.contains(&f.path))
            .filter_map(|f| rule_of(f))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        target_files,
    }
}

/// The lint rule a finding reports (`clippy::len_zero`, `F401`, `no-unused-vars`): its message
/// starts with the rule and a colon. Formatting and rustc's unnamed warnings have none.
pub fn rule_of(finding: &Finding) -> Option<String> {
    let (rule, _) = finding.message.split_once(": ")?;
    let plain = !rule.is_empty()
        && rule != "warning"
        && rule
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '/' | '@'));
    plain.then(|| rule.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{History, RepoMap, RepoSummary};

    fn finding(kind: FindingKind, tool: &str, path: &str, fixable: bool) -> Finding {
        Finding {
            kind,
            path: path.into(),
            line: Some(3),
            message: "m".into(),
            tool: tool.into(),
            fixable,
            score: None,
        }
    }

    fn context(findings: Vec<Finding>) -> Context {
        Context {
            repository: "r".into(),
            head_commit: "c".into(),
            summary: RepoSummary::default(),
            repo_map: RepoMap::default(),
            findings,
            issues: vec![],
            history: History::default(),
            learnings: vec![],
            check_commands: vec![],
        }
    }

    fn rules() -> Rules {
        Rules {
            allowed_kinds: vec![],
            max_target_files: 5,
        }
    }

    #[test]
    fn fixable_lint_comes_before_formatting() {
        let ctx = context(vec![
            finding(FindingKind::Format, "rustfmt", "src/a.rs", true),
            finding(FindingKind::Lint, "clippy", "src/b.rs", true),
            finding(FindingKind::Lint, "clippy", "src/b.rs", true),
            finding(FindingKind::Lint, "clippy", "src/c.rs", true),
            finding(FindingKind::Lint, "clippy", "src/d.rs", false),
        ]);
        let task = choose(&ctx, &rules(), |_| true).task().cloned().unwrap();
        assert_eq!(task.kind, TaskKind::Lint);
        assert_eq!(
            task.target_files,
            vec!["src/b.rs", "src/c.rs"],
            "unfixable ones left out, most findings first"
        );
        assert_eq!(task.title, "Fix 3 clippy warnings in 2 files");
    }

    #[test]
    fn only_what_an_installed_tool_can_do_and_the_rules_allow() {
        let ctx = context(vec![
            finding(FindingKind::Lint, "clippy", "src/b.rs", true),
            finding(FindingKind::Format, "rustfmt", "src/a.rs", true),
        ]);
        let task = choose(&ctx, &rules(), |t| t == Tool::Rustfmt)
            .task()
            .cloned()
            .unwrap();
        assert_eq!(task.kind, TaskKind::Format);
        let only_docs = Rules {
            allowed_kinds: vec![TaskKind::Docs],
            ..rules()
        };
        assert!(choose(&ctx, &only_docs, |_| true).task().is_none());
        let Selection::Nothing { reason } = choose(&ctx, &rules(), |_| false) else {
            panic!("expected nothing");
        };
        assert!(reason.contains("clippy is not installed"), "{reason}");
        let todo_only = context(vec![finding(FindingKind::Todo, "todo", "a.rs", false)]);
        assert!(choose(&todo_only, &rules(), |_| true).task().is_none());
    }
}
