//! `/runs/{id}`: everything recorded about one run: phases, timings, task, diff, checks, PR,
//! review findings, evaluation breakdown, learnings used and produced, errors.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::phases::{add_timings, phase_steps, PhaseStep};
use super::run_change::{change_view, ChangeView};
use super::run_errors::error_text;
use super::run_rounds::{round_view, RoundView};
use super::run_transcript::{transcript_view, TranscriptView};
use super::run_view::{run_href, RunView};
use crate::artifacts::{
    CheckRun, Component, Evaluation, Implementation, ImplementationStatus, PullRequestFile, Review,
    ReviewFinding, ReviewStatus, Selection, TaskFile, TaskSpec,
};
use crate::dashboard::app::AppState;
use crate::dashboard::error::PageError;
use crate::dashboard::layout::{self, PageMeta};
use crate::dashboard::{format, markdown};
use crate::store::{ErrorRow, LearningRow, PullRequestRun, RunDetail};

#[derive(Debug, Serialize)]
struct RunPage {
    run: RunView,
    phases: Vec<PhaseStep>,
    phase_known: bool,
    errors: Vec<ErrorView>,
    task: Option<TaskSpec>,
    /// The task's rationale, rendered from Markdown.
    task_rationale_html: Option<String>,
    nothing_reason: Option<String>,
    implementation: Option<ImplementationView>,
    change: Option<ChangeView>,
    /// The model's conversation, when one was recorded.
    transcript: Option<TranscriptView>,
    pull_request: Option<PullRequestView>,
    /// Every run that created or updated this run's pull request, oldest first.
    pull_request_runs: Vec<PullRequestRunView>,
    /// The follow-up rounds of this run's pull request (this run's among them).
    follow_up_rounds: Vec<RoundView>,
    review: Option<ReviewView>,
    evaluation: Option<EvaluationView>,
    learnings: [LearningGroup; 2],
    /// The learnings that shaped the task, as task.json records them.
    shaped_by: Vec<crate::artifacts::ShapingLearning>,
    raw_artifacts: Vec<RawArtifact>,
}

#[derive(Debug, Serialize)]
struct ErrorView {
    phase: String,
    message: String,
    at: String,
    at_iso: String,
}

#[derive(Debug, Serialize)]
struct ImplementationView {
    status: &'static str,
    status_class: &'static str,
    branch: String,
    base_branch: String,
    commit: Option<String>,
    files: Vec<crate::artifacts::FileChange>,
    lines_added: u64,
    lines_removed: u64,
    attempts: u32,
    failure: Option<String>,
    checks: Vec<CheckView>,
}

#[derive(Debug, Serialize)]
struct CheckView {
    command: String,
    state: &'static str,
    attempt: u32,
    duration: String,
    exit_code: Option<i32>,
    output_tail: String,
}

#[derive(Debug, Serialize)]
struct PullRequestView {
    title: String,
    url: Option<String>,
    action: String,
    forge: String,
    draft: bool,
    labels: Vec<String>,
    /// The body as rendered Markdown (no raw HTML, http(s) links only).
    body_html: String,
}

#[derive(Debug, Serialize)]
struct PullRequestRunView {
    run_id: String,
    href: String,
    /// `opened` for the first, `updated` for the others.
    action: &'static str,
    at: String,
    at_iso: String,
    status: Option<String>,
    /// Whether it is the run this page shows.
    current: bool,
}

#[derive(Debug, Serialize)]
struct ReviewView {
    source: String,
    status: String,
    status_class: &'static str,
    notice: Option<String>,
    summary: Option<String>,
    counts: crate::artifacts::ReviewCounts,
    complexity_score: Option<String>,
    risk_flags: Vec<String>,
    findings: Vec<FindingView>,
}

#[derive(Debug, Serialize)]
struct FindingView {
    severity: String,
    category: String,
    location: Option<String>,
    title: String,
    body: String,
    suggestion: Option<String>,
}

#[derive(Debug, Serialize)]
struct EvaluationView {
    score: Option<String>,
    components: Vec<ComponentView>,
}

#[derive(Debug, Serialize)]
struct ComponentView {
    key: &'static str,
    name: &'static str,
    score: Option<String>,
    weight: String,
    method: &'static str,
    evidence: String,
}

#[derive(Debug, Serialize)]
struct LearningGroup {
    key: &'static str,
    title: &'static str,
    items: Vec<LearningView>,
}

#[derive(Debug, Serialize)]
struct LearningView {
    #[serde(flatten)]
    row: LearningRow,
    /// The weight to two decimals.
    weight_text: String,
}

impl From<LearningRow> for LearningView {
    fn from(row: LearningRow) -> Self {
        Self {
            weight_text: format::weight(row.weight),
            row,
        }
    }
}

