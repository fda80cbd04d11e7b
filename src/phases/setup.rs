//! `am-setup`: clones the target into the run directory through the mirror cache, reads its
//! `.automaintainer.yml`, detects its checks and registers the run as running, holding its
//! repository's lock (one run per repository at a time) until the run ends. When another run
//! holds the repository, the run is recorded as `skipped` and its output says so (exit 0):
//! nothing is cloned and the flow skips every later phase.

use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifacts::FollowUpFile;
use crate::contract::{InputError, Metric, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::followup::detect::{self, Policy};
use crate::followup::local::{on_local, LocalChecks};
use crate::forge::github::{GitHubApi, GitHubRepo, RetryPolicy};
use crate::forge::sync::{self, SyncClone, SyncForge};
use crate::forge::ForgeKind;
use crate::repo::branch::Base;
use crate::repo::clone::{self, CloneRequest, Cloned};
use crate::repo::identity::identity;
use crate::repo::location::Location;
use crate::repo_config::RepoConfig;
use crate::store::NewRun;

/// The task.
#[derive(Debug)]
pub struct Setup;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupInput {
    /// The run's id (Kestra's execution id): a retry with the same id registers no second run.
    pub run_id: String,
    /// The run's working directory; the clone goes to `<run_dir>/repo`.
    pub run_dir: PathBuf,
    /// The target: an https or ssh URL, or a local path to a git repository.
    pub repository: String,
    /// The branch to start from; the remote's default branch when absent.
    #[serde(default)]
    pub base_branch: Option<String>,
    /// Where mirrors and tags are cached between runs; `AM_CACHE_DIR`, else the data directory.
    #[serde(default)]
    pub cache_dir: Option<PathBuf>,
    /// What started the run: `schedule`, `manual`, `api`, `local`.
    #[serde(default = "default_trigger")]
    pub trigger: String,
    /// The model the run will use, as recorded with the run; `AM_LLM`, else `offline`.
    #[serde(default)]
    pub model: Option<String>,
    /// Seconds to wait for another run of the same repository to finish with the cached mirror.
    #[serde(default = "default_mirror_wait_secs")]
    pub mirror_wait_secs: u64,
    /// Where the repository's pull requests live, for the lifecycle sync: `github` or `local`;
    /// `AM_FORGE` by default, else github when GITHUB_TOKEN is set and the repository is on
    /// GitHub, else local.
    #[serde(default)]
    pub forge: Option<ForgeKind>,
    /// The GitHub API base URL; `AM_GITHUB_API_URL` or api.github.com by default.
    #[serde(default)]
    pub github_api_url: Option<String>,
    /// Most follow-up rounds per pull request (answering its review and failing checks);
    /// `.automaintainer.yml`'s `follow_up.max_rounds` (2 by default) when absent; 0 turns
    /// follow-ups off.
    #[serde(default)]
    pub follow_up_rounds: Option<u32>,
    /// A dry run (everything but the push and the pull request): recorded as one from the
    /// start, so it is marked as a dry run even when it ends with nothing to commit.
    #[serde(default)]
    pub dry_run: bool,
}

fn default_trigger() -> String {
    "manual".to_owned()
}

fn default_mirror_wait_secs() -> u64 {
    600
}

impl Validate for SetupInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        if self.run_dir.as_os_str().is_empty() {
            return Err(InputError::field("run_dir", "a directory path"));
        }
        if self.repository.trim().is_empty() {
            return Err(InputError::field("repository", "a repository URL or path"));
        }
        if self
            .base_branch
            .as_deref()
            .is_some_and(|b| b.trim().is_empty())
        {
            return Err(InputError::field("base_branch", "a branch name"));
        }
        Ok(())
    }
}

