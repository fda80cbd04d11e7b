//! am-review: CodeRabbit's review of the PR's head commit, read through the GitHub API; or, when
//! CodeRabbit gives nothing within the limit or the forge is local, a local review of the diff;
//! when CodeRabbit says it will not review (paused, rate limited, skipped), the local review with
//! CodeRabbit's notice beside it. Writes `review.json`.

use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifacts::{
    self, Implementation, PrAction, PullRequestFile, Review, ReviewCounts, ReviewSource,
    ReviewStatus,
};
use crate::contract::{InputError, Metric, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::forge::github::{GitHubApi, GitHubRepo, RetryPolicy};
use crate::review::coderabbit::fetch::{wait_for_review, Polling};
use crate::review::coderabbit::Assessment;
use crate::review::local::{self, LocalOptions};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewerKind {
    Coderabbit,
    Local,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub run_id: String,
    pub run_dir: PathBuf,
    /// `pr.json`; `<run_dir>/pr.json` by default.
    #[serde(default)]
    pub pr: Option<PathBuf>,
    /// `implementation.json` (for the diff's base); `<run_dir>/implementation.json` by default.
    #[serde(default)]
    pub implementation: Option<PathBuf>,
    /// The clone; `<run_dir>/repo` by default.
    #[serde(default)]
    pub clone: Option<PathBuf>,
    /// `coderabbit` or `local`; `AM_REVIEW` by default, else CodeRabbit for a GitHub PR.
    #[serde(default)]
    pub reviewer: Option<ReviewerKind>,
    /// The GitHub API base URL; `AM_GITHUB_API_URL` or api.github.com by default.
    #[serde(default)]
    pub github_api_url: Option<String>,
    /// Seconds to wait for CodeRabbit before the local review; 900 by default.
    #[serde(default)]
    pub wait_secs: Option<u64>,
    /// Seconds before the second look (doubling after, up to 120); 15 by default.
    #[serde(default)]
    pub poll_interval_secs: Option<u64>,
    /// Run installed linters in the local review; true by default.
    #[serde(default)]
    pub linters: Option<bool>,
    /// Whether the repository's code runs in the bubblewrap sandbox: `required`, `auto` or
    /// `off`; `.automaintainer.yml`'s when absent (which can only make it stricter), else `auto`.
    #[serde(default)]
    pub sandbox: Option<crate::runner::SandboxMode>,
}

impl Validate for ReviewInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        if self.poll_interval_secs == Some(0) {
            return Err(InputError::field("poll_interval_secs", "at least 1 second"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReviewOutput {
    pub source: ReviewSource,
    pub status: ReviewStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    pub counts: ReviewCounts,
    /// The `review.json` written.
    pub review_file: PathBuf,
}

#[derive(Debug)]
pub struct ReviewPhase;

impl Task for ReviewPhase {
    const NAME: &'static str = "am-review";
    const ABOUT: &'static str =
        "Read CodeRabbit's review of the pull request, or review the diff locally; writes review.json";
    type Input = ReviewInput;
    type Output = ReviewOutput;

    async fn run(input: ReviewInput, env: &TaskEnv) -> Result<ReviewOutput, Error> {
        super::progress::note_phase(env, &input.run_id, "review").await;
        let pr: PullRequestFile = artifacts::read(&crate::artifacts::locate(
            input.pr.as_ref(),
            &input.run_dir,
            crate::artifacts::PULL_REQUEST,
        ))?;
        let review_file = input.run_dir.join(crate::artifacts::REVIEW);
        let review = match pr.action {
            PrAction::Nothing | PrAction::SkippedClosed => nothing(&pr),
            _ => review_pr(&input, env, &pr).await?,
        };
        artifacts::write(&review_file, &review, &env.secrets.redactor())?;
        env.metric(
            Metric::counter("review_findings", f64::from(review.counts.total))
                .tag("source", source_name(review.source)),
        );
        Ok(ReviewOutput {
            source: review.source,
            status: review.status,
            notice: review.notice,
            counts: review.counts,
            review_file,
        })
    }
}

fn source_name(source: ReviewSource) -> &'static str {
    match source {
        ReviewSource::Coderabbit => "coderabbit",
        ReviewSource::Local => "local",
    }
}

fn nothing(pr: &PullRequestFile) -> Review {
    Review {
        source: ReviewSource::Local,
        status: ReviewStatus::Nothing,
        notice: Some(format!("no pull request to review ({:?})", pr.action).to_lowercase()),
        findings: Vec::new(),
        counts: ReviewCounts::default(),
        complexity_score: None,
        risk_flags: Vec::new(),
        summary: None,
    }
}

fn reviewer(input: &ReviewInput, pr: &PullRequestFile) -> Result<ReviewerKind, InputError> {
    if let Some(kind) = input.reviewer {
        return Ok(kind);
    }
    match std::env::var("AM_REVIEW")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        Some(v) if v == "coderabbit" => Ok(ReviewerKind::Coderabbit),
        Some(v) if v == "local" => Ok(ReviewerKind::Local),
        Some(v) => Err(InputError(format!(
            "environment variable AM_REVIEW: expected `coderabbit` or `local`, got `{v}`"
        ))),
        None if pr.forge == "github" => Ok(ReviewerKind::Coderabbit),
        None => Ok(ReviewerKind::Local),
    }
}

async fn review_pr(
    input: &ReviewInput,
    env: &TaskEnv,
    pr: &PullRequestFile,
) -> Result<Review, Error> {
    let on_github = pr.forge == "github" && pr.action != PrAction::DryRun && pr.number.is_some();
    let mut fallback_reason = None;
    if reviewer(input, pr)? == ReviewerKind::Coderabbit {
        if on_github {
            match coderabbit(input, env, pr).await? {
                Assessment::Reviewed(review) => return Ok(*review),
                Assessment::NotReviewed(notice) => {
                    return local_alongside(input, pr, &notice.to_string()).await;
                }
                Assessment::Pending => {
                    fallback_reason = Some(format!(
                        "CodeRabbit gave no review of {} within {}s",
                        pr.head_commit.as_deref().unwrap_or("the head commit"),
                        input.wait_secs.unwrap_or(900)
                    ));
                }
            }
        } else if pr.action == PrAction::DryRun {
            fallback_reason = Some("a dry run opened no pull request for CodeRabbit".to_owned());
        } else {
            fallback_reason = Some("the pull request is not on GitHub".to_owned());
        }
    }
    let mut review = local_review(input, pr).await?;
    if let Some(reason) = fallback_reason {
        tracing::info!("{reason}; reviewing the diff locally");
        review.summary = Some(format!(
            "{} ({reason}.)",
            review.summary.unwrap_or_default()
        ));
    }
    Ok(review)
}

/// CodeRabbit said it will not review (paused, rate limited, skipped, failed): the local review
/// runs alongside, so the PR is still reviewed and scored, and the review says both.
async fn local_alongside(
    input: &ReviewInput,
    pr: &PullRequestFile,
    notice: &str,
) -> Result<Review, Error> {
    tracing::info!("{notice}; the local review runs alongside");
    let mut review = local_review(input, pr).await?;
    review.notice = Some(notice.to_owned());
    review.summary = Some(format!(
        "{} CodeRabbit did not review this commit ({notice}); this is the local review.",
        review.summary.unwrap_or_default()
    ));
    review
        .risk_flags
        .push("not reviewed by CodeRabbit".to_owned());
    Ok(review)
}

async fn coderabbit(
    input: &ReviewInput,
    env: &TaskEnv,
    pr: &PullRequestFile,
) -> Result<Assessment, Error> {
    let repository = crate::repo::identity::identity(&pr.repository);
    let (owner, name) = crate::repo::identity::owner_and_name(&repository).ok_or_else(|| {
        InputError(format!(
            "pr.json: repository `{}` is not owner/name",
            pr.repository
        ))
    })?;
    let repo = GitHubRepo {
        owner: owner.to_owned(),
        name: name.to_owned(),
    };
    let base_url = input
        .github_api_url
        .clone()
        .unwrap_or_else(crate::github::api_base_url);
    let api = GitHubApi::new(
        &base_url,
        env.secrets.github_token.as_ref(),
        RetryPolicy::default(),
    )?;
    let polling = Polling {
        limit: Duration::from_secs(input.wait_secs.unwrap_or(900)),
        interval: Duration::from_secs(input.poll_interval_secs.unwrap_or(15)),
        ..Polling::default()
    };
    let number = pr.number.unwrap_or_default();
    Ok(wait_for_review(&api, &repo, number, pr.head_commit.as_deref(), polling).await?)
}

async fn local_review(input: &ReviewInput, pr: &PullRequestFile) -> Result<Review, Error> {
    let clone = crate::artifacts::locate(
        input.clone.as_ref(),
        &input.run_dir,
        crate::artifacts::CLONE_DIR,
    );
    crate::runner::configure(&input.run_dir, &clone, input.sandbox)
        .map_err(|e| Error::step("run the repository's code", e.to_string()))?;
    let implementation_path = crate::artifacts::locate(
        input.implementation.as_ref(),
        &input.run_dir,
        crate::artifacts::IMPLEMENTATION,
    );
    let (base, head) = if implementation_path.is_file() {
        let implementation: Implementation = artifacts::read(&implementation_path)?;
        let head = implementation
            .commit
            .or_else(|| pr.head_commit.clone())
            .unwrap_or_else(|| pr.branch.clone());
        (implementation.base_commit, head)
    } else {
        let head = pr.head_commit.clone().unwrap_or_else(|| pr.branch.clone());
        (pr.base_branch.clone(), head)
    };
    let options = LocalOptions {
        linters: input.linters.unwrap_or(true),
        run_dir: Some(input.run_dir.clone()),
        ..LocalOptions::default()
    };
    Ok(local::review(&clone, &base, &head, options).await?)
}
