//! Choosing the task without a model, from the context's findings, by a fixed priority — and only
//! tasks a tool the repository uses, and this machine runs, can carry out:
//!
//! 1. lint findings the repository's linter fixes safely (clippy; ruff, flake8's rules through
//!    ruff, or the pyflakes-class checks of an unconfigured Python repository; eslint, biome,
//!    xo);
//! 2. formatting by the repository's formatter (rustfmt, black, ruff format, prettier, gofmt).
//!
//! Findings are grouped by file, most findings first, as many files as fit the target-file and
//! changed-line caps. Anything else (complexity, TODOs, untested code) needs a model: "nothing to
//! do", which names every tool that ran, was missing, crashed or is not used, with the
//! configuration found.

use std::collections::BTreeMap;

use super::selection::Rules;
use crate::artifacts::{Context, Finding, FindingKind, Selection, TaskKind, TaskSpec, ToolState};
use crate::lint::tool::Tool;

/// Findings listed in full up to this many; the rest are collapsed.
const LISTED: usize = 10;

/// Lines a fix of one lint finding is assumed to change, for fitting the line cap.
const LINES_PER_FINDING: usize = 2;

/// Whether `tool` can run here: it ran for the context (the context says so), or, for a context
/// without tool statuses, it answers `--version`.
pub fn runnable(context: &Context, tool: Tool) -> bool {
    if context.tools.is_empty() {
        return crate::lint::tool::installed(tool);
    }
    context
        .tools
        .iter()
        .any(|t| Tool::from_name(&t.tool) == Some(tool) && t.state == ToolState::Ran)
}

/// Chooses by the priority above; `runnable` says whether a tool can run here.
pub fn choose(context: &Context, rules: &Rules, runnable: impl Fn(Tool) -> bool) -> Selection {
    let candidates = [
        (
            FindingKind::Lint,
            TaskKind::Lint,
            &[
                Tool::Clippy,
                Tool::Ruff,
                Tool::Flake8,
                Tool::Pyflakes,
                Tool::Eslint,
                Tool::Biome,
                Tool::Xo,
            ][..],
        ),
        (
            FindingKind::Format,
            TaskKind::Format,
            &[
                Tool::Rustfmt,
                Tool::Black,
                Tool::RuffFormat,
                Tool::Prettier,
                Tool::Gofmt,
            ][..],
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
                .filter(|f| f.kind == finding_kind && Tool::from_name(&f.tool) == Some(*tool))
                .filter(|f| f.fixable || finding_kind == FindingKind::Format)
                .collect();
            if findings.is_empty() {
                continue;
            }
            if !runnable(*tool) {
                seen.push(format!(
                    "{} {} finding(s) but {} does not run here",
                    findings.len(),
                    tool.name(),
                    tool.name()
                ));
                continue;
            }
            return Selection::Selected {
                task: task_for(task_kind, *tool, &findings, rules, context),
            };
        }
    }
    let mut reason = if seen.is_empty() {
        "the offline provider found no lint or formatting finding the repository's own tools fix automatically; other work needs a model".to_owned()
    } else {
        format!("the offline provider cannot act: {}", seen.join("; "))
    };
    if !context.tools.is_empty() {
        reason.push_str(". Tools: ");
        reason.push_str(&crate::lint::survey::explain(&context.tools));
    }
    Selection::Nothing { reason }
}

/// The files to work on: most findings first, as many as fit the file and line caps (at least
/// one file).
fn group<'a>(findings: &[&'a Finding], kind: TaskKind, rules: &Rules) -> Vec<(&'a str, usize)> {
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        *per_file.entry(finding.path.as_str()).or_default() += 1;
    }
    let mut files: Vec<(&str, usize)> = per_file.into_iter().collect();
    files.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut chosen = Vec::new();
    let mut lines = 0;
    for (file, count) in files {
        let estimate = if kind == TaskKind::Lint {
            count * LINES_PER_FINDING
        } else {
            0
        };
        let fits = chosen.len() < rules.max_target_files.max(1)
            && (chosen.is_empty() || rules.max_lines == 0 || lines + estimate <= rules.max_lines);
        if !fits {
            continue;
        }
        lines += estimate;
        chosen.push((file, count));
    }
    chosen
}