/// An artifact the page has no section for, or one that no longer parses as its current type.
#[derive(Debug, Serialize)]
struct RawArtifact {
    name: String,
    json: String,
}

pub async fn run(
    State(state): State<AppState>,
    Path(run_id): Path<String>,
) -> Result<Response, PageError> {
    let detail =
        state.store.run_detail(&run_id).await?.ok_or_else(|| {
            PageError::NotFound(format!("There is no run `{run_id}` in the store."))
        })?;
    let title = detail
        .overview
        .task_title
        .clone()
        .unwrap_or_else(|| format!("Run {run_id}"));
    let rounds = state.store.run_follow_up_rounds(&run_id).await?;
    let mut page = run_page(detail);
    page.follow_up_rounds = rounds.into_iter().map(|r| round_view(&run_id, r)).collect();
    layout::render(
        "run.html",
        &PageMeta::new(title, "", state.store.backend()),
        page,
    )
}

fn run_page(detail: RunDetail) -> RunPage {
    let RunDetail {
        overview,
        mut artifacts,
        errors,
        learnings_used,
        learnings_produced,
        phases: timings,
        change,
        pull_request_runs,
        transcript,
    } = detail;
    let mut raw_artifacts = Vec::new();
    let mut take = |names: &[&str]| -> Option<serde_json::Value> {
        names.iter().find_map(|name| artifacts.remove(*name))
    };
    let task_file: Option<TaskFile> =
        take(&["task"]).and_then(|v| parse("task", v, &mut raw_artifacts));
    let implementation: Option<Implementation> =
        take(&["implementation"]).and_then(|v| parse("implementation", v, &mut raw_artifacts));
    let pull_request: Option<PullRequestFile> =
        take(&["pull_request", "pr"]).and_then(|v| parse("pull request", v, &mut raw_artifacts));
    let review: Option<Review> =
        take(&["review"]).and_then(|v| parse("review", v, &mut raw_artifacts));
    let evaluation: Option<Evaluation> =
        take(&["evaluation"]).and_then(|v| parse("evaluation", v, &mut raw_artifacts));
    // The context (repository map, issues) is the model's input, large and already summed up by
    // the task; it is not repeated here.
    let _context = take(&["context"]);
    for (name, value) in artifacts {
        raw_artifacts.push(raw(&name, &value));
    }

    let shaped_by = task_file
        .as_ref()
        .map(|t| t.shaped_by.clone())
        .unwrap_or_default();
    let (task, nothing_reason) = match task_file.map(|t| t.selection) {
        Some(Selection::Selected { task }) => (Some(task), None),
        Some(Selection::Nothing { reason }) => (None, Some(reason)),
        None => (implementation.as_ref().and_then(|i| i.task.clone()), None),
    };
    let (mut phases, phase_known) = phase_steps(overview.status, overview.phase.as_deref());
    let now = Utc::now();
    add_timings(&mut phases, &timings, now);
    RunPage {
        run: RunView::new(&overview, now),
        phases,
        phase_known,
        errors: errors.iter().map(error_view).collect(),
        task_rationale_html: task.as_ref().map(|t| markdown::to_html(&t.rationale)),
        task,
        nothing_reason,
        implementation: implementation.map(implementation_view),
        change: change.map(|c| change_view(&overview.run_id, c)),
        transcript: transcript.as_ref().map(transcript_view),
        pull_request: pull_request.map(pull_request_view),
        pull_request_runs: pull_request_runs_view(&overview.run_id, pull_request_runs),
        follow_up_rounds: Vec::new(),
        review: review.map(review_view),
        evaluation: evaluation.map(evaluation_view),
        shaped_by,
        learnings: [
            LearningGroup {
                key: "used",
                title: "Learnings used",
                items: learnings_used.into_iter().map(LearningView::from).collect(),
            },
            LearningGroup {
                key: "produced",
                title: "Learnings produced",
                items: learnings_produced
                    .into_iter()
                    .map(LearningView::from)
                    .collect(),
            },
        ],
        raw_artifacts,
    }
}

/// The artifact as its type, or, when it does not parse (written by an older version), None
/// with its JSON kept for the page's raw section.
fn parse<T: DeserializeOwned>(
    name: &str,
    value: serde_json::Value,
    raw_artifacts: &mut Vec<RawArtifact>,
) -> Option<T> {
    match T::deserialize(&value) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            tracing::warn!("dashboard: the stored {name} artifact does not parse: {error}");
            raw_artifacts.push(raw(name, &value));
            None
        }
    }
}

