//! `am-context`: writes context.json from the clone: summary, ranked repo map, findings,
//! eligible issues, history and learnings, and reports its size.

use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::context::findings::lint::LintOptions;
use crate::context::{ContextRequest, IssueSource};
use crate::contract::{InputError, Metric, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::repo_config::RepoConfig;

/// The task.
#[derive(Debug)]
pub struct ContextPhase;

/// The repo map's default token budget.
pub const DEFAULT_MAP_TOKENS: usize = 2048;
const DEFAULT_MAX_FINDINGS: usize = 60;
const LINT_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextInput {
    pub run_id: String,
    pub run_dir: PathBuf,
    /// The clone; `<run_dir>/repo` when absent.
    #[serde(default)]
    pub clone_path: Option<PathBuf>,
    /// Where context.json goes; `<run_dir>/context.json` when absent.
    #[serde(default)]
    pub output: Option<PathBuf>,
    /// The repository as the run knows it; the clone's `origin` URL when absent.
    #[serde(default)]
    pub repository: Option<String>,
    /// Token budget of the repo map.
    #[serde(default = "default_map_tokens")]
    pub map_tokens: usize,
    /// Findings kept, at most.
    #[serde(default = "default_max_findings")]
    pub max_findings: usize,
    /// Run the repository's linters when they are installed (they build the project).
    #[serde(default = "default_true")]
    pub lint: bool,
    /// `github` or `local`; `AM_FORGE` when absent, else `github` for a GitHub URL.
    #[serde(default)]
    pub forge: Option<String>,
    /// The GitHub API; `AM_GITHUB_API_URL` when absent.
    #[serde(default)]
    pub github_api_url: Option<String>,
    /// Where tags are cached between runs (under `tags/`); as for am-setup when absent.
    #[serde(default)]
    pub cache_dir: Option<PathBuf>,
    /// Whether the repository's code runs in the bubblewrap sandbox: `required`, `auto` or
    /// `off`; `.automaintainer.yml`'s when absent (which can only make it stricter), else `auto`.
    #[serde(default)]
    pub sandbox: Option<crate::runner::SandboxMode>,
}

fn default_map_tokens() -> usize {
    DEFAULT_MAP_TOKENS
}

fn default_max_findings() -> usize {
    DEFAULT_MAX_FINDINGS
}

fn default_true() -> bool {
    true
}

impl Validate for ContextInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        if self.run_dir.as_os_str().is_empty() {
            return Err(InputError::field("run_dir", "a directory path"));
        }
        if !(64..=65_536).contains(&self.map_tokens) {
            return Err(InputError::field(
                "map_tokens",
                "a token budget from 64 to 65536",
            ));
        }
        if let Some(forge) = self
            .forge
            .as_deref()
            .filter(|f| !matches!(*f, "github" | "local"))
        {
            return Err(InputError::field(
                "forge",
                format!("`github` or `local`, not `{forge}`"),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ContextOutput {
    pub run_id: String,
    pub context_path: PathBuf,
    pub bytes: u64,
    pub estimated_tokens: usize,
    pub repo_map_tokens: usize,
    pub findings: usize,
    pub issues: usize,
    /// Files read by the lexical pass, which ranks them all.
    pub scanned_files: usize,
    /// Files parsed this time (the map's and the findings' few), and files whose analysis came
    /// from the cache.
    pub parsed_files: usize,
    pub cached_files: usize,
}

impl Task for ContextPhase {
    const NAME: &'static str = "am-context";
    const ABOUT: &'static str =
        "Write context.json: summary, ranked repo map, findings, issues, history, learnings";
    type Input = ContextInput;
    type Output = ContextOutput;

    async fn run(input: ContextInput, env: &TaskEnv) -> Result<ContextOutput, Error> {
        let run_dir = super::setup::absolute(&input.run_dir)?;
        let output = super::run_dir::output(
            &run_dir,
            "output",
            input.output.as_ref(),
            crate::artifacts::CONTEXT,
        )?;
        let clone = crate::artifacts::locate(
            input.clone_path.as_ref(),
            &run_dir,
            crate::artifacts::CLONE_DIR,
        );
        if !crate::repo::local_clone::is_repository(&clone) {
            return Err(InputError::field(
                "clone_path",
                format!(
                    "a clone made by am-setup ({} is no git repository)",
                    clone.display()
                ),
            )
            .into());
        }
        let config = RepoConfig::load(&clone)?;
        let repository = match &input.repository {
            Some(repository) => repository.clone(),
            None => crate::repo::local_clone::origin_url(&clone)
                .unwrap_or_else(|| clone.display().to_string()),
        };
        let cache = crate::repo::cache::cache_dir(input.cache_dir.as_deref());
        let issues = issue_source(&input, &repository, env)?;
        // The store opens, and the phase is recorded, beside the work: only the learnings, at
        // the end, need it.
        let store = {
            let url = env.secrets.database_url.clone();
            let run_id = input.run_id.clone();
            tokio::spawn(async move {
                let store = crate::store::open(url.as_ref()).await?;
                super::progress::record_phase(&store, &run_id, "context").await?;
                Ok::<_, Error>(store)
            })
        };
        if input.lint {
            // Only the linters run the repository's code: the sandbox is chosen (bwrap probed,
            // tens of milliseconds) for them alone.
            crate::runner::configure(&run_dir, &clone, input.sandbox)
                .map_err(|e| Error::step("run the repository's code", e.to_string()))?;
            let at = clone.clone();
            let _ = tokio::task::spawn_blocking(move || {
                let tools = crate::lint::pinned::requirements(&at);
                crate::runner::prepare(&at, LINT_TIMEOUT, &tools)
            })
            .await;
        }
        let lint = input.lint.then(|| LintOptions {
            target_dir: crate::runner::build_dir::cargo_target_dir(
                &run_dir.join(crate::artifacts::CARGO_TARGET_DIR),
            ),
            timeout: LINT_TIMEOUT,
            run_dir: Some(run_dir.clone()),
        });
        let built = crate::context::build(ContextRequest {
            clone: &clone,
            repository,
            config: &config,
            tag_cache: Some(crate::repo::cache::tags_dir(&cache)),
            map_tokens: input.map_tokens,
            max_findings: input.max_findings,
            lint,
            issues,
            store: Some(Box::pin(async move {
                store
                    .await
                    .map_err(|e| Error::step("open the store", e.to_string()))?
            })),
        })
        .await?;
        crate::artifacts::write(&output, &built.context, &env.secrets.redactor())?;
        let text = std::fs::read_to_string(&output)
            .map_err(|e| Error::io(format!("read back {}", output.display()), e))?;
        let tokens = crate::context::tokens::estimate(&text);
        env.metric(Metric::counter("context_bytes", text.len() as f64).tag("phase", "context"));
        env.metric(Metric::counter("context_tokens", tokens as f64).tag("phase", "context"));
        env.metric(
            Metric::counter("scanned_files", built.scanned_files as f64).tag("phase", "context"),
        );
        env.metric(
            Metric::counter("parsed_files", built.parsed_files as f64).tag("phase", "context"),
        );
        env.metric(
            Metric::counter("cached_files", built.cached_files as f64).tag("phase", "context"),
        );
        Ok(ContextOutput {
            run_id: input.run_id,
            context_path: output,
            bytes: text.len() as u64,
            estimated_tokens: tokens,
            repo_map_tokens: built.context.repo_map.tokens,
            findings: built.context.findings.len(),
            issues: built.context.issues.len(),
            scanned_files: built.scanned_files,
            parsed_files: built.parsed_files,
            cached_files: built.cached_files,
        })
    }
}

/// GitHub issues when the forge is GitHub and the repository names an owner and a name; none
/// for the local forge or a local path.
fn issue_source(
    input: &ContextInput,
    repository: &str,
    env: &TaskEnv,
) -> Result<Option<IssueSource>, Error> {
    let forge = input
        .forge
        .clone()
        .or_else(|| std::env::var("AM_FORGE").ok().filter(|f| !f.is_empty()));
    if forge.as_deref() == Some("local") {
        return Ok(None);
    }
    let Some((owner, name)) = crate::github::owner_and_name(repository) else {
        return Ok(None);
    };
    let base = input
        .github_api_url
        .clone()
        .unwrap_or_else(crate::github::api_base_url);
    let client = crate::github::client(&base, env.secrets.github_token.as_ref())
        .map_err(|reason| Error::step("set up the GitHub client", reason))?;
    Ok(Some(IssueSource {
        client,
        owner,
        name,
    }))
}
