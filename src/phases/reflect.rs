//! am-reflect: learns from the run (review findings on its PR, failed checks) and from what
//! became of earlier pull requests, into the learnings of the store, each citing its evidence
//! and saying what it changes.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::artifacts::{
    self, Context, Evaluation, Implementation, PrAction, PullRequestFile, Review, TaskFile, Usage,
};
use crate::contract::{InputError, Metric, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::learn::extract::Candidate;
use crate::learn::model::{model_candidates, prompt_context};
use crate::learn::reflect::{reflect, rule_candidates, Forge, Reflection, RunFacts, Thresholds};
use crate::llm::LlmClient;
use crate::phases::llm_input::llm_client;
use crate::store::Store;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReflectInput {
    pub run_id: String,
    pub run_dir: PathBuf,
    /// The repository the learnings belong to, as the run was given it; default: the one in
    /// `context.json`.
    #[serde(default)]
    pub repository: Option<String>,
    /// Artifacts read when present; each defaults to its name in `run_dir`.
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
    /// `github` or `local`: where earlier pull requests are looked up; default: `pr.json`'s
    /// forge, else `AM_FORGE`, else `local`.
    #[serde(default)]
    pub forge: Option<String>,
    /// The model that reflects (`anthropic:<model>`, `openai:<model>@<url>`, `offline`);
    /// default `AM_LLM`. Offline means the rules.
    #[serde(default)]
    pub llm: Option<String>,
    /// GitHub's API URL; default `AM_GITHUB_API_URL` or api.github.com.
    #[serde(default)]
    pub github_api_url: Option<String>,
    /// Jaccard similarity (0-1] at which a learning merges into a stored one; default 0.6.
    #[serde(default)]
    pub similarity_threshold: Option<f64>,
    /// Where to write `reflection.json`; default `<run_dir>/reflection.json`.
    #[serde(default)]
    pub reflection: Option<PathBuf>,
    /// A dry run learns nothing and writes no learnings (also when `pr.json` says dry run).
    #[serde(default)]
    pub dry_run: bool,
}

impl Validate for ReflectInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        if let Some(t) = self.similarity_threshold {
            if !(t > 0.0 && t <= 1.0) {
                return Err(InputError::field(
                    "similarity_threshold",
                    "a number in (0, 1]",
                ));
            }
        }
        if let Some(forge) = &self.forge {
            if forge != "github" && forge != "local" {
                return Err(InputError::field("forge", "`github` or `local`"));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReflectOutput {
    /// `reflected`, `nothing` when the run left nothing to learn from, or `dry_run`.
    pub status: String,
    /// Ids of new learnings.
    pub added: Vec<i64>,
    /// Ids of stored learnings a new one merged into (their weight rose).
    pub reinforced: Vec<i64>,
    /// Earlier pull requests whose outcome was applied now: (run id, `merged`, `closed` or
    /// `changes_requested`).
    pub outcomes: Vec<OutcomeSummary>,
    /// `reflection.json`: the candidates and what became of them.
    pub reflection: PathBuf,
    /// The model's calls (none with the rules).
    pub usage: Usage,
}

/// `reflection.json`: what one reflection learned. Its presence also keeps a retried am-reflect
/// from reinforcing the same run's learnings twice.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReflectionFile {
    pub run_id: String,
    pub repository: String,
    pub candidates: Vec<CandidateRecord>,
    pub added: Vec<i64>,
    pub reinforced: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CandidateRecord {
    pub kind: String,
    pub content: String,
    pub source: String,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OutcomeSummary {
    pub run_id: String,
    pub state: String,
    pub learnings_adjusted: usize,
}

#[derive(Debug)]
pub struct Reflect;

impl Task for Reflect {
    const NAME: &'static str = "am-reflect";
    const ABOUT: &'static str =
        "Learn from the run's review, evaluation and checks and from earlier PRs' outcomes";
    type Input = ReflectInput;
    type Output = ReflectOutput;

    async fn run(input: ReflectInput, env: &TaskEnv) -> Result<ReflectOutput, Error> {
        let dir = &input.run_dir;
        let context: Option<Context> = optional(&input.context, dir, "context.json")?;
        let task: Option<TaskFile> = optional(&input.task, dir, "task.json")?;
        let implementation: Option<Implementation> =
            optional(&input.implementation, dir, "implementation.json")?;
        let pr: Option<PullRequestFile> = optional(&input.pr, dir, "pr.json")?;
        let review: Option<Review> = optional(&input.review, dir, "review.json")?;
        let evaluation: Option<Evaluation> = optional(&input.evaluation, dir, "evaluation.json")?;

        let dry_run = input.dry_run || pr.as_ref().is_some_and(|p| p.action == PrAction::DryRun);
        if dry_run {
            tracing::info!("a dry run: no learnings are written");
            return Ok(ReflectOutput {
                status: "dry_run".to_owned(),
                added: Vec::new(),
                reinforced: Vec::new(),
                outcomes: Vec::new(),
                reflection: input
                    .reflection
                    .clone()
                    .unwrap_or_else(|| dir.join("reflection.json")),
                usage: Usage::default(),
            });
        }
        let repository = input
            .repository
            .clone()
            .or_else(|| context.as_ref().map(|c| c.repository.clone()))
            .map(|r| crate::repo::identity::identity(&r))
            .ok_or_else(|| {
                InputError::field("repository", "the repository (or a context.json naming it)")
            })?;
        let forge_name = input
            .forge
            .clone()
            .or_else(|| pr.as_ref().map(|p| p.forge.clone()))
            .or_else(|| std::env::var("AM_FORGE").ok().filter(|f| !f.is_empty()))
            .unwrap_or_else(|| "local".to_owned());
        let forge = forge_for(&forge_name, &input, env)?;
        // The PRs of this repository, whichever spelling of it the run was given.
        let forge_repository = pr.as_ref().map_or_else(
            || crate::repo::identity::identity(&repository),
            |p| p.repository.clone(),
        );
        let thresholds = Thresholds {
            similarity: input
                .similarity_threshold
                .unwrap_or(crate::learn::similarity::DEFAULT_THRESHOLD),
        };
        let learnings_used = task
            .as_ref()
            .map(|t| t.learnings_used.clone())
            .unwrap_or_default();
        let facts = RunFacts {
            run_id: &input.run_id,
            repository: &repository,
            forge_repository: Some(forge_repository.as_str()),
            review: review.as_ref(),
            evaluation: evaluation.as_ref(),
            implementation: implementation.as_ref(),
            learnings_used: &learnings_used,
            pr: pr.as_ref(),
        };
        let reflection_path = super::run_dir::output(
            dir,
            "reflection",
            input.reflection.as_ref(),
            "reflection.json",
        )?;
        let previous = previous_reflection(&reflection_path, &input.run_id);
        let store = crate::store::open(env.secrets.database_url.as_ref()).await?;
        super::progress::record_phase(&store, &input.run_id, "reflect").await?;
        let client = llm_client(input.llm.as_deref(), &env.secrets, dir)?;
        // A retry keeps what the first attempt learned instead of reinforcing it again.
        let (candidates, usage) = if previous.is_some() {
            tracing::info!(
                "run {} was reflected on before; its learnings stand",
                input.run_id
            );
            (Vec::new(), Usage::default())
        } else if client.is_offline() {
            (rule_candidates(&facts), Usage::default())
        } else {
            let about = About {
                pr: pr.as_ref(),
                task: task.as_ref(),
            };
            ask_model(store.as_ref(), &client, &facts, about).await?
        };
        // Nothing reaches the store unredacted, whichever way the candidates were drawn.
        let redactor = env.secrets.redactor();
        let candidates: Vec<Candidate> = candidates
            .into_iter()
            .map(|c| Candidate {
                content: redactor.redact(&c.content),
                ..c
            })
            .collect();
        let mut reflection =
            reflect(store.as_ref(), &forge, &facts, &candidates, &thresholds).await?;
        match previous {
            Some(previous) => {
                reflection.remembered.added = previous.added;
                reflection.remembered.reinforced = previous.reinforced;
            }
            None => {
                let record =
                    ReflectionFile::new(&input.run_id, &repository, &candidates, &reflection);
                artifacts::write(&reflection_path, &record, &env.secrets.redactor())?;
            }
        }

        env.protocol.metrics(&[
            Metric::counter("learnings_added", reflection.remembered.added.len() as f64)
                .tag("phase", "reflect"),
            Metric::counter(
                "learnings_reinforced",
                reflection.remembered.reinforced.len() as f64,
            )
            .tag("phase", "reflect"),
        ]);
        crate::llm::phase::emit_usage(env, "reflect", &usage);
        let nothing = reflection.remembered.added.is_empty()
            && reflection.remembered.reinforced.is_empty()
            && reflection.outcomes.is_empty();
        Ok(ReflectOutput {
            status: if nothing { "nothing" } else { "reflected" }.to_owned(),
            added: reflection.remembered.added,
            reinforced: reflection.remembered.reinforced,
            outcomes: reflection
                .outcomes
                .iter()
                .map(|o| OutcomeSummary {
                    run_id: o.run_id.clone(),
                    state: o.outcome.as_str().to_owned(),
                    learnings_adjusted: o.adjusted.len(),
                })
                .collect(),
            reflection: reflection_path,
            usage,
        })
    }
}

/// What the prompt says about the run besides the facts.
#[derive(Debug, Clone, Copy)]
struct About<'a> {
    pr: Option<&'a PullRequestFile>,
    task: Option<&'a TaskFile>,
}

/// The model's candidates, or the rules' when the model fails.
async fn ask_model(
    store: &dyn Store,
    client: &LlmClient,
    facts: &RunFacts<'_>,
    about: About<'_>,
) -> Result<(Vec<Candidate>, Usage), Error> {
    let earlier = match facts.forge_repository {
        Some(forge_repository) => store.pull_requests(forge_repository).await?,
        None => Vec::new(),
    };
    let held = store.learnings(facts.repository).await?;
    let selected = about.task.and_then(|t| t.selection.task());
    let context = prompt_context(
        facts,
        about.pr.map(|p| {
            (
                p.number.and_then(|n| i64::try_from(n).ok()),
                p.title.as_str(),
            )
        }),
        selected.map(|t| (t.kind.as_str(), t.title.as_str())),
        &earlier,
        &held,
    );
    // The rules' candidates always stand (they cite their evidence and change selection);
    // the model adds instructions, citing the run it reflected on.
    let mut candidates = rule_candidates(facts);
    match model_candidates(client, &context, &facts.pr_ref()).await {
        Ok((found, usage)) => {
            candidates.extend(found);
            Ok((candidates, usage))
        }
        Err(error) => {
            tracing::warn!("the model could not reflect ({error}); using the rules");
            Ok((candidates, Usage::default()))
        }
    }
}

/// The forge earlier pull requests are looked up on.
fn forge_for(name: &str, input: &ReflectInput, env: &TaskEnv) -> Result<Forge, Error> {
    if name != "github" {
        return Ok(Forge::Local);
    }
    let url = input
        .github_api_url
        .clone()
        .unwrap_or_else(crate::github::api_base_url);
    let client = crate::github::client(&url, env.secrets.github_token.as_ref())
        .map_err(|reason| Error::step("connect to GitHub", reason))?;
    Ok(Forge::GitHub {
        client,
        redactor: env.secrets.redactor(),
    })
}

impl ReflectionFile {
    fn new(
        run_id: &str,
        repository: &str,
        candidates: &[Candidate],
        reflection: &Reflection,
    ) -> Self {
        Self {
            run_id: run_id.to_owned(),
            repository: repository.to_owned(),
            candidates: candidates
                .iter()
                .map(|c| CandidateRecord {
                    kind: c.kind.clone(),
                    content: c.content.clone(),
                    source: c.source.clone(),
                    weight: c.weight,
                })
                .collect(),
            added: reflection.remembered.added.clone(),
            reinforced: reflection.remembered.reinforced.clone(),
        }
    }
}

fn previous_reflection(path: &Path, run_id: &str) -> Option<ReflectionFile> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str::<ReflectionFile>(&text)
        .ok()
        .filter(|previous| previous.run_id == run_id)
}

/// An artifact: an explicitly named one must exist; a default one may be missing.
fn optional<T: DeserializeOwned>(
    explicit: &Option<PathBuf>,
    run_dir: &Path,
    default_name: &str,
) -> Result<Option<T>, Error> {
    match explicit {
        Some(path) => artifacts::read(path).map(Some),
        None => {
            let path = run_dir.join(default_name);
            if path.is_file() {
                artifacts::read(&path).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}