fn raw(name: &str, value: &serde_json::Value) -> RawArtifact {
    RawArtifact {
        name: name.to_owned(),
        json: serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()),
    }
}

fn error_view(row: &ErrorRow) -> ErrorView {
    ErrorView {
        phase: format::words(&row.phase),
        message: error_text(&row.message),
        at: format::timestamp(row.at),
        at_iso: layout::iso(row.at),
    }
}

fn implementation_view(imp: Implementation) -> ImplementationView {
    let (status, status_class) = match imp.status {
        ImplementationStatus::Committed => ("committed", "succeeded"),
        ImplementationStatus::Nothing => ("nothing", "nothing"),
        ImplementationStatus::Failed => ("failed", "failed"),
    };
    ImplementationView {
        status,
        status_class,
        branch: imp.branch,
        base_branch: imp.base_branch,
        commit: imp.commit,
        files: imp.files,
        lines_added: imp.lines_added,
        lines_removed: imp.lines_removed,
        attempts: imp.attempts,
        failure: imp.failure,
        checks: imp.checks.into_iter().map(check_view).collect(),
    }
}

fn check_view(check: CheckRun) -> CheckView {
    let state = match (check.passed, check.timed_out) {
        (true, _) => "passed",
        (false, true) => "timed-out",
        (false, false) => "failed",
    };
    CheckView {
        command: check.command,
        state,
        attempt: check.attempt,
        duration: format::duration(check.duration_secs),
        exit_code: check.exit_code,
        output_tail: check.output_tail,
    }
}

fn pull_request_view(pr: PullRequestFile) -> PullRequestView {
    PullRequestView {
        url: pr.url.as_deref().and_then(format::safe_link),
        title: pr.title,
        action: format::words(&enum_name(&pr.action)),
        forge: pr.forge,
        draft: pr.draft,
        labels: pr.labels,
        body_html: markdown::to_html(&pr.body),
    }
}

fn pull_request_runs_view(current: &str, runs: Vec<PullRequestRun>) -> Vec<PullRequestRunView> {
    runs.into_iter()
        .enumerate()
        .map(|(index, run)| PullRequestRunView {
            href: run_href(&run.run_id),
            action: if index == 0 { "opened" } else { "updated" },
            at: format::timestamp(run.recorded_at),
            at_iso: layout::iso(run.recorded_at),
            status: run.status.as_deref().map(format::words),
            current: run.run_id == current,
            run_id: run.run_id,
        })
        .collect()
}

fn review_view(review: Review) -> ReviewView {
    let status_class = match review.status {
        ReviewStatus::Reviewed => "succeeded",
        ReviewStatus::NotReviewed => "minor",
        ReviewStatus::Nothing => "nothing",
    };
    let mut findings = review.findings;
    // Most severe first, so the page opens on what matters.
    findings.sort_by_key(|f| f.severity);
    ReviewView {
        source: enum_name(&review.source),
        status: format::words(&enum_name(&review.status)),
        status_class,
        notice: review.notice,
        summary: review.summary,
        counts: review.counts,
        complexity_score: review.complexity_score.map(format::score),
        risk_flags: review.risk_flags,
        findings: findings.into_iter().map(finding_view).collect(),
    }
}

fn finding_view(finding: ReviewFinding) -> FindingView {
    let location = finding
        .path
        .map(|path| match (finding.line_start, finding.line_end) {
            (Some(start), Some(end)) if end != start => format!("{path}:{start}-{end}"),
            (Some(start), _) => format!("{path}:{start}"),
            _ => path,
        });
    FindingView {
        severity: enum_name(&finding.severity),
        category: format::words(&enum_name(&finding.category)),
        location,
        title: finding.title,
        body: finding.body,
        suggestion: finding.suggestion,
    }
}

fn evaluation_view(evaluation: Evaluation) -> EvaluationView {
    let weights = evaluation.weights;
    let component = |key, name, c: Component, weight: f64| ComponentView {
        key,
        name,
        score: c.score.map(format::score),
        weight: format::percent(weight),
        method: c.method.as_str(),
        evidence: c.evidence,
    };
    EvaluationView {
        score: evaluation.evolution_score.map(format::score),
        components: vec![
            component(
                "code_quality",
                "Code quality",
                evaluation.code_quality,
                weights.code_quality,
            ),
            component(
                "test_coverage",
                "Test coverage",
                evaluation.test_coverage,
                weights.test_coverage,
            ),
            component(
                "maintainability",
                "Maintainability",
                evaluation.maintainability,
                weights.maintainability,
            ),
            component(
                "readability",
                "Readability",
                evaluation.readability,
                weights.readability,
            ),
        ],
    }
}

/// The snake_case name serde gives a unit enum variant.
fn enum_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}