/// Whether the run goes on: `cloned`, or `skipped` because another run holds the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SetupStatus {
    /// The clone is ready; the later phases run.
    Cloned,
    /// Another run holds the repository: nothing was cloned, and every later phase is skipped
    /// (the flow's `runIf`s read this).
    Skipped,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SetupOutput {
    pub run_id: String,
    /// `cloned`, or `skipped` when another run holds the repository (then only `reason`,
    /// `holder`, `repository_id` and `dry_run` are given besides).
    pub status: SetupStatus,
    /// Why the run was skipped: `skipped: another run holds the repository (run <id>)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The run that holds the repository, when this one was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clone_path: Option<PathBuf>,
    /// The remote's default branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<String>,
    /// The branch checked out, which the work branch will start from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_commit: Option<String>,
    /// Check commands from `.automaintainer.yml`, or detected from the build files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_commands: Option<Vec<String>>,
    /// Whether the repository carries `.automaintainer.yml`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_found: Option<bool>,
    /// Objects the mirror fetched this time: 0 when nothing changed since the last run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_objects: Option<usize>,
    /// The repository's identity, as the store, the mirrors and the dashboard name it.
    pub repository_id: String,
    /// What the lifecycle sync found of the repository's open pull requests (merged, closed,
    /// superseded, still open), one line each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_requests: Option<Vec<String>>,
    /// The pull request of this project whose review findings or failing checks this run
    /// answers (follow-up.json says what), if any: on GitHub from its review and checks, on the
    /// local forge from the repository's checks run on its branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<u64>,
    /// Whether the run is recorded as a dry run.
    pub dry_run: bool,
}

impl SetupOutput {
    /// The output of a run turned away because `holder` holds the repository.
    fn skipped(input: &SetupInput, holder: String, reason: String) -> Self {
        Self {
            run_id: input.run_id.clone(),
            status: SetupStatus::Skipped,
            reason: Some(reason),
            holder: Some(holder),
            clone_path: None,
            default_branch: None,
            base_branch: None,
            head_commit: None,
            check_commands: None,
            config_found: None,
            fetched_objects: None,
            repository_id: identity(&input.repository),
            pull_requests: None,
            follow_up: None,
            dry_run: input.dry_run,
        }
    }
}

/// What am-setup leaves in the run directory of a skipped run, for am-cleanup.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SkippedFile {
    pub(crate) holder: String,
    pub(crate) reason: String,
}

impl Task for Setup {
    const NAME: &'static str = "am-setup";
    const ABOUT: &'static str =
        "Clone the target repository into the run directory and register the run";
    type Input = SetupInput;
    type Output = SetupOutput;

