//! What a run's artifacts say about the run, worked out once for both backends: the columns of
//! `agent_runs` they fill, the pull request row, and the JSON documents kept for the detail page.

use chrono::{DateTime, Utc};

use crate::artifacts::{PrAction, PullRequestFile, Usage};

use super::{PullRequestRow, RunArtifacts, StoreError};

/// `agent_runs.trigger` of a run that persist or a failure recorded before it was registered;
/// registering it later fills in the real values.
pub const UNREGISTERED: &str = "unregistered";

/// `agent_runs` columns filled from the artifacts; `None` leaves the stored value alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunSummary {
    /// For a run persisted before it was registered.
    pub repository: Option<String>,
    pub model: Option<String>,
    pub llm_calls: Option<i64>,
    pub tokens: Option<i64>,
    pub cost_usd: Option<f64>,
    pub task_title: Option<String>,
    pub task_kind: Option<String>,
    pub task_issue: Option<i64>,
    pub nothing_reason: Option<String>,
    pub implementation_status: Option<String>,
    pub branch: Option<String>,
    pub head_commit: Option<String>,
    pub files_changed: Option<i64>,
    pub lines_added: Option<i64>,
    pub lines_removed: Option<i64>,
    pub attempts: Option<i64>,
    /// A dry run (its `pr.json` says so): recorded as one, with no pull request row.
    pub dry_run: Option<bool>,
}

