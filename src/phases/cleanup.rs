//! `am-cleanup`: removes the run directory (never anything outside it, never the cache or the
//! store, never a directory am-setup did not mark) and closes the run in the store. Safe to run
//! twice, and after any failure.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifacts::{Selection, TaskFile};
use crate::contract::{InputError, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::store::{RunStatus, StoreError};

/// The task.
#[derive(Debug)]
pub struct Cleanup;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CleanupInput {
    pub run_id: String,
    /// The run's working directory, removed with everything in it.
    pub run_dir: PathBuf,
    /// The run's final status; read from the artifacts when absent (am-setup's `skipped.json`
    /// means skipped, a PR means succeeded, a task file saying "nothing" means nothing,
    /// anything else failed).
    #[serde(default)]
    pub status: Option<RunStatus>,
    /// The cache directory, which is never removed (defaults as for am-setup).
    #[serde(default)]
    pub cache_dir: Option<PathBuf>,
}

impl Validate for CleanupInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        if self.run_dir.as_os_str().is_empty() {
            return Err(InputError::field("run_dir", "a directory path"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CleanupOutput {
    pub run_id: String,
    /// Whether there was a run directory to remove.
    pub removed: bool,
    /// The status the run was closed with.
    pub status: RunStatus,
}

impl Task for Cleanup {
    const NAME: &'static str = "am-cleanup";
    const ABOUT: &'static str = "Remove the run directory and close the run";
    type Input = CleanupInput;
    type Output = CleanupOutput;

    async fn run(input: CleanupInput, env: &TaskEnv) -> Result<CleanupOutput, Error> {
        let run_dir = super::setup::absolute(&input.run_dir)?;
        let cache = crate::repo::cache::cache_dir(input.cache_dir.as_deref());
        refuse_dangerous(&run_dir, &cache)?;
        for kept in super::run_dir::kept_dirs(&cache, env.secrets.database_url.as_ref()) {
            let kept = kept.canonicalize().unwrap_or(kept);
            let resolved = run_dir.canonicalize().unwrap_or_else(|_| run_dir.clone());
            if kept.starts_with(&resolved) {
                return Err(InputError::field(
                    "run_dir",
                    format!(
                        "a run directory ({} holds {}, which is never removed)",
                        run_dir.display(),
                        kept.display()
                    ),
                )
                .into());
            }
        }
        // Only a directory am-setup made is removed; a missing one is already clean.
        if run_dir.exists() {
            super::run_dir::require(&run_dir)?;
        }
        let status = input
            .status
            .unwrap_or_else(|| status_from_artifacts(&run_dir));
        // Another run's directory (given by mistake, or shared with the run that held the
        // repository when this one was skipped) is that run's to remove.
        let removed = match super::run_dir::marked_by(&run_dir) {
            Some(owner) if !owner.is_empty() && owner != input.run_id => {
                tracing::warn!(
                    "{} belongs to run {owner}; left for it to remove",
                    run_dir.display()
                );
                false
            }
            _ => remove(&run_dir)?,
        };
        close(&input.run_id, status, env).await?;
        Ok(CleanupOutput {
            run_id: input.run_id,
            removed,
            status,
        })
    }
}

/// Refuses directories whose removal would destroy more than a run: the filesystem root, the
/// home directory, the working directory, the cache, and any of their ancestors; and symlinks,
/// whose removal would reach outside.
pub fn refuse_dangerous(run_dir: &Path, cache: &Path) -> Result<(), InputError> {
    let refuse = |why: &str| {
        Err(InputError::field(
            "run_dir",
            format!(
                "a run directory ({} is {why}; refusing to remove it)",
                run_dir.display()
            ),
        ))
    };
    let resolved = run_dir
        .canonicalize()
        .unwrap_or_else(|_| run_dir.to_path_buf());
    if resolved.parent().is_none() || resolved.components().count() < 3 {
        return refuse("too close to the filesystem root");
    }
    if std::fs::symlink_metadata(run_dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return refuse("a symbolic link");
    }
    let guarded: Vec<(PathBuf, &str)> = [
        (dirs::home_dir(), "the home directory or above it"),
        (
            std::env::current_dir().ok(),
            "the working directory or above it",
        ),
        (Some(cache.to_path_buf()), "the cache or above it"),
    ]
    .into_iter()
    .filter_map(|(path, why)| path.map(|p| (p.canonicalize().unwrap_or(p), why)))
    .collect();
    for (path, why) in guarded {
        if path.starts_with(&resolved) {
            return refuse(why);
        }
    }
    if resolved.starts_with(cache.canonicalize().unwrap_or_else(|_| cache.to_path_buf())) {
        return refuse("inside the cache");
    }
    Ok(())
}

/// What the artifacts say about how the run ended.
fn status_from_artifacts(run_dir: &Path) -> RunStatus {
    if run_dir.join(crate::artifacts::SKIPPED).is_file() {
        return RunStatus::Skipped;
    }
    if run_dir.join(crate::artifacts::PULL_REQUEST).is_file() {
        return RunStatus::Succeeded;
    }
    match crate::artifacts::read::<TaskFile>(&run_dir.join(crate::artifacts::TASK)) {
        Ok(TaskFile {
            selection: Selection::Nothing { .. },
            ..
        }) => RunStatus::Nothing,
        _ => RunStatus::Failed,
    }
}

/// Closes the run; a run the store never saw (setup failed before registering it) has nothing
/// to close.
async fn close(run_id: &str, status: RunStatus, env: &TaskEnv) -> Result<(), Error> {
    let store = crate::store::open(env.secrets.database_url.as_ref()).await?;
    // A run closing as failed ends in the phase that failed, not in cleanup; a skipped one in
    // the setup that turned it away.
    let closing_step = matches!(status, RunStatus::Failed | RunStatus::Skipped);
    if !closing_step {
        super::progress::record_phase(&store, run_id, "cleanup").await?;
    }
    let closed = match store.close_run(run_id, status).await {
        // The finally step of a failed or skipped run: its page shows it ran.
        Ok(()) if closing_step => Ok(store.record_closing_step(run_id, "cleanup").await?),
        Ok(()) => Ok(()),
        Err(StoreError::UnknownRun(_)) => {
            tracing::info!("run {run_id} was never registered; nothing to close");
            Ok(())
        }
        Err(e) => Err(e.into()),
    };
    // The first run to end on a new UTC day tells the webhook what the last 24 hours did.
    crate::notify::digest::send_if_due(store.as_ref(), &env.secrets).await;
    closed
}

/// Removes the directory; a missing one is already clean.
fn remove(run_dir: &Path) -> Result<bool, Error> {
    match std::fs::remove_dir_all(run_dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(format!("remove {}", run_dir.display()), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_root_home_cache_and_their_ancestors() {
        let cache = tempfile::tempdir().unwrap();
        let cache_path = cache.path().join("cache");
        std::fs::create_dir_all(&cache_path).unwrap();
        assert!(refuse_dangerous(Path::new("/"), &cache_path).is_err());
        if let Some(home) = dirs::home_dir() {
            assert!(refuse_dangerous(&home, &cache_path).is_err());
        }
        assert!(refuse_dangerous(&cache_path, &cache_path).is_err());
        assert!(refuse_dangerous(cache.path(), &cache_path).is_err());
        assert!(refuse_dangerous(&cache_path.join("mirrors"), &cache_path).is_err());
        let runs = tempfile::tempdir().unwrap();
        assert!(refuse_dangerous(&runs.path().join("run-1"), &cache_path).is_ok());
    }
}
