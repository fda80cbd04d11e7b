//! am-persist: records a run's artifacts (whichever of context, task, implementation, pr,
//! review and evaluation exist) in the memory store in one transaction, keyed by run id so
//! that running it again changes nothing. With `failed_phase` and `error` it also records the
//! failure, so a failed run is never lost.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::contract::{InputError, Metric, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::secrets::Redactor;
use crate::store::{RunArtifacts, RunChange, RunFailure, RunStatus, RunTranscript};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersistInput {
    pub run_id: String,
    pub run_dir: PathBuf,
    /// Artifacts recorded when present; each defaults to its name in `run_dir`. A missing file
    /// is simply not recorded.
    #[serde(default)]
    pub context: Option<PathBuf>,
    #[serde(default)]
    pub task: Option<PathBuf>,
    #[serde(default)]
    pub implementation: Option<PathBuf>,
    #[serde(default)]
    pub pr: Option<PathBuf>,
    #[serde(default)]
    pub review: Option<PathBuf>,
    #[serde(default)]
    pub evaluation: Option<PathBuf>,
    /// The clone (default `<run_dir>/repo`): the change between the implementation's base and
    /// its commit is read from it and recorded with the run (redacted, size-capped). Without a
    /// clone or a commit no change is recorded.
    #[serde(default)]
    pub repo: Option<PathBuf>,
    /// The model's conversation (default `<run_dir>/transcript.jsonl`), recorded redacted and
    /// size-capped when present.
    #[serde(default)]
    pub transcript: Option<PathBuf>,
    /// The phase that failed; with `error`, the run is recorded as failed there.
    #[serde(default)]
    pub failed_phase: Option<String>,
    /// What failed, as the failing phase reported it (redacted before it is stored).
    #[serde(default)]
    pub error: Option<String>,
    /// Closes the run with this status (a failed run stays failed).
    #[serde(default)]
    pub status: Option<RunStatus>,
}

impl Validate for PersistInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        match (&self.failed_phase, &self.error) {
            (Some(phase), Some(_)) if phase.trim().is_empty() => {
                Err(InputError::field("failed_phase", "a non-empty phase name"))
            }
            (Some(_), None) => Err(InputError::field(
                "error",
                "the failure's message when `failed_phase` is given",
            )),
            (None, Some(_)) => Err(InputError::field(
                "failed_phase",
                "the phase that failed when `error` is given",
            )),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PersistOutput {
    pub run_id: String,
    /// `postgres` or `sqlite`.
    pub backend: String,
    /// The artifacts recorded, by name (`context`, `task`, `implementation`, `pr`, `review`,
    /// `evaluation`, `change` for the diff and commits, `transcript` for the model's
    /// conversation).
    pub recorded: Vec<String>,
    /// Whether a failure was recorded.
    pub failure_recorded: bool,
    /// The run's status as stored now.
    pub run_status: RunStatus,
    pub phase: Option<String>,
    pub pr_number: Option<i64>,
    pub evolution_score: Option<f64>,
}

#[derive(Debug)]
pub struct Persist;

impl Task for Persist {
    const NAME: &'static str = "am-persist";
    const ABOUT: &'static str =
        "Record a run's artifacts (and its failure, if any) in the memory store, idempotently";
    type Input = PersistInput;
    type Output = PersistOutput;

