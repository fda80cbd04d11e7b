//! am-open-pr: pushes the work branch and opens (or updates) its pull request on GitHub or on
//! the local forge, and writes `pr.json`.

use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifacts::{self, Implementation, ImplementationStatus, PrAction, PullRequestFile};
use crate::contract::{InputError, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::forge::branch_update::{self, BranchUpdate, Updated};
use crate::forge::github::{pulls, GitHubApi, GitHubRepo, RetryPolicy};
use crate::forge::{self, ForgeKind, Plan, PrRequest};
use crate::repo::identity::identity;
use crate::repo::lease::{short, Decision};
use crate::repo::location::Location;
use crate::repo_config::RepoConfig;
use crate::secrets::Secret;
use crate::store::{PullRequestRow, Store};

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
    /// Where the branch is pushed: a URL or a path; the repository by default. A remote named
    /// in the clone's config is never used (the repository's content could have changed it).
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
        if let Some(push_to) = &self.push_to {
            let location = push_to.trim();
            if location.is_empty()
                || !(location.contains('/') || location.contains(':') || location.contains('\\'))
            {
                return Err(InputError::field(
                    "push_to",
                    "a URL or path (a remote's name is not used: the push goes where the input says)",
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OpenPrOutput {
    /// created, updated, unchanged, skipped_update, dry_run, skipped_closed or nothing.
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
    /// A dry run's change as a unified diff (`change.patch` in the run directory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_file: Option<PathBuf>,
    /// A dry run's pull request title and body (`pr.md` in the run directory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr_text_file: Option<PathBuf>,
    /// A dry run's diffstat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diffstat: Option<String>,
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
        let push_url = push_url(&input)?;

        let committed = implementation.status == ImplementationStatus::Committed
            && implementation.commit.is_some();
        let mut request = request;
        let (repository, outcome, message) = if let Some(report) = &implementation.follow_up {
            let round = super::follow_up_round::FollowUpRound {
                input: &input,
                env,
                report,
                config: &config,
                update: BranchUpdate {
                    clone: clone.clone(),
                    url: push_url,
                    branch: request.branch.clone(),
                    commit: implementation.commit.clone().unwrap_or_default(),
                    base: implementation.base_commit.clone(),
                    pushed_before: None,
                },
                committed,
            };
            let (key, outcome, message, title) = round.publish(kind).await?;
            if let Some(title) = title {
                request.title = title;
            }
            (key, outcome, message)
        } else if !committed {
            let outcome = Published {
                action: PrAction::Nothing,
                number: None,
                url: None,
                head: None,
            };
            (
                input.repository.clone(),
                outcome,
                if input.dry_run {
                    "dry run: nothing was committed, so there is no pull request to show".to_owned()
                } else {
                    "nothing was committed, so there is no pull request to open".to_owned()
                },
            )
        } else {
            let publish = Publish {
                input: &input,
                env,
                request: &request,
                update: BranchUpdate {
                    clone: clone.clone(),
                    url: push_url,
                    branch: request.branch.clone(),
                    commit: implementation.commit.clone().unwrap_or_default(),
                    base: implementation.base_commit.clone(),
                    pushed_before: None,
                },
            };
            match kind {
                ForgeKind::Github => publish.on_github().await?,
                ForgeKind::Local => publish.locally().await?,
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
            head_commit: outcome.head.clone().or_else(|| request.head_commit.clone()),
            title: request.title.clone(),
            body: request.body.clone(),
            draft: request.draft,
            labels: request.labels.clone(),
        };
        artifacts::write(&pr_file, &file, &redactor)?;
        let dry = if outcome.action == PrAction::DryRun {
            Some(write_dry_run(
                &input,
                &clone,
                &implementation,
                &request,
                &redactor,
            )?)
        } else {
            None
        };
        tracing::info!("{message}");
        if outcome.action == PrAction::Created {
            let event = crate::notify::Event::PrOpened {
                repository: crate::repo::identity::identity(&input.repository),
                number: outcome.number,
                url: outcome.url.clone(),
                title: request.title.clone(),
            };
            crate::notify::notify(&env.secrets, &event).await;
        }
        Ok(OpenPrOutput {
            status: outcome.action,
            forge: kind,
            number: outcome.number,
            url: outcome.url,
            branch: request.branch,
            pr_file,
            message: redactor.redact(&message),
            patch_file: dry.as_ref().map(|d| d.patch.clone()),
            pr_text_file: dry.as_ref().map(|d| d.pr_text.clone()),
            diffstat: dry.map(|d| d.diffstat),
        })
    }
}

/// What a dry run leaves to look at.
struct DryRunFiles {
    patch: PathBuf,
    pr_text: PathBuf,
    diffstat: String,
}

/// Writes the change as `change.patch` and the PR text as `pr.md` into the run directory
/// (redacted, like every artifact).
fn write_dry_run(
    input: &OpenPrInput,
    clone: &std::path::Path,
    implementation: &Implementation,
    request: &PrRequest,
    redactor: &crate::secrets::Redactor,
) -> Result<DryRunFiles, Error> {
    let commit = implementation.commit.clone().unwrap_or_default();
    let (patch, diffstat) = crate::repo::diff::patch(clone, &implementation.base_commit, &commit)?;
    let files = DryRunFiles {
        patch: input.run_dir.join(crate::artifacts::CHANGE_PATCH),
        pr_text: input.run_dir.join(crate::artifacts::PR_TEXT),
        diffstat: redactor.redact(diffstat.trim_end()),
    };
    let text = format!("# {}\n\n{}", request.title, request.body);
    for (path, content) in [(&files.patch, patch), (&files.pr_text, text)] {
        std::fs::write(path, redactor.redact(&content))
            .map_err(|e| Error::io(format!("write {}", path.display()), e))?;
    }
    Ok(files)
}

/// The push goes to `push_to` when given, else to the repository the run was given (a local
/// path made canonical): never to a remote the clone's config names.
fn push_url(input: &OpenPrInput) -> Result<String, Error> {
    if let Some(push_to) = &input.push_to {
        return Ok(push_to.trim().to_owned());
    }
    Ok(Location::parse(&input.repository)?.fetch_url())
}

/// One pull request to publish: the branch under its lease, then the PR.
struct Publish<'a> {
    input: &'a OpenPrInput,
    env: &'a TaskEnv,
    request: &'a PrRequest,
    update: BranchUpdate,
}

/// What publishing did, for `pr.json` and the message.
pub(super) struct Published {
    pub(super) action: PrAction,
    pub(super) number: Option<u64>,
    pub(super) url: Option<String>,
    /// The branch's head after the run.
    pub(super) head: Option<String>,
}

impl<'a> Publish<'a> {
    async fn on_github(mut self) -> Result<(String, Published, String), Error> {
        let input = self.input;
        let (owner, name) = crate::github::owner_and_name(&input.repository).ok_or_else(|| {
            InputError::field("repository", "a GitHub repository URL for the github forge")
        })?;
        let repo = GitHubRepo { owner, name };
        let key = identity(&input.repository);
        let token = self.env.secrets.github_token.clone();
        if input.dry_run {
            // With a token the read-only look-up still runs, so the dry run can say which PR
            // it would update; without one it says what it would try.
            let plan = match &token {
                Some(token) => {
                    Some(pulls::plan_for(&github_api(input, token)?, &repo, self.request).await?)
                }
                None => None,
            };
            let message = dry_run_message(plan, self.request, &self.update.url, &key);
            return Ok((key, dry_run(), message));
        }
        let token = token.ok_or_else(|| {
            InputError(
                "environment variable GITHUB_TOKEN: expected a token for the github forge".into(),
            )
        })?;
        let api = github_api(input, &token)?;
        let store = crate::store::open(self.env.secrets.database_url.as_ref()).await?;
        let plan = pulls::plan_for(&api, &repo, self.request).await?;
        if let Plan::SkipClosed(pr) = &plan {
            let outcome = skipped_closed(pr);
            let message = describe(&outcome, &key, None);
            return Ok((key, outcome, message));
        }
        self.update.pushed_before =
            pushed_before(store.as_ref(), &key, &self.request.branch).await?;
        let updated = branch_update::update(&self.update, Some(&token)).await?;
        let published = match (&updated.decision, &plan) {
            (Decision::Unchanged { head }, Plan::Update(pr)) => Published {
                action: PrAction::Unchanged,
                number: Some(pr.number),
                url: pr.url.clone(),
                head: Some(head.clone()),
            },
            (Decision::Skip { head, reason }, Plan::Update(pr)) => {
                let told = store
                    .record_skipped_update(&key, &self.request.branch, head)
                    .await?;
                if told {
                    pulls::comment(&api, &repo, pr.number, &skip_comment(head, reason)).await?;
                }
                Published {
                    action: PrAction::SkippedUpdate,
                    number: Some(pr.number),
                    url: pr.url.clone(),
                    head: Some(head.clone()),
                }
            }
            (Decision::Skip { reason, .. }, _) => {
                return Err(Error::step(
                    format!("push {}", self.request.branch),
                    reason.clone(),
                ))
            }
            _ => {
                let outcome = pulls::carry_out(&api, &repo, self.request, plan.clone()).await?;
                Published {
                    action: outcome.action,
                    number: outcome.number,
                    url: outcome.url,
                    head: updated.head.clone(),
                }
            }
        };
        record(
            store.as_ref(),
            &self.recorded_row(&key, "github", &published),
            &updated,
        )
        .await?;
        let message = describe(&published, &key, Some(&updated));
        Ok((key, published, message))
    }

    async fn locally(mut self) -> Result<(String, Published, String), Error> {
        let input = self.input;
        let remote = identity(&input.repository);
        if input.dry_run {
            let message = format!(
                "dry run: would push {} to {} and record a pull request \"{}\" into {} in the store",
                self.request.branch, self.update.url, self.request.title, self.request.base_branch
            );
            return Ok((remote, dry_run(), message));
        }
        let store = crate::store::open(self.env.secrets.database_url.as_ref()).await?;
        super::progress::record_phase(&store, &input.run_id, "open_pr").await?;
        let planned = forge::local::plan_for(store.as_ref(), &remote, self.request).await?;
        if let Plan::SkipClosed(pr) = &planned.0 {
            let outcome = skipped_closed(pr);
            let message = describe(&outcome, &remote, None);
            return Ok((remote, outcome, message));
        }
        self.update.pushed_before =
            pushed_before(store.as_ref(), &remote, &self.request.branch).await?;
        let updated = branch_update::update(&self.update, None).await?;
        let existing = match &planned.0 {
            Plan::Update(pr) => Some(pr.clone()),
            _ => None,
        };
        let published = match (&updated.decision, existing) {
            (Decision::Unchanged { head }, Some(pr)) => Published {
                action: PrAction::Unchanged,
                number: Some(pr.number),
                url: pr.url,
                head: Some(head.clone()),
            },
            (Decision::Skip { head, .. }, Some(pr)) => {
                store
                    .record_skipped_update(&remote, &self.request.branch, head)
                    .await?;
                Published {
                    action: PrAction::SkippedUpdate,
                    number: Some(pr.number),
                    url: pr.url,
                    head: Some(head.clone()),
                }
            }
            (Decision::Skip { reason, .. }, None) => {
                return Err(Error::step(
                    format!("push {}", self.request.branch),
                    reason.clone(),
                ))
            }
            _ => {
                let mut request = self.request.clone();
                request.head_commit.clone_from(&updated.head);
                let outcome = forge::local::carry_out(
                    store.as_ref(),
                    &input.run_id,
                    &remote,
                    &request,
                    planned,
                )
                .await?;
                Published {
                    action: outcome.action,
                    number: outcome.number,
                    url: outcome.url,
                    head: updated.head.clone(),
                }
            }
        };
        record(
            store.as_ref(),
            &self.recorded_row(&remote, "local", &published),
            &updated,
        )
        .await?;
        let message = describe(&published, &remote, Some(&updated));
        Ok((remote, published, message))
    }

    /// The PR row as this run leaves it (the store's row, so the lease has a home).
    fn recorded_row(&self, key: &str, forge: &str, published: &Published) -> PullRequestRow {
        let now = chrono::Utc::now();
        PullRequestRow {
            run_id: self.input.run_id.clone(),
            repository: key.to_owned(),
            forge: forge.to_owned(),
            number: published.number.and_then(|n| i64::try_from(n).ok()),
            url: published.url.clone(),
            branch: self.request.branch.clone(),
            title: self.request.title.clone(),
            state: "open".to_owned(),
            merged: false,
            head_commit: published.head.clone(),
            created_at: now,
            updated_at: now,
        }
    }
}

/// What the store says this project pushed to the branch last.
pub(super) async fn pushed_before(
    store: &dyn Store,
    repository: &str,
    branch: &str,
) -> Result<Option<String>, Error> {
    Ok(store
        .pull_request_lifecycle(repository, branch)
        .await?
        .and_then(|l| l.pushed_commit))
}

/// Keeps the PR row and, when this run pushed, the lease.
async fn record(store: &dyn Store, row: &PullRequestRow, updated: &Updated) -> Result<(), Error> {
    if row.number.is_some() {
        store.upsert_pull_request(row).await?;
    }
    if let Some(pushed) = updated.pushed() {
        store
            .record_push(&row.repository, &row.branch, pushed)
            .await?;
    }
    Ok(())
}

fn skipped_closed(pr: &forge::request::ExistingPr) -> Published {
    Published {
        action: PrAction::SkippedClosed,
        number: Some(pr.number),
        url: pr.url.clone(),
        head: None,
    }
}

/// The one comment a PR gets when its update is skipped.
fn skip_comment(head: &str, reason: &str) -> String {
    format!(
        "AutoMaintainer did not update this branch: {reason}.\n\nThe commits on the branch \
         (head `{}`) are kept as they are; nothing was force-pushed. The next run tries again on \
         top of whatever the branch then holds.\n\n{}\n",
        short(head),
        forge::pr_text::BODY_MARKER
    )
}

pub(super) fn github_api(input: &OpenPrInput, token: &Secret) -> Result<GitHubApi, Error> {
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

fn dry_run_message(plan: Option<Plan>, request: &PrRequest, url: &str, repo: &str) -> String {
    let pushed = format!("push {} to {url}", request.branch);
    let pr = format!(
        "\"{}\" into {} on {repo}",
        request.title, request.base_branch
    );
    match plan {
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
            "dry run: would push nothing and leave pull request #{} on {repo} closed",
            existing.number
        ),
        None => format!("dry run: would {pushed} and open or update a pull request {pr}"),
    }
}

pub(super) fn dry_run() -> Published {
    Published {
        action: PrAction::DryRun,
        number: None,
        url: None,
        head: None,
    }
}

fn describe(outcome: &Published, repository: &str, updated: Option<&Updated>) -> String {
    let number = outcome.number.map(|n| format!("#{n}")).unwrap_or_default();
    let how = match updated.map(|u| &u.decision) {
        Some(Decision::Push { how, .. }) => format!(" (branch {})", how.as_str()),
        _ => String::new(),
    };
    match outcome.action {
        PrAction::Created => format!("opened pull request {number} on {repository}{how}"),
        PrAction::Updated => format!("updated pull request {number} on {repository}{how}"),
        PrAction::Unchanged => format!(
            "pull request {number} on {repository} already holds this change; nothing pushed"
        ),
        PrAction::SkippedUpdate => {
            let reason = match updated.map(|u| &u.decision) {
                Some(Decision::Skip { reason, .. }) => reason.as_str(),
                _ => "others' commits are on the branch",
            };
            format!(
                "did not update pull request {number} on {repository}: {reason}; the branch is left as it is"
            )
        }
        PrAction::SkippedClosed => format!(
            "pull request {number} on {repository} was closed unmerged; left closed (reopen_closed is off)"
        ),
        PrAction::DryRun => "dry run".to_owned(),
        PrAction::Nothing => "nothing to open".to_owned(),
    }
}
