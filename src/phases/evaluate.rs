//! am-evaluate: scores the committed change 0-100 (code quality, test coverage, maintainability,
//! readability), writes `evaluation.json` and emits the score and components as metrics.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifacts::{
    self, Component, Evaluation, Implementation, Review, TaskFile, Usage, Weights,
};
use crate::contract::{InputError, Metric, Task, TaskEnv, Validate};
use crate::error::Error;
use crate::evaluate::evaluator::{self, Options};
use crate::evaluate::judge::judged_readability;
use crate::evaluate::score::{evaluation, validate_weights};
use crate::phases::llm_input::llm_client;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateInput {
    pub run_id: String,
    pub run_dir: PathBuf,
    /// `implementation.json`; default `<run_dir>/implementation.json`.
    #[serde(default)]
    pub implementation: Option<PathBuf>,
    /// `review.json`; default `<run_dir>/review.json`, and without one code quality rests on the
    /// linters alone.
    #[serde(default)]
    pub review: Option<PathBuf>,
    /// `task.json`, for the kind of task the change carried out (lint, format and refactors
    /// whose tests pass unchanged have no test-coverage component); default
    /// `<run_dir>/task.json` when it exists.
    #[serde(default)]
    pub task: Option<PathBuf>,
    /// Where to write `evaluation.json`; default `<run_dir>/evaluation.json`.
    #[serde(default)]
    pub evaluation: Option<PathBuf>,
    /// The clone; default `<run_dir>/repo`.
    #[serde(default)]
    pub repo: Option<PathBuf>,
    /// Component weights; default 0.30 / 0.25 / 0.25 / 0.20.
    #[serde(default)]
    pub weights: Option<Weights>,
    /// The model that judges readability (`anthropic:<model>`, `openai:<model>@<url>`,
    /// `offline`); default `AM_LLM`. Offline means deterministic signals.
    #[serde(default)]
    pub llm: Option<String>,
    /// Run the repository's coverage tool when installed (it runs the test suite); default true.
    #[serde(default)]
    pub coverage: Option<bool>,
    /// Seconds the coverage run may take; default 900.
    #[serde(default)]
    pub coverage_timeout_secs: Option<u64>,
    /// Seconds each linter may take for both sides of the change (clippy builds the crate
    /// twice); default 600.
    #[serde(default)]
    pub lint_timeout_secs: Option<u64>,
    /// Whether the repository's code runs in the bubblewrap sandbox: `required`, `auto` or
    /// `off`; `.automaintainer.yml`'s when absent (which can only make it stricter), else `auto`.
    #[serde(default)]
    pub sandbox: Option<crate::runner::SandboxMode>,
}

