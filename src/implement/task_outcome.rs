//! Whether a run's task failed or succeeded, from its artifacts, for the failure backoff: a task
//! that failed (the checks failed, nothing was committed, the implementation phase crashed) is
//! remembered and backs off; a task that became a pull request is forgotten. Anything else (no
//! task, a dry run, a later phase that failed for its own reasons) decides nothing.

use crate::artifacts::{Implementation, ImplementationStatus, PrAction, PullRequestFile, TaskFile};

/// What a run says about its task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The task failed, for this reason: it backs off.
    Failed(String),
    /// The task was carried out and published: its failures are forgotten.
    Succeeded,
    /// Nothing to say about the task.
    Undecided,
}

/// What the run's artifacts, and the phase that failed (if one did), say about its task.
pub fn verdict(
    task: Option<&TaskFile>,
    implementation: Option<&Implementation>,
    pr: Option<&PullRequestFile>,
    failure: Option<(&str, &str)>,
) -> Verdict {
    if task.and_then(|t| t.selection.task()).is_none() {
        return Verdict::Undecided;
    }
    if pr.is_some_and(|p| p.action == PrAction::DryRun) {
        return Verdict::Undecided;
    }
    if let Some((phase, message)) = failure {
        if phase.trim() == "implement" {
            let first = message.lines().next().unwrap_or_default().trim();
            return Verdict::Failed(format!("the implementation failed: {first}"));
        }
    }
    match implementation.map(|i| (i.status, i)) {
        Some((ImplementationStatus::Failed, i)) => Verdict::Failed(
            i.failure
                .clone()
                .filter(|f| !f.trim().is_empty())
                .unwrap_or_else(|| "the change could not be made to pass the checks".to_owned()),
        ),
        Some((ImplementationStatus::Committed, _))
            if pr.is_some_and(|p| {
                matches!(
                    p.action,
                    PrAction::Created | PrAction::Updated | PrAction::Unchanged
                )
            }) =>
        {
            Verdict::Succeeded
        }
        _ => Verdict::Undecided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::{Selection, TaskKind, TaskSpec, Usage};

    fn task() -> TaskFile {
        TaskFile {
            selection: Selection::Selected {
                task: TaskSpec {
                    kind: TaskKind::Lint,
                    title: "t".into(),
                    rationale: String::new(),
                    target_files: vec!["a.py".into()],
                    acceptance_criteria: vec![],
                    issue: None,
                    tool: Some("ruff".into()),
                    rules: vec![],
                    pull_request: None,
                },
            },
            learnings_used: vec![],
            shaped_by: vec![],
            usage: Usage::default(),
            fingerprint: Some("f".into()),
            skipped: vec![],
        }
    }

    fn implementation(status: ImplementationStatus, failure: Option<&str>) -> Implementation {
        Implementation {
            status,
            task: None,
            branch: "b".into(),
            base_branch: "main".into(),
            commit: None,
            base_commit: "c".into(),
            files: vec![],
            lines_added: 0,
            lines_removed: 0,
            checks: vec![],
            attempts: 1,
            usage: Usage::default(),
            failure: failure.map(str::to_owned),
            notes: vec![],
            follow_up: None,
        }
    }

    fn pr(action: PrAction) -> PullRequestFile {
        PullRequestFile {
            action,
            forge: "local".into(),
            repository: "r".into(),
            number: Some(1),
            url: None,
            branch: "b".into(),
            base_branch: "main".into(),
            head_commit: None,
            title: "t".into(),
            body: String::new(),
            draft: false,
            labels: vec![],
        }
    }

    #[test]
    fn failed_checks_and_a_crashed_implementation_fail_the_task() {
        let failed = implementation(ImplementationStatus::Failed, Some("pytest failed"));
        assert_eq!(
            verdict(Some(&task()), Some(&failed), None, None),
            Verdict::Failed("pytest failed".into())
        );
        assert_eq!(
            verdict(
                Some(&task()),
                None,
                None,
                Some(("implement", "the fixer crashed\ncaused by: x"))
            ),
            Verdict::Failed("the implementation failed: the fixer crashed".into())
        );
    }

    #[test]
    fn a_published_change_succeeds_and_the_rest_decides_nothing() {
        let committed = implementation(ImplementationStatus::Committed, None);
        for action in [PrAction::Created, PrAction::Updated, PrAction::Unchanged] {
            assert_eq!(
                verdict(Some(&task()), Some(&committed), Some(&pr(action)), None),
                Verdict::Succeeded
            );
        }
        let failed = implementation(ImplementationStatus::Failed, None);
        assert_eq!(
            verdict(
                Some(&task()),
                Some(&failed),
                Some(&pr(PrAction::DryRun)),
                None
            ),
            Verdict::Undecided,
            "a dry run leaves no trace"
        );
        assert_eq!(
            verdict(Some(&task()), Some(&committed), None, Some(("review", "x"))),
            Verdict::Undecided
        );
        assert_eq!(verdict(None, Some(&failed), None, None), Verdict::Undecided);
    }
}