fn task_for(
    kind: TaskKind,
    tool: Tool,
    findings: &[&Finding],
    rules: &Rules,
    context: &Context,
) -> TaskSpec {
    let files = group(findings, kind, rules);
    let target_files: Vec<String> = files.iter().map(|(f, _)| (*f).to_owned()).collect();
    let count: usize = files.iter().map(|(_, n)| n).sum();
    let place = if target_files.len() == 1 {
        target_files[0].clone()
    } else {
        format!("{} files", target_files.len())
    };
    let status = context
        .tools
        .iter()
        .find(|t| Tool::from_name(&t.tool) == Some(tool));
    let named = status
        .and_then(|s| s.version.clone())
        .unwrap_or_else(|| tool.name().to_owned());
    let config = status.map_or_else(String::new, |s| format!(", configuration: {}", s.config));
    let listed: Vec<&&Finding> = findings
        .iter()
        .filter(|f| target_files.contains(&f.path))
        .collect();
    let (title, criteria, lead) = match kind {
        TaskKind::Format => (
            format!("Format {place} with {}", tool.name()),
            format!("`{}` reports no formatting differences in the target files", tool.name()),
            format!(
                "The repository formats with {} ({named}{config}); {} file(s) differ from its formatting:",
                tool.name(),
                listed.len()
            ),
        ),
        _ => (
            format!(
                "Fix {count} {} finding{} in {place}",
                tool.name(),
                if count == 1 { "" } else { "s" }
            ),
            format!("`{}` reports none of the findings listed above", tool.name()),
            format!(
                "{named}{config} reported {count} finding(s) it fixes safely on its own; applying the repository's own tool's fixes is a mechanical improvement:"
            ),
        ),
    };
    TaskSpec {
        kind,
        title,
        rationale: format!("{lead}\n\n{}", list(&listed)),
        acceptance_criteria: vec![criteria, "the repository's checks pass".to_owned()],
        issue: None,
        pull_request: None,
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

/// The findings as a Markdown list, in full: the first ten shown, the rest collapsed.
fn list(findings: &[&&Finding]) -> String {
    let line = |f: &&&Finding| {
        format!(
            "- `{}{}`{}",
            f.path,
            f.line.map(|l| format!(":{l}")).unwrap_or_default(),
            if f.kind == FindingKind::Format {
                String::new()
            } else {
                format!(": {}", f.message)
            }
        )
    };
    let mut text: Vec<String> = findings.iter().take(LISTED).map(line).collect();
    if findings.len() > LISTED {
        text.push(format!(
            "\n<details><summary>and {} more</summary>\n",
            findings.len() - LISTED
        ));
        text.extend(findings.iter().skip(LISTED).map(line));
        text.push("\n</details>".to_owned());
    }
    text.join("\n")
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
        assert_eq!(task.title, "Fix 3 clippy findings in 2 files");
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
        assert!(reason.contains("clippy does not run here"), "{reason}");
        let todo_only = context(vec![finding(FindingKind::Todo, "todo", "a.rs", false)]);
        assert!(choose(&todo_only, &rules(), |_| true).task().is_none());
    }

    #[test]
    fn a_task_fits_the_file_and_line_caps() {
        let mut findings = Vec::new();
        for (path, n) in [("a.py", 3), ("b.py", 2), ("c.py", 1)] {
            for _ in 0..n {
                findings.push(finding(FindingKind::Lint, "ruff", path, true));
            }
        }
        let ctx = context(findings);
        // Two lines a finding: a.py (6) and b.py (4) fit 10 lines, c.py does not.
        let capped = Rules {
            max_lines: 10,
            ..rules()
        };
        let task = choose(&ctx, &capped, |_| true).task().cloned().unwrap();
        assert_eq!(task.target_files, vec!["a.py", "b.py"]);
        assert_eq!(task.title, "Fix 5 ruff findings in 2 files");
        let two_files = Rules {
            max_target_files: 1,
            ..rules()
        };
        let task = choose(&ctx, &two_files, |_| true).task().cloned().unwrap();
        assert_eq!(task.target_files, vec!["a.py"]);
    }

    #[test]
    fn findings_are_listed_in_full_and_collapsed_after_ten() {
        let findings: Vec<Finding> = (0..12)
            .map(|i| Finding {
                line: Some(i + 1),
                message: format!("F401: `m{i}` imported but unused"),
                ..finding(FindingKind::Lint, "ruff", "a.py", true)
            })
            .collect();
        let mut ctx = context(findings);
        ctx.tools.push(crate::artifacts::ToolStatus {
            tool: "ruff".into(),
            version: Some("ruff 0.6.9".into()),
            config: "pyproject.toml [tool.ruff]".into(),
            state: ToolState::Ran,
            detail: "12 finding(s), 12 fixable".into(),
        });
        let task = choose(&ctx, &rules(), |_| true).task().cloned().unwrap();
        let text = &task.rationale;
        assert!(
            text.starts_with(
                "ruff 0.6.9, configuration: pyproject.toml [tool.ruff] reported 12 finding(s)"
            ),
            "{text}"
        );
        assert!(text.contains("- `a.py:10`: F401: `m9` imported but unused\n\n<details><summary>and 2 more</summary>"), "{text}");
        assert!(
            text.contains("- `a.py:12`: F401: `m11` imported but unused\n\n</details>"),
            "{text}"
        );
        assert_eq!(
            task.acceptance_criteria[0],
            "`ruff` reports none of the findings listed above"
        );
        let Selection::Nothing { reason } = choose(&context(vec![]), &rules(), |_| true) else {
            panic!("expected nothing");
        };
        assert!(!reason.contains("Tools:"), "{reason}");
        let mut quiet = context(vec![]);
        quiet.tools = ctx.tools.clone();
        let Selection::Nothing { reason } = choose(&quiet, &rules(), |_| true) else {
            panic!("expected nothing");
        };
        assert!(
            reason.ends_with(
                "Tools: ruff 0.6.9 (pyproject.toml [tool.ruff]): ran, 12 finding(s), 12 fixable"
            ),
            "{reason}"
        );
    }
}