    async fn run(input: SetupInput, env: &TaskEnv) -> Result<SetupOutput, Error> {
        let location = Location::parse(&input.repository)?;
        let run_dir = absolute(&input.run_dir)?;
        let cache = crate::repo::cache::cache_dir(input.cache_dir.as_deref());
        // Only a new, empty or earlier-marked directory becomes the run's: nothing the run did
        // not create is ever replaced or deleted (the clone goes to `<run_dir>/repo`).
        let kept = super::run_dir::kept_dirs(&cache, env.secrets.database_url.as_ref());
        let kept: Vec<&std::path::Path> = kept.iter().map(PathBuf::as_path).collect();
        super::run_dir::prepare(&run_dir, &input.run_id, &kept)?;
        // Registered before cloning, so a clone that fails is recorded against a known run.
        let store = crate::store::open(env.secrets.database_url.as_ref()).await?;
        let run = new_run(&input);
        store.register_run(&run).await?;
        // One run per repository at a time: a second one stops here, before cloning, recorded
        // as skipped with the holder; it holds no lease, and the flow skips every later phase.
        if let Some(holder) = store
            .lock_repository(&run.repository, &input.run_id)
            .await?
        {
            let reason = format!("skipped: another run holds the repository (run {holder})");
            store.skip_run(&input.run_id, &reason).await?;
            // Only into a directory that is this run's own: another run's is never touched.
            if super::run_dir::marked_by(&run_dir).as_deref() == Some(input.run_id.as_str()) {
                crate::artifacts::write(
                    &run_dir.join(crate::artifacts::SKIPPED),
                    &SkippedFile {
                        holder: holder.clone(),
                        reason: reason.clone(),
                    },
                    &env.secrets.redactor(),
                )?;
            }
            tracing::info!("{reason}");
            return Ok(SetupOutput::skipped(&input, holder, reason));
        }
        // Chosen once the repository is this run's: a skipped run creates no build directory.
        record_build_dirs(&run_dir, &cache, &identity(&input.repository), env)?;
        if input.dry_run {
            store.mark_dry_run(&input.run_id).await?;
        }
        store.set_phase(&input.run_id, "setup").await?;
        super::lease::hold(&input.run_id, std::sync::Arc::clone(&store));
        let destination = run_dir.join(crate::artifacts::CLONE_DIR);
        let cloned = clone_blocking(
            &location,
            input.base_branch.clone(),
            &destination,
            &cache,
            crate::contract::clamped_secs(input.mirror_wait_secs),
            env,
        )
        .await?;
        let config = match RepoConfig::load(&cloned.path) {
            Ok(config) => config,
            Err(e) => {
                // A clone the run cannot use is not left behind for the next phase.
                let _ = std::fs::remove_dir_all(&cloned.path);
                return Err(e.into());
            }
        };
        let check_commands = if config.checks.is_empty() {
            crate::repo::checks::detect(&cloned.path)
        } else {
            config.checks.clone()
        };
        env.metric(
            Metric::counter("fetched_objects", cloned.mirror.received_objects as f64)
                .tag("phase", "setup"),
        );
        env.metric(
            Metric::counter("fetched_bytes", cloned.mirror.received_bytes as f64)
                .tag("phase", "setup"),
        );
        // What the forge says is worth knowing, not worth failing the run for.
        let pull_requests = sync_pull_requests(&input, env, store.as_ref(), &cloned)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("could not sync the pull requests: {}", e.chain());
                Vec::new()
            });
        let policy = Policy {
            max_rounds: input
                .follow_up_rounds
                .unwrap_or(config.follow_up.max_rounds),
            needs_human_label: config.follow_up.needs_human_label.clone(),
        };
        let local = LocalChecks {
            clone: &cloned.path,
            base: &Base {
                branch: cloned.base_branch.clone(),
                commit: cloned.head_commit.clone(),
            },
            commands: &check_commands,
            timeout: crate::contract::clamped_secs(config.check_timeout_secs),
            redactor: &env.secrets.redactor(),
        };
        let follow_up = follow_up(&input, env, store.as_ref(), &policy, &run_dir, local)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(
                    "could not look for feedback on the open pull requests: {}",
                    e.chain()
                );
                FollowUpFile::default()
            });
        for note in &follow_up.notes {
            tracing::info!("{note}");
        }
        crate::artifacts::write(
            &run_dir.join(crate::artifacts::FOLLOW_UP),
            &follow_up,
            &env.secrets.redactor(),
        )?;
        tracing::info!(
            "cloned {} at {} ({} objects fetched)",
            location.fetch_url(),
            cloned.base_branch,
            cloned.mirror.received_objects
        );
        Ok(SetupOutput {
            run_id: input.run_id,
            status: SetupStatus::Cloned,
            reason: None,
            holder: None,
            clone_path: Some(cloned.path),
            default_branch: Some(cloned.default_branch),
            base_branch: Some(cloned.base_branch),
            head_commit: Some(cloned.head_commit),
            check_commands: Some(check_commands),
            config_found: Some(cloned_config_exists(&destination)),
            fetched_objects: Some(cloned.mirror.received_objects),
            repository_id: identity(&input.repository),
            pull_requests: Some(pull_requests),
            follow_up: follow_up.follow_up.map(|f| f.number),
            dry_run: input.dry_run,
        })
    }
}

/// The run as the store records it.
fn new_run(input: &SetupInput) -> NewRun {
    let model = input
        .model
        .clone()
        .or_else(|| std::env::var("AM_LLM").ok().filter(|m| !m.is_empty()))
        .unwrap_or_else(|| "offline".to_owned());
    NewRun {
        run_id: input.run_id.clone(),
        repository: identity(&input.repository),
        trigger: input.trigger.clone(),
        model,
        started_at: chrono::Utc::now(),
    }
}

/// The lifecycle sync: what became of the repository's open pull requests since the last run.
async fn sync_pull_requests(
    input: &SetupInput,
    env: &TaskEnv,
    store: &dyn crate::store::Store,
    cloned: &Cloned,
) -> Result<Vec<String>, Error> {
    let forge_env = std::env::var("AM_FORGE").ok();
    let token = env.secrets.github_token.as_ref();
    let kind = ForgeKind::resolve(
        input.forge,
        forge_env.as_deref(),
        token.is_some(),
        &input.repository,
    )?;
    let key = identity(&input.repository);
    let clone = SyncClone {
        path: &cloned.path,
        base_branch: &cloned.base_branch,
    };
    let synced = match kind {
        ForgeKind::Local => sync::sync(store, &SyncForge::Local, &key, clone).await?,
        ForgeKind::Github => {
            let (Some(token), Some((owner, name))) =
                (token, crate::github::owner_and_name(&input.repository))
            else {
                tracing::warn!("no GITHUB_TOKEN: the pull requests on GitHub are not synced");
                return Ok(Vec::new());
            };
            let base_url = input
                .github_api_url
                .clone()
                .unwrap_or_else(crate::github::api_base_url);
            let api = GitHubApi::new(&base_url, Some(token), RetryPolicy::default())?;
            let repo = GitHubRepo { owner, name };
            sync::sync(
                store,
                &SyncForge::GitHub {
                    api: &api,
                    repo: &repo,
                },
                &key,
                clone,
            )
            .await?
        }
    };
    Ok(synced.into_iter().map(|s| s.note).collect())
}

