//! am-open-pr: pushes the work branch and opens (or updates) its pull request on GitHub or on
//! the local forge, and writes `pr.json`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifacts::{self, Implementation, ImplementationStatus, PrAction, PullRequestFile};
use crate::contract::{InputError, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::forge::github::{pulls, GitHubApi, GitHubRepo, RetryPolicy};
use crate::forge::{self, ForgeKind, Plan, PrOutcome, PrRequest};
use crate::repo::push::{push_branch, target_url, PushTarget};
use crate::repo_config::RepoConfig;
use crate::secrets::Secret;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenPrInput {
    pub run_id: String,
    /// The run's working directory.
    pub run_dir: PathBuf,
    /// `implementation.json`; `<run_dir>/implementation.json` by default.
    #[serde(default)]
    pub implementation: Option<PathBuf>,
    /// The clone; `<run_dir>/repo` by default.
    #[serde(default)]
    pub clone: Option<PathBuf>,
    /// The repository as given to am-setup: a GitHub URL or a path.
    pub repository: String,
    /// `github` or `local`; `AM_FORGE` by default, else github when GITHUB_TOKEN is set and the
    /// repository is on GitHub, else local.
    #[serde(default)]
    pub forge: Option<ForgeKind>,
    /// The GitHub API base URL; `AM_GITHUB_API_URL` or api.github.com by default.
    #[serde(default)]
    pub github_api_url: Option<String>,
    /// Where the branch is pushed: a remote of the clone, a URL or a path; `origin` by default.
    #[serde(default)]
    pub push_to: Option<String>,
    /// Do everything but the push and the PR, and say what would have been done.
    #[serde(default)]
    pub dry_run: bool,
    /// Seconds GitHub's rate limits may be waited out per call; 300 by default.
    #[serde(default)]
    pub rate_limit_wait_secs: Option<u64>,
}

impl Validate for OpenPrInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        if self.repository.trim().is_empty() {
            return Err(InputError::field("repository", "a repository URL or path"));
        }
        if self.push_to.as_deref().is_some_and(|p| p.trim().is_empty()) {
            return Err(InputError::field("push_to", "a remote name, URL or path"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OpenPrOutput {
    /// created, updated, dry_run, skipped_closed or nothing.
    pub status: PrAction,
    pub forge: ForgeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub branch: String,
    /// The `pr.json` written.
    pub pr_file: PathBuf,
    /// What was done, or for a dry run what would have been.
    pub message: String,
}

#[derive(Debug)]
pub struct OpenPr;

impl Task for OpenPr {
    const NAME: &'static str = "am-open-pr";
    const ABOUT: &'static str =
        "Push the work branch and open or update its pull request; writes pr.json";
    type Input = OpenPrInput;
    type Output = OpenPrOutput;

    async fn run(input: OpenPrInput, env: &TaskEnv) -> Result<OpenPrOutput, Error> {
        let implementation_path = crate::artifacts::locate(
            input.implementation.as_ref(),
            &input.run_dir,
            crate::artifacts::IMPLEMENTATION,
        );
        let implementation: Implementation = artifacts::read(&implementation_path)?;
        let clone = crate::artifacts::locate(
            input.clone.as_ref(),
            &input.run_dir,
            crate::artifacts::CLONE_DIR,
        );
        let forge_env = std::env::var("AM_FORGE").ok();
        let kind = ForgeKind::resolve(
            input.forge,
            forge_env.as_deref(),
            env.secrets.github_token.is_some(),
            &input.repository,
        )?;
        let pr_file = input.run_dir.join(crate::artifacts::PULL_REQUEST);
        let redactor = env.secrets.redactor();

        let config = if clone.join(crate::repo_config::FILE_NAME).exists() {
            RepoConfig::load(&clone)?
        } else {
            RepoConfig::default()
        };
        let text = forge::compose(&implementation, &redactor);
        let request = PrRequest {
            branch: implementation.branch.clone(),
            base_branch: implementation.base_branch.clone(),
            head_commit: implementation.commit.clone(),
            title: text.title,
            body: text.body,
            labels: config.labels.clone(),
            draft: config.draft,
            reopen_closed: config.reopen_closed,
        };
        let target = PushTarget::parse(input.push_to.as_deref());

        let committed = implementation.status == ImplementationStatus::Committed
            && implementation.commit.is_some();
        let (repository, outcome, message) = if !committed {
            let outcome = PrOutcome {
                action: PrAction::Nothing,
                number: None,
                url: None,
            };
            (
                input.repository.clone(),
                outcome,
                "nothing was committed, so there is no pull request to open".to_owned(),
            )
        } else {
            match kind {
                ForgeKind::Github => open_on_github(&input, env, &clone, &target, &request).await?,
                ForgeKind::Local => open_locally(&input, env, &clone, &target, &request).await?,
            }
        };

        let file = PullRequestFile {
            action: outcome.action,
            forge: kind.as_str().to_owned(),
            repository,
            number: outcome.number,
            url: outcome.url.clone(),
            branch: request.branch.clone(),
            base_branch: request.base_branch.clone(),
            head_commit: request.head_commit.clone(),
            title: request.title.clone(),
            body: request.body.clone(),
            draft: request.draft,
            labels: request.labels.clone(),
        };
        artifacts::write(&pr_file, &file, &redactor)?;
        tracing::info!("{message}");
        Ok(OpenPrOutput {
            status: outcome.action,
            forge: kind,
            number: outcome.number,
            url: outcome.url,
            branch: request.branch,
            pr_file,
            message: redactor.redact(&message),
        })
    }
}

async fn open_on_github(
    input: &OpenPrInput,
    env: &TaskEnv,
    clone: &Path,
    target: &PushTarget,
    request: &PrRequest,
) -> Result<(String, PrOutcome, String), Error> {
    let (owner, name) = crate::github::owner_and_name(&input.repository).ok_or_else(|| {
        InputError::field("repository", "a GitHub repository URL for the github forge")
    })?;
    let repo = GitHubRepo { owner, name };
    let token = env.secrets.github_token.clone();
    if input.dry_run {
        // With a token the read-only look-up still runs, so the dry run can say which PR it
        // would update; without one it says what it would try.
        let plan = match &token {
            Some(token) => Some(pulls::plan_for(&github_api(input, token)?, &repo, request).await?),
            None => None,
        };
        let pushed = format!(
            "push {} to {}",
            request.branch,
            describe_target(clone, target)
        );
        let pr = format!(
            "\"{}\" into {} on {}",
            request.title,
            request.base_branch,
            repo.full_name()
        );
        let message = match plan {
            Some(Plan::Create) => format!("dry run: would {pushed} and open a pull request {pr}"),
            Some(Plan::Update(existing)) => format!(
                "dry run: would {pushed} and update pull request #{} {pr}",
                existing.number
            ),
            Some(Plan::Reopen(existing)) => format!(
                "dry run: would {pushed} and reopen pull request #{} {pr}",
                existing.number
            ),
            Some(Plan::SkipClosed(existing)) => format!(
                "dry run: would push nothing and leave pull request #{} on {} closed",
                existing.number,
                repo.full_name()
            ),
            None => format!("dry run: would {pushed} and open or update a pull request {pr}"),
        };
        return Ok((repo.full_name(), dry_run(), message));
    }
    let token = token.ok_or_else(|| {
        InputError(
            "environment variable GITHUB_TOKEN: expected a token for the github forge".into(),
        )
    })?;
    let api = github_api(input, &token)?;
    let plan = pulls::plan_for(&api, &repo, request).await?;
    if !matches!(plan, Plan::SkipClosed(_)) {
        push(clone, target, &request.branch, Some(token)).await?;
    }
    let outcome = pulls::carry_out(&api, &repo, request, plan).await?;
    let message = describe_outcome(&outcome, &repo.full_name());
    Ok((repo.full_name(), outcome, message))
}

fn github_api(input: &OpenPrInput, token: &Secret) -> Result<GitHubApi, Error> {
    let base_url = input
        .github_api_url
        .clone()
        .unwrap_or_else(crate::github::api_base_url);
    let policy = RetryPolicy {
        max_wait: Duration::from_secs(input.rate_limit_wait_secs.unwrap_or(300)),
        ..RetryPolicy::default()
    };
    Ok(GitHubApi::new(&base_url, Some(token), policy)?)
}

async fn open_locally(
    input: &OpenPrInput,
    env: &TaskEnv,
    clone: &Path,
    target: &PushTarget,
    request: &PrRequest,
) -> Result<(String, PrOutcome, String), Error> {
    let remote = target_url(clone, target).map_err(forge::ForgeError::from)?;
    if input.dry_run {
        let message = format!(
            "dry run: would push {} to {remote} and record a pull request \"{}\" into {} in the store",
            request.branch, request.title, request.base_branch
        );
        return Ok((remote, dry_run(), message));
    }
    let store = crate::store::open(env.secrets.database_url.as_ref()).await?;
    super::progress::record_phase(store.as_ref(), &input.run_id, "open_pr").await?;
    let planned = forge::local::plan_for(store.as_ref(), &remote, request).await?;
    if !matches!(planned.0, Plan::SkipClosed(_)) {
        push(clone, target, &request.branch, None).await?;
    }
    let outcome =
        forge::local::carry_out(store.as_ref(), &input.run_id, &remote, request, planned).await?;
    let message = describe_outcome(&outcome, &remote);
    Ok((remote, outcome, message))
}

fn dry_run() -> PrOutcome {
    PrOutcome {
        action: PrAction::DryRun,
        number: None,
        url: None,
    }
}

fn describe_target(clone: &Path, target: &PushTarget) -> String {
    target_url(clone, target).unwrap_or_else(|_| match target {
        PushTarget::Named(name) | PushTarget::Url(name) => name.clone(),
    })
}

fn describe_outcome(outcome: &PrOutcome, repository: &str) -> String {
    let number = outcome.number.map(|n| format!("#{n}")).unwrap_or_default();
    match outcome.action {
        PrAction::Created => format!("opened pull request {number} on {repository}"),
        PrAction::Updated => format!("updated pull request {number} on {repository}"),
        PrAction::SkippedClosed => format!(
            "pull request {number} on {repository} was closed unmerged; left closed (reopen_closed is off)"
        ),
        PrAction::DryRun => "dry run".to_owned(),
        PrAction::Nothing => "nothing to open".to_owned(),
    }
}

/// git2 blocks; the push runs off the async threads.
async fn push(
    clone: &Path,
    target: &PushTarget,
    branch: &str,
    token: Option<Secret>,
) -> Result<(), Error> {
    let (clone, target, branch) = (clone.to_path_buf(), target.clone(), branch.to_owned());
    tokio::task::spawn_blocking(move || push_branch(&clone, &target, &branch, token.as_ref()))
        .await
        .map_err(|e| Error::step("push the work branch", e.to_string()))?
        .map_err(|e| forge::ForgeError::from(e).into())
}
