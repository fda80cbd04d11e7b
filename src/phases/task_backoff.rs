//! am-persist's part of the failure backoff: a task that failed is remembered under its
//! fingerprint (one more failure, a later time to try it again), and a task that became a pull
//! request is forgotten. A dry run changes neither.

use crate::implement::task_outcome::{verdict, Verdict};
use crate::store::{RunArtifacts, Store, StoreError, TaskFailure};

/// Applies what the run says about its task; returns what it did, for the log.
pub async fn remember(
    store: &dyn Store,
    artifacts: &RunArtifacts,
    failure: Option<(&str, &str)>,
    dry_run: bool,
) -> Result<Option<String>, StoreError> {
    if dry_run {
        return Ok(None);
    }
    let Some(task_file) = artifacts.task.as_ref() else {
        return Ok(None);
    };
    let (Some(fingerprint), Some(task)) = (&task_file.fingerprint, task_file.selection.task())
    else {
        return Ok(None);
    };
    let Some(repository) = repository(artifacts) else {
        return Ok(None);
    };
    match verdict(
        Some(task_file),
        artifacts.implementation.as_ref(),
        artifacts.pull_request.as_ref(),
        failure,
    ) {
        Verdict::Failed(reason) => {
            let row = store
                .record_task_failure(&TaskFailure {
                    repository,
                    fingerprint: fingerprint.clone(),
                    title: task.title.clone(),
                    reason,
                    run_id: artifacts.run_id.clone(),
                    failed_at: crate::store::clock::now(),
                })
                .await?;
            Ok(Some(format!(
                "the task `{}` failed ({} time(s)); it is not tried again before {}",
                row.title,
                row.failures,
                row.retry_after.format("%Y-%m-%d %H:%M UTC")
            )))
        }
        Verdict::Succeeded => {
            store.clear_task_failure(&repository, fingerprint).await?;
            Ok(None)
        }
        Verdict::Undecided => Ok(None),
    }
}

/// The run's repository as the store knows it (its identity).
fn repository(artifacts: &RunArtifacts) -> Option<String> {
    artifacts
        .context
        .as_ref()
        .map(|c| c.repository.as_str())
        .or_else(|| {
            artifacts
                .pull_request
                .as_ref()
                .map(|p| p.repository.as_str())
        })
        .map(crate::repo::identity::identity)
}