/// The open PR whose feedback this run answers: on GitHub its review and checks; on the local
/// forge the repository's checks on branches someone else pushed to.
async fn follow_up(
    input: &SetupInput,
    env: &TaskEnv,
    store: &dyn crate::store::Store,
    policy: &Policy,
    run_dir: &std::path::Path,
    local: LocalChecks<'_>,
) -> Result<FollowUpFile, Error> {
    let forge_env = std::env::var("AM_FORGE").ok();
    let token = env.secrets.github_token.as_ref();
    let kind = ForgeKind::resolve(
        input.forge,
        forge_env.as_deref(),
        token.is_some(),
        &input.repository,
    )?;
    if kind == ForgeKind::Local {
        crate::runner::configure(run_dir, local.clone, None)
            .map_err(|e| Error::step("run the repository's code", e.to_string()))?;
        return on_local(store, &identity(&input.repository), policy, local).await;
    }
    let (ForgeKind::Github, Some(token), Some((owner, name))) = (
        kind,
        token,
        crate::github::owner_and_name(&input.repository),
    ) else {
        return Ok(FollowUpFile::default());
    };
    let base_url = input
        .github_api_url
        .clone()
        .unwrap_or_else(crate::github::api_base_url);
    let api = GitHubApi::new(&base_url, Some(token), RetryPolicy::default())?;
    let repo = GitHubRepo { owner, name };
    Ok(detect::on_github(store, &api, &repo, &identity(&input.repository), policy).await?)
}

fn cloned_config_exists(clone: &std::path::Path) -> bool {
    clone.join(crate::repo_config::FILE_NAME).is_file()
}

/// Relative run directories are taken from the working directory, once, so every later path is
/// absolute.
pub fn absolute(path: &std::path::Path) -> Result<PathBuf, Error> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .map_err(|e| Error::io("read the working directory", e))
}

/// git2 blocks; the clone runs off the async workers.
async fn clone_blocking(
    location: &Location,
    base_branch: Option<String>,
    destination: &std::path::Path,
    cache: &std::path::Path,
    mirror_wait: Duration,
    env: &TaskEnv,
) -> Result<Cloned, Error> {
    let location = location.clone();
    let destination = destination.to_path_buf();
    let cache = cache.to_path_buf();
    let token = env.secrets.github_token.clone();
    tokio::task::spawn_blocking(move || {
        clone::clone(&CloneRequest {
            location: &location,
            base_branch: base_branch.as_deref(),
            destination: &destination,
            cache_dir: &cache,
            token: token.as_ref(),
            mirror_wait,
        })
    })
    .await
    .map_err(|e| Error::step("clone", e.to_string()))?
}

/// Chooses where the run builds (the repository's kept cargo target directory) and records it in
/// the run directory for every later phase.
fn record_build_dirs(
    run_dir: &std::path::Path,
    cache: &std::path::Path,
    repository: &str,
    env: &TaskEnv,
) -> Result<(), Error> {
    let builds = crate::repo::cache::builds_dir(cache);
    let dirs = crate::runner::build_dir::choose(run_dir, Some(&builds), repository);
    std::fs::create_dir_all(&dirs.cargo_target_dir)
        .map_err(|e| Error::io(format!("create {}", dirs.cargo_target_dir.display()), e))?;
    if dirs.kept {
        // Kept builds no run has used for a while go; this one is marked as used now.
        use crate::runner::build_sweep;
        if let Err(e) = build_sweep::mark_used(&dirs.cargo_target_dir) {
            tracing::warn!("could not mark the kept build as used: {e}");
        }
        let memo = crate::runner::build_dir::lint_memo(&dirs, run_dir);
        crate::lint::memo::prune(&memo, build_sweep::keep_for());
        let removed = build_sweep::sweep(&dirs.cargo_target_dir, build_sweep::keep_for());
        if !removed.is_empty() {
            tracing::info!(
                "removed {} kept build(s) no run used for {} days",
                removed.len(),
                build_sweep::keep_for().as_secs() / 86_400
            );
        }
    }
    crate::artifacts::write(
        &run_dir.join(crate::artifacts::BUILD_DIRS),
        &dirs,
        &env.secrets.redactor(),
    )
}