    async fn run(input: PersistInput, env: &TaskEnv) -> Result<PersistOutput, Error> {
        let redactor = env.secrets.redactor();
        // A failed run's artifacts may be half-written: skip a bad one rather than lose the
        // failure. Without a failure, a bad artifact is bad input.
        let lenient = input.failed_phase.is_some();
        let reader = ArtifactReader {
            run_dir: &input.run_dir,
            redactor: &redactor,
            lenient,
        };
        let mut artifacts = RunArtifacts {
            run_id: input.run_id.clone(),
            context: reader.read(input.context.as_deref(), "context.json")?,
            task: reader.read(input.task.as_deref(), "task.json")?,
            implementation: reader.read(input.implementation.as_deref(), "implementation.json")?,
            pull_request: reader.read(input.pr.as_deref(), "pr.json")?,
            review: reader.read(input.review.as_deref(), "review.json")?,
            evaluation: reader.read(input.evaluation.as_deref(), "evaluation.json")?,
            change: None,
            transcript: read_transcript(
                &crate::artifacts::locate(
                    input.transcript.as_ref(),
                    &input.run_dir,
                    crate::implement::explore::transcript::FILE_NAME,
                ),
                &redactor,
            ),
            failure: None,
            status: input.status,
        };
        if let (Some(phase), Some(message)) = (&input.failed_phase, &input.error) {
            artifacts.failure = Some(RunFailure {
                run_id: input.run_id.clone(),
                phase: redactor.redact(phase.trim()),
                message: redactor.redact(message.trim()),
                at: crate::store::clock::now(),
            });
        }
        let clone = crate::artifacts::locate(
            input.repo.as_ref(),
            &input.run_dir,
            crate::artifacts::CLONE_DIR,
        );
        artifacts.change = artifacts
            .implementation
            .as_ref()
            .and_then(|implementation| read_change(&clone, implementation, &redactor));
        let recorded = present(&artifacts);

        let store = crate::store::open(env.secrets.database_url.as_ref()).await?;
        // A failure belongs to the phase that failed, whose timing the failure closes.
        if artifacts.failure.is_none() {
            super::progress::record_phase(&store, &input.run_id, "persist").await?;
        }
        if let Err(error) = store.persist_artifacts(&artifacts).await {
            if let Some(failure) = &artifacts.failure {
                // The artifacts could not be recorded; the failure still must be.
                tracing::warn!("recording the artifacts failed; recording the failure alone");
                store.record_failure(failure).await?;
            }
            return Err(error.into());
        }
        if artifacts.failure.is_some() {
            // This is the failed run's error handler: its page shows it ran.
            store.record_closing_step(&input.run_id, "persist").await?;
        }
        tracing::info!(
            "recorded run {} ({}) in the {} store",
            input.run_id,
            if recorded.is_empty() {
                "no artifacts".to_owned()
            } else {
                recorded.join(", ")
            },
            store.backend()
        );
        env.metric(
            Metric::counter("artifacts_recorded", recorded.len() as f64).tag("task", Self::NAME),
        );
        let detail = store.run_detail(&input.run_id).await?.ok_or_else(|| {
            Error::step(
                format!("read back run {}", input.run_id),
                "it is not in the store",
            )
        })?;
        let failure = input.failed_phase.as_deref().zip(input.error.as_deref());
        if let Some(note) = super::task_backoff::remember(
            store.as_ref(),
            &artifacts,
            failure,
            detail.overview.dry_run,
        )
        .await?
        {
            tracing::info!("{note}");
        }
        if let Some(failure) = &artifacts.failure {
            notify_failure(env, &detail.overview, failure).await;
        }
        Ok(PersistOutput {
            run_id: input.run_id,
            backend: store.backend().to_owned(),
            recorded,
            failure_recorded: artifacts.failure.is_some(),
            run_status: detail.overview.status,
            phase: detail.overview.phase,
            pr_number: detail.overview.pr_number,
            evolution_score: detail.overview.evolution_score,
        })
    }
}

/// Tells the webhook that the run failed: not when it only stood aside for another run of its
/// repository (that run is the one to hear from).
async fn notify_failure(env: &TaskEnv, run: &crate::store::RunOverviewRow, failure: &RunFailure) {
    if run.status != RunStatus::Failed
        || failure
            .message
            .contains("skipped: another run holds the repository")
    {
        return;
    }
    let event = crate::notify::Event::RunFailed {
        run_id: run.run_id.clone(),
        repository: run.repository.clone(),
        phase: failure.phase.clone(),
        error: failure.message.clone(),
    };
    crate::notify::notify(&env.secrets, &event).await;
}

/// The committed change, redacted; None (said in the log) when there is no commit or it cannot
/// be read: the rest of the run is still recorded.
fn read_change(
    clone: &Path,
    implementation: &crate::artifacts::Implementation,
    redactor: &Redactor,
) -> Option<RunChange> {
    let commit = implementation.commit.as_deref()?;
    if !clone.join(".git").exists() {
        tracing::info!(
            "no clone at {}: the change is not recorded",
            clone.display()
        );
        return None;
    }
    match crate::repo::patch::change_between(clone, &implementation.base_commit, commit) {
        Ok(change) => Some(redact_change(change, redactor)),
        Err(error) => {
            tracing::warn!("the change is not recorded: {}", error);
            None
        }
    }
}

/// The conversation at `path`, redacted again and capped; None when there is none.
fn read_transcript(path: &Path, redactor: &Redactor) -> Option<RunTranscript> {
    let text = std::fs::read_to_string(path).ok()?;
    if text.trim().is_empty() {
        return None;
    }
    Some(RunTranscript::capped(redactor.redact(&text)))
}

fn redact_change(mut change: RunChange, redactor: &Redactor) -> RunChange {
    change.diff = redactor.redact(&change.diff);
    for commit in &mut change.commits {
        commit.summary = redactor.redact(&commit.summary);
        commit.body = redactor.redact(&commit.body);
        commit.author = redactor.redact(&commit.author);
    }
    change
}

struct ArtifactReader<'a> {
    run_dir: &'a Path,
    redactor: &'a Redactor,
    lenient: bool,
}