impl Validate for EvaluateInput {
    fn validate(&self) -> Result<(), InputError> {
        if self.run_id.trim().is_empty() {
            return Err(InputError::field("run_id", "a non-empty run id"));
        }
        if let Some(weights) = &self.weights {
            validate_weights(weights, "weights")?;
        }
        if self.coverage_timeout_secs == Some(0) {
            return Err(InputError::field(
                "coverage_timeout_secs",
                "a number of seconds above 0",
            ));
        }
        if self.lint_timeout_secs == Some(0) {
            return Err(InputError::field(
                "lint_timeout_secs",
                "a number of seconds above 0",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EvaluateStatus {
    Evaluated,
    /// Nothing was committed, so there is nothing to evaluate.
    Nothing,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EvaluateOutput {
    pub status: EvaluateStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evolution_score: Option<f64>,
    /// The written `evaluation.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The readability judge's model calls (none when offline).
    pub usage: Usage,
}

#[derive(Debug)]
pub struct Evaluate;

impl Task for Evaluate {
    const NAME: &'static str = "am-evaluate";
    const ABOUT: &'static str = "Score the committed change 0-100 and write evaluation.json";
    type Input = EvaluateInput;
    type Output = EvaluateOutput;

    async fn run(input: EvaluateInput, env: &TaskEnv) -> Result<EvaluateOutput, Error> {
        let path = super::run_dir::output(
            &input.run_dir,
            "evaluation",
            input.evaluation.as_ref(),
            crate::artifacts::EVALUATION,
        )?;
        super::progress::note_phase(env, &input.run_id, "evaluate").await;
        let implementation_path = crate::artifacts::locate(
            input.implementation.as_ref(),
            &input.run_dir,
            crate::artifacts::IMPLEMENTATION,
        );
        let implementation: Implementation = artifacts::read(&implementation_path)?;
        let clone = evaluator::clone_dir(&input.run_dir, input.repo.as_ref());
        crate::runner::configure(&input.run_dir, &clone, input.sandbox)
            .map_err(|e| Error::step("run the repository's code", e.to_string()))?;
        let files = match evaluator::change_of(&clone, &implementation)? {
            Some(files) => files,
            None => {
                return Ok(EvaluateOutput {
                    status: EvaluateStatus::Nothing,
                    evolution_score: None,
                    evaluation: None,
                    reason: Some("the implementation committed nothing".to_owned()),
                    usage: Usage::default(),
                })
            }
        };
        let review = read_review(&input)?;
        let task_kind = read_task(&input)?.and_then(|t| t.selection.task().map(|task| task.kind));
        let options = Options {
            weights: input.weights.unwrap_or_default(),
            coverage: input.coverage.unwrap_or(true),
            lint: true,
            task_kind,
            coverage_timeout: crate::contract::clamped_secs(
                input.coverage_timeout_secs.unwrap_or(900),
            ),
            lint_timeout: crate::contract::clamped_secs(input.lint_timeout_secs.unwrap_or(600)),
            cargo_target_dir: Some(crate::runner::build_dir::cargo_target_dir(
                &input.run_dir.join(crate::artifacts::CARGO_TARGET_DIR),
            )),
            run_dir: Some(input.run_dir.clone()),
        };
        let client = llm_client(input.llm.as_deref(), &env.secrets, &input.run_dir)?;
        let (readability, usage) = judged_readability(&client, &files).await;
        let weights = options.weights;
        let [quality, coverage, maintainability] = tokio::task::spawn_blocking(move || {
            evaluator::measure_components(
                &clone,
                &implementation,
                &files,
                review.as_ref(),
                &options,
            )
        })
        .await
        .map_err(|e| Error::step("evaluate the change", e.to_string()))?;
        let evaluation = evaluation(quality, coverage, maintainability, readability, weights);

        artifacts::write(&path, &evaluation, &env.secrets.redactor())?;
        env.protocol.metrics(&metrics(&evaluation));
        crate::llm::phase::emit_usage(env, "evaluate", &usage);
        match evaluation.evolution_score {
            Some(score) => {
                tracing::info!("evolution score {score:.1}/100 for run {}", input.run_id)
            }
            None => tracing::info!(
                "no evolution score for run {}: every component is unavailable",
                input.run_id
            ),
        }
        Ok(EvaluateOutput {
            status: EvaluateStatus::Evaluated,
            evolution_score: evaluation.evolution_score,
            evaluation: Some(path),
            reason: None,
            usage,
        })
    }
}

/// The review, when the run has one: an explicitly named file must exist.
fn read_review(input: &EvaluateInput) -> Result<Option<Review>, Error> {
    match &input.review {
        Some(path) => artifacts::read(path).map(Some),
        None => {
            let path = input.run_dir.join(crate::artifacts::REVIEW);
            if path.is_file() {
                artifacts::read(&path).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}

/// The task, when the run has one: an explicitly named file must exist.
fn read_task(input: &EvaluateInput) -> Result<Option<TaskFile>, Error> {
    match &input.task {
        Some(path) => artifacts::read(path).map(Some),
        None => {
            let path = input.run_dir.join(crate::artifacts::TASK);
            if path.is_file() {
                artifacts::read(&path).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}

/// `evolution_score` and one `evaluation_component` per available component, tagged with its
/// name and method.
pub fn metrics(evaluation: &Evaluation) -> Vec<Metric> {
    let mut metrics = Vec::new();
    if let Some(score) = evaluation.evolution_score {
        metrics.push(Metric::counter("evolution_score", score).tag("phase", "evaluate"));
    }
    let components: [(&str, &Component); 4] = [
        ("code_quality", &evaluation.code_quality),
        ("test_coverage", &evaluation.test_coverage),
        ("maintainability", &evaluation.maintainability),
        ("readability", &evaluation.readability),
    ];
    for (name, component) in components {
        if let Some(score) = component.score {
            metrics.push(
                Metric::counter(name, score)
                    .tag("phase", "evaluate")
                    .tag("method", component.method.as_str()),
            );
        }
    }
    metrics
}