impl RunSummary {
    pub fn of(artifacts: &RunArtifacts) -> Self {
        let mut summary = Self {
            repository: artifacts
                .context
                .as_ref()
                .map(|c| c.repository.clone())
                .or_else(|| {
                    artifacts
                        .pull_request
                        .as_ref()
                        .map(|p| p.repository.clone())
                }),
            ..Self::default()
        };
        let usages: Vec<&Usage> = [
            artifacts.task.as_ref().map(|t| &t.usage),
            artifacts.implementation.as_ref().map(|i| &i.usage),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !usages.is_empty() {
            let mut total = Usage::default();
            for usage in &usages {
                total.add(usage);
            }
            summary.llm_calls = Some(i64::from(total.calls));
            summary.tokens = Some(saturating_i64(total.input_tokens + total.output_tokens));
            summary.cost_usd = Some(total.cost_usd);
            summary.model = Some(total.model).filter(|m| !m.is_empty());
        }
        let task = artifacts
            .task
            .as_ref()
            .and_then(|t| t.selection.task())
            .or_else(|| {
                artifacts
                    .implementation
                    .as_ref()
                    .and_then(|i| i.task.as_ref())
            });
        if let Some(task) = task {
            summary.task_title = Some(task.title.clone());
            summary.task_kind = Some(task.kind.as_str().to_owned());
            summary.task_issue = task.issue.map(saturating_i64);
        }
        if let Some(crate::artifacts::Selection::Nothing { reason }) =
            artifacts.task.as_ref().map(|t| &t.selection)
        {
            summary.nothing_reason = Some(reason.clone());
        }
        if artifacts
            .pull_request
            .as_ref()
            .is_some_and(|pr| pr.action == PrAction::DryRun)
        {
            summary.dry_run = Some(true);
        }
        if let Some(implementation) = &artifacts.implementation {
            summary.implementation_status = Some(enum_text(&implementation.status));
            summary.branch = Some(implementation.branch.clone());
            summary.head_commit.clone_from(&implementation.commit);
            summary.files_changed = Some(implementation.files.len() as i64);
            summary.lines_added = Some(saturating_i64(implementation.lines_added));
            summary.lines_removed = Some(saturating_i64(implementation.lines_removed));
            summary.attempts = Some(i64::from(implementation.attempts));
        }
        summary
    }
}

/// The snake_case name serde gives a unit enum variant (`committed`, `coderabbit`, ...).
pub fn enum_text(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The PR row `pr.json` describes, or None when no PR was opened (`nothing`, or a dry run,
/// which leaves nothing in the store but the run).
pub fn pull_request_row(
    run_id: &str,
    pr: &PullRequestFile,
    now: DateTime<Utc>,
) -> Option<PullRequestRow> {
    let state = match pr.action {
        PrAction::Created | PrAction::Updated | PrAction::Unchanged | PrAction::SkippedUpdate => {
            "open"
        }
        PrAction::SkippedClosed => "closed",
        PrAction::Nothing | PrAction::DryRun => return None,
    };
    Some(PullRequestRow {
        run_id: run_id.to_owned(),
        repository: pr.repository.clone(),
        forge: pr.forge.clone(),
        number: pr.number.map(saturating_i64),
        url: pr.url.clone(),
        branch: pr.branch.clone(),
        title: pr.title.clone(),
        state: state.to_owned(),
        merged: false,
        head_commit: pr.head_commit.clone(),
        created_at: now,
        updated_at: now,
    })
}

/// Whether a PR without a number gets the next local number of its repository: only real
/// (not dry-run) PRs of the local forge.
pub fn needs_local_number(pr: &PullRequestRow) -> bool {
    pr.number.is_none() && pr.forge == "local" && pr.state != "dry_run"
}

/// The artifacts as (name, JSON) for `run_artifacts`, in a fixed order.
pub fn artifact_documents(
    artifacts: &RunArtifacts,
) -> Result<Vec<(&'static str, serde_json::Value)>, StoreError> {
    fn doc<T: serde::Serialize>(
        name: &'static str,
        value: &Option<T>,
    ) -> Result<Option<(&'static str, serde_json::Value)>, StoreError> {
        value
            .as_ref()
            .map(|v| {
                serde_json::to_value(v)
                    .map(|json| (name, json))
                    .map_err(|e| StoreError::Corrupt(format!("serialize {name}: {e}")))
            })
            .transpose()
    }
    Ok([
        doc("context", &artifacts.context)?,
        doc("task", &artifacts.task)?,
        doc("implementation", &artifacts.implementation)?,
        doc("pr", &artifacts.pull_request)?,
        doc("review", &artifacts.review)?,
        doc("evaluation", &artifacts.evaluation)?,
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// The learning ids the task says it used.
pub fn learnings_used(artifacts: &RunArtifacts) -> Vec<i64> {
    let mut ids = artifacts
        .task
        .as_ref()
        .map(|t| t.learnings_used.clone())
        .unwrap_or_default();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Who is writing a PR row, which decides what an update may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrWriter {
    /// The forge adapter (`upsert_pull_request`): the row becomes what it says.
    Forge,
    /// am-persist replaying `pr.json`: it was written when the PR was opened, so it never takes
    /// a merged or closed PR back to open.
    Artifact,
}

/// The row after `incoming` is written over `existing` (None: a new row). Fields the incoming
/// row leaves empty keep their stored values; `created_at` never changes, and `updated_at` is
/// the caller's to set when the result differs from `existing`.
pub fn merge_pull_request(
    existing: Option<&PullRequestRow>,
    incoming: &PullRequestRow,
    writer: PrWriter,
) -> PullRequestRow {
    let Some(old) = existing else {
        return incoming.clone();
    };
    let terminal = matches!(old.state.as_str(), "merged" | "closed");
    let (state, merged) = match writer {
        PrWriter::Artifact if terminal => (old.state.clone(), old.merged),
        PrWriter::Artifact => (incoming.state.clone(), old.merged || incoming.merged),
        PrWriter::Forge => (incoming.state.clone(), incoming.merged),
    };
    PullRequestRow {
        run_id: incoming.run_id.clone(),
        repository: old.repository.clone(),
        forge: incoming.forge.clone(),
        number: incoming.number.or(old.number),
        url: incoming.url.clone().or_else(|| old.url.clone()),
        branch: old.branch.clone(),
        title: incoming.title.clone(),
        state,
        merged,
        head_commit: incoming
            .head_commit
            .clone()
            .or_else(|| old.head_commit.clone()),
        created_at: old.created_at,
        updated_at: old.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{
        Implementation, ImplementationStatus, Selection, TaskFile, TaskKind, TaskSpec,
    };

    fn pr(state: &str, number: Option<i64>) -> PullRequestRow {
        let at = crate::store::clock::now();
        PullRequestRow {
            run_id: "r1".into(),
            repository: "o/r".into(),
            forge: "local".into(),
            number,
            url: None,
            branch: "am/x".into(),
            title: "T".into(),
            state: state.into(),
            merged: state == "merged",
            head_commit: Some("abc".into()),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn an_artifact_never_reopens_a_merged_pr() {
        let merged = pr("merged", Some(3));
        let replay = PullRequestRow {
            head_commit: None,
            number: None,
            ..pr("open", None)
        };
        let row = merge_pull_request(Some(&merged), &replay, PrWriter::Artifact);
        assert_eq!(row.state, "merged");
        assert!(row.merged);
        assert_eq!(row.number, Some(3));
        assert_eq!(row.head_commit.as_deref(), Some("abc"));
        assert_eq!(row, merged, "replaying changes nothing");
        let forced = merge_pull_request(Some(&merged), &replay, PrWriter::Forge);
        assert_eq!((forced.state.as_str(), forced.merged), ("open", false));
    }

    #[test]
    fn only_real_local_prs_are_numbered() {
        assert!(needs_local_number(&pr("open", None)));
        assert!(!needs_local_number(&pr("dry_run", None)));
        assert!(!needs_local_number(&pr("open", Some(1))));
        let github = PullRequestRow {
            forge: "github".into(),
            ..pr("open", None)
        };
        assert!(!needs_local_number(&github));
    }

    #[test]
    fn summary_adds_usage_and_takes_the_task() {
        let usage = |tokens: u64, cost: f64| crate::artifacts::Usage {
            calls: 1,
            input_tokens: tokens,
            output_tokens: 10,
            cost_usd: cost,
            model: "anthropic:m".into(),
        };
        let task = TaskSpec {
            kind: TaskKind::Test,
            title: "Add a test".into(),
            rationale: String::new(),
            target_files: vec![],
            acceptance_criteria: vec![],
            issue: Some(7),
            pull_request: None,
            tool: None,
            rules: Vec::new(),
        };
        let artifacts = RunArtifacts {
            run_id: "r1".into(),
            task: Some(TaskFile {
                selection: Selection::Selected { task: task.clone() },
                learnings_used: vec![5, 2, 5],
                shaped_by: Vec::new(),
                usage: usage(100, 0.5),
                fingerprint: None,
                skipped: Vec::new(),
            }),
            implementation: Some(Implementation {
                status: ImplementationStatus::Committed,
                task: Some(task),
                branch: "am/x".into(),
                base_branch: "main".into(),
                commit: Some("c0ffee".into()),
                base_commit: "base".into(),
                files: vec![],
                lines_added: 4,
                lines_removed: 1,
                checks: vec![],
                attempts: 2,
                usage: usage(200, 0.25),
                failure: None,
                notes: vec![],
                follow_up: None,
            }),
            ..RunArtifacts::default()
        };
        let summary = RunSummary::of(&artifacts);
        assert_eq!(summary.tokens, Some(320));
        assert_eq!(summary.cost_usd, Some(0.75));
        assert_eq!(summary.llm_calls, Some(2));
        assert_eq!(summary.task_kind.as_deref(), Some("test"));
        assert_eq!(summary.task_issue, Some(7));
        assert_eq!(summary.implementation_status.as_deref(), Some("committed"));
        assert_eq!(summary.repository, None);
        assert_eq!(learnings_used(&artifacts), vec![2, 5]);
    }
}