impl ArtifactReader<'_> {
    /// The artifact at `path` (default `<run_dir>/<default_name>`), redacted; None when the
    /// file does not exist.
    fn read<T: DeserializeOwned>(
        &self,
        path: Option<&Path>,
        default_name: &str,
    ) -> Result<Option<T>, Error> {
        let path = path.map_or_else(|| self.run_dir.join(default_name), Path::to_path_buf);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return self.bad(&path, &e.to_string()),
        };
        let parsed = serde_json::from_str::<serde_json::Value>(&text)
            .and_then(|value| serde_json::from_value(self.redactor.redact_json(&value)));
        match parsed {
            Ok(value) => Ok(Some(value)),
            Err(e) => self.bad(&path, &e.to_string()),
        }
    }

    fn bad<T>(&self, path: &Path, reason: &str) -> Result<Option<T>, Error> {
        if self.lenient {
            tracing::warn!("skipping artifact {}: {reason}", path.display());
            return Ok(None);
        }
        Err(InputError(format!(
            "artifact {} is not valid: {reason}",
            path.display()
        ))
        .into())
    }
}

fn present(artifacts: &RunArtifacts) -> Vec<String> {
    [
        ("context", artifacts.context.is_some()),
        ("task", artifacts.task.is_some()),
        ("implementation", artifacts.implementation.is_some()),
        ("pr", artifacts.pull_request.is_some()),
        ("review", artifacts.review.is_some()),
        ("evaluation", artifacts.evaluation.is_some()),
        ("change", artifacts.change.is_some()),
        ("transcript", artifacts.transcript.is_some()),
    ]
    .into_iter()
    .filter(|(_, present)| *present)
    .map(|(name, _)| name.to_owned())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::parse_input;

    #[test]
    fn a_failure_needs_both_phase_and_message() {
        let err = |json: &str| parse_input::<PersistInput>(json).unwrap_err().to_string();
        assert!(
            err(r#"{"run_id":"r","run_dir":"/x","failed_phase":"select"}"#)
                .contains("field `error`")
        );
        assert!(
            err(r#"{"run_id":"r","run_dir":"/x","error":"boom"}"#).contains("field `failed_phase`")
        );
        assert!(err(r#"{"run_id":" ","run_dir":"/x"}"#).contains("field `run_id`"));
        let ok: PersistInput = parse_input(
            r#"{"run_id":"r","run_dir":"/x","failed_phase":"select","error":"boom","status":"failed"}"#,
        )
        .unwrap();
        assert_eq!(ok.status, Some(RunStatus::Failed));
    }

    #[test]
    fn missing_artifacts_are_absent_and_bad_ones_are_bad_input_unless_failing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("task.json"), "{ not json").unwrap();
        let redactor = Redactor::default();
        let strict = ArtifactReader {
            run_dir: dir.path(),
            redactor: &redactor,
            lenient: false,
        };
        let missing: Option<crate::artifacts::Review> = strict.read(None, "review.json").unwrap();
        assert!(missing.is_none());
        let bad = strict
            .read::<crate::artifacts::TaskFile>(None, "task.json")
            .unwrap_err();
        assert_eq!(bad.exit_code(), 2);
        assert!(bad.headline().contains("task.json"), "{}", bad.headline());
        let lenient = ArtifactReader {
            lenient: true,
            ..strict
        };
        assert!(lenient
            .read::<crate::artifacts::TaskFile>(None, "task.json")
            .unwrap()
            .is_none());
    }
}
