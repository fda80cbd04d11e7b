//! Tasks that failed back off before they are tried again. A task is known by its fingerprint:
//! its kind, its tool and its target files with their content at the base (so a title worded
//! differently is the same task, and a target file that changed makes it a new one). The
//! context carries the fingerprints still backing off; the selection passes over them to the
//! next best candidate and says which it skipped, and until when.

use std::path::Path;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::learned_selection::Guided;
use crate::artifacts::{BackingOff, Context, Selection, SkippedTask, TaskSpec};
use crate::lint::tool::Tool;

/// Most backed-off candidates the offline selection passes over before it stops looking.
const MAX_SKIPS: usize = 16;

/// The task's fingerprint at `base` (a commit of `clone`): a hex SHA-256 of its kind, tool,
/// sorted target files and each one's blob id at the base (empty when absent or unreadable).
pub fn fingerprint(task: &TaskSpec, clone: &Path, base: &str) -> String {
    let mut files = task.target_files.clone();
    files.sort();
    files.dedup();
    let tree = git2::Repository::open(clone).ok().and_then(|repo| {
        let commit = repo.revparse_single(base).ok()?.peel_to_commit().ok()?;
        let tree = commit.tree().ok()?;
        Some(
            files
                .iter()
                .map(|f| {
                    tree.get_path(Path::new(f))
                        .map(|e| e.id().to_string())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>(),
        )
    });
    let blobs = tree.unwrap_or_else(|| vec![String::new(); files.len()]);
    let mut hasher = Sha256::new();
    for part in [task.kind.as_str(), task.tool.as_deref().unwrap_or("")] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    for (file, blob) in files.iter().zip(&blobs) {
        hasher.update(file.as_bytes());
        hasher.update([0]);
        hasher.update(blob.as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

/// The remembered failure of `fingerprint` if it is still backing off at `now`.
pub fn backing_off<'a>(
    context: &'a Context,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Option<&'a BackingOff> {
    context
        .backoffs
        .iter()
        .find(|b| b.fingerprint == fingerprint && b.retry_after > now)
}

/// What the selection skipped for a task that is backing off.
pub fn skipped(task: &TaskSpec, backing: &BackingOff) -> SkippedTask {
    SkippedTask {
        title: task.title.clone(),
        fingerprint: backing.fingerprint.clone(),
        failures: backing.failures,
        reason: backing.reason.clone(),
        retry_after: backing.retry_after,
    }
}

/// A selection that passed over the tasks backing off.
#[derive(Debug, Clone, PartialEq)]
pub struct Avoided {
    pub guided: Guided,
    /// The chosen task's fingerprint.
    pub fingerprint: Option<String>,
    pub skipped: Vec<SkippedTask>,
}

/// Chooses with `choose`, and while the choice is backing off, takes its findings out of the
/// context and chooses again: the next best candidate. `fingerprint_of` fingerprints a task.
pub fn choose_avoiding(
    context: &Context,
    now: DateTime<Utc>,
    fingerprint_of: impl Fn(&TaskSpec) -> String,
    mut choose: impl FnMut(&Context) -> Guided,
) -> Avoided {
    let mut narrowed = context.clone();
    let mut skipped: Vec<SkippedTask> = Vec::new();
    loop {
        let mut guided = choose(&narrowed);
        let Some(task) = guided.selection.task().cloned() else {
            if let Selection::Nothing { reason } = &mut guided.selection {
                if !skipped.is_empty() {
                    *reason = format!("{reason}; {}", passed_over(&skipped));
                }
            }
            return Avoided {
                guided,
                fingerprint: None,
                skipped,
            };
        };
        let fingerprint = fingerprint_of(&task);
        let Some(backing) = backing_off(context, &fingerprint, now) else {
            return Avoided {
                guided,
                fingerprint: Some(fingerprint),
                skipped,
            };
        };
        tracing::info!(
            "skipping `{}`: it failed {} time(s) and backs off until {}",
            task.title,
            backing.failures,
            backing.retry_after
        );
        skipped.push(self::skipped(&task, backing));
        let before = narrowed.findings.len();
        narrowed.findings.retain(|f| !of_task(&task, f));
        if narrowed.findings.len() == before || skipped.len() >= MAX_SKIPS {
            return Avoided {
                guided: Guided {
                    selection: Selection::Nothing {
                        reason: format!(
                            "no candidate is left that has not failed recently; {}",
                            passed_over(&skipped)
                        ),
                    },
                    shaped_by: guided.shaped_by,
                },
                fingerprint: None,
                skipped,
            };
        }
    }
}

/// Whether a finding is one the task works on: in its target files, by its tool.
fn of_task(task: &TaskSpec, finding: &crate::artifacts::Finding) -> bool {
    if !task.target_files.contains(&finding.path) {
        return false;
    }
    match task.tool.as_deref() {
        None => true,
        Some(tool) => {
            finding.tool == tool || Tool::from_name(&finding.tool).is_some_and(|t| t.name() == tool)
        }
    }
}

/// "passed over 2 task(s) that failed before: ..." for a reason or a summary.
pub fn passed_over(skipped: &[SkippedTask]) -> String {
    let listed: Vec<String> = skipped.iter().map(SkippedTask::describe).collect();
    format!(
        "passed over {} task(s) that failed before: {}",
        skipped.len(),
        listed.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{Finding, FindingKind, History, RepoMap, RepoSummary, TaskKind};
    use crate::implement::learned_selection;
    use crate::implement::selection::Rules;

    fn finding(tool: &str, path: &str) -> Finding {
        Finding {
            kind: FindingKind::Lint,
            path: path.into(),
            line: Some(1),
            message: "m".into(),
            tool: tool.into(),
            fixable: true,
            score: None,
        }
    }

    fn context(findings: Vec<Finding>, backoffs: Vec<BackingOff>) -> Context {
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
            backoffs,
        }
    }

    fn rules() -> Rules {
        Rules {
            allowed_kinds: vec![],
            max_target_files: 1,
            max_lines: 400,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Fingerprints without a clone: kind, tool and files.
    fn plain(task: &TaskSpec) -> String {
        format!(
            "{}:{:?}:{}",
            task.kind.as_str(),
            task.tool,
            task.target_files.join(",")
        )
    }

    fn backing(fingerprint: &str, until: &str) -> BackingOff {
        BackingOff {
            fingerprint: fingerprint.into(),
            title: "old".into(),
            failures: 2,
            reason: "the checks failed".into(),
            retry_after: at(until),
        }
    }

    fn choose(ctx: &Context, now: &str) -> Avoided {
        choose_avoiding(ctx, at(now), plain, |c| {
            learned_selection::choose(c, &rules(), |_| true)
        })
    }

    #[test]
    fn a_task_backing_off_gives_way_to_the_next_candidate_and_is_named() {
        let findings = vec![
            finding("clippy", "src/a.rs"),
            finding("clippy", "src/a.rs"),
            finding("clippy", "src/b.rs"),
        ];
        let first = choose(&context(findings.clone(), vec![]), "2026-12-02T00:00:00Z");
        let task = first.guided.selection.task().unwrap();
        assert_eq!(task.target_files, ["src/a.rs"]);
        let fp = first.fingerprint.clone().unwrap();

        let ctx = context(findings, vec![backing(&fp, "2026-12-03T00:00:00Z")]);
        let second = choose(&ctx, "2026-12-02T00:00:00Z");
        let task = second.guided.selection.task().unwrap();
        assert_eq!(task.target_files, ["src/b.rs"], "the next best candidate");
        assert_eq!(second.skipped.len(), 1);
        assert_eq!(second.skipped[0].fingerprint, fp);
        assert_eq!(second.skipped[0].retry_after, at("2026-12-03T00:00:00Z"));
        assert!(second.skipped[0].describe().contains("failed 2 times"));

        // Once the backoff has passed, the task is chosen again.
        let later = choose(&ctx, "2026-12-03T00:00:01Z");
        assert_eq!(
            later.guided.selection.task().unwrap().target_files,
            ["src/a.rs"]
        );
        assert!(later.skipped.is_empty());
    }

    #[test]
    fn with_every_candidate_backing_off_nothing_is_chosen_and_the_reason_says_why() {
        let findings = vec![finding("clippy", "src/a.rs")];
        let fp = plain(&TaskSpec {
            kind: TaskKind::Lint,
            title: String::new(),
            rationale: String::new(),
            target_files: vec!["src/a.rs".into()],
            acceptance_criteria: vec![],
            issue: None,
            tool: Some("clippy".into()),
            rules: vec![],
            pull_request: None,
        });
        let ctx = context(findings, vec![backing(&fp, "2026-12-09T00:00:00Z")]);
        let avoided = choose(&ctx, "2026-12-02T00:00:00Z");
        let Selection::Nothing { reason } = &avoided.guided.selection else {
            panic!("{:?}", avoided.guided.selection)
        };
        assert!(
            reason.contains("passed over 1 task(s) that failed before"),
            "{reason}"
        );
        assert!(reason.contains("2026-12-09 00:00 UTC"), "{reason}");
        assert_eq!(avoided.fingerprint, None);
    }

    #[test]
    fn the_fingerprint_follows_the_target_files_content_not_the_title() {
        use crate::repo::test_git::git;
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        std::fs::write(dir.path().join("a.rs"), "fn a() {}\n").unwrap();
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        let first = git(dir.path(), &["rev-parse", "HEAD"]);
        let task = |title: &str| TaskSpec {
            kind: TaskKind::Lint,
            title: title.into(),
            rationale: String::new(),
            target_files: vec!["a.rs".into()],
            acceptance_criteria: vec![],
            issue: None,
            tool: Some("clippy".into()),
            rules: vec![],
            pull_request: None,
        };
        let fp = fingerprint(&task("Fix 1 clippy finding"), dir.path(), &first);
        assert_eq!(fp, fingerprint(&task("Fix a finding"), dir.path(), &first));
        assert_eq!(fp.len(), 64);
        std::fs::write(dir.path().join("a.rs"), "fn a() { }\n").unwrap();
        git(dir.path(), &["commit", "-q", "-am", "two"]);
        let second = git(dir.path(), &["rev-parse", "HEAD"]);
        assert_ne!(
            fp,
            fingerprint(&task("Fix 1 clippy finding"), dir.path(), &second)
        );
        let mut other_tool = task("x");
        other_tool.tool = Some("rustfmt".into());
        assert_ne!(fp, fingerprint(&other_tool, dir.path(), &first));
    }
}
