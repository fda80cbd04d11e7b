//! Writing runs: registration, phases, a run's artifacts in one transaction, failures, closing.
//! Compiled once per backend; `super::dialect` supplies what differs.

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::dialect::{self, Conn, Pool};
use crate::artifacts::Evaluation;
use crate::artifacts::Review;
use crate::store::clock;
use crate::store::summary::{self, enum_text, PrWriter, RunSummary, UNREGISTERED};
use crate::store::{NewRun, RunArtifacts, RunFailure, RunStatus, StoreError};

pub async fn register(pool: &Pool, run: &NewRun) -> Result<(), StoreError> {
    // A run that persist or a failure recorded first gets its real values now; a registered
    // run is left alone, so registering twice changes nothing.
    sqlx::query(
        "INSERT INTO agent_runs (run_id, repository, trigger, model, started_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (run_id) DO UPDATE SET repository = excluded.repository,
             trigger = excluded.trigger, model = excluded.model, started_at = excluded.started_at
         WHERE agent_runs.trigger = $6",
    )
    .bind(&run.run_id)
    .bind(&run.repository)
    .bind(&run.trigger)
    .bind(&run.model)
    .bind(dialect::time(run.started_at))
    .bind(UNREGISTERED)
    .execute(pool)
    .await
    .map_err(StoreError::query(format!("register run {}", run.run_id)))?;
    Ok(())
}

pub async fn mark_dry_run(pool: &Pool, run_id: &str) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE agent_runs SET dry_run = $2 WHERE run_id = $1")
        .bind(run_id)
        .bind(true)
        .execute(pool)
        .await
        .map_err(StoreError::query(format!("mark run {run_id} as a dry run")))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::UnknownRun(run_id.to_owned()));
    }
    Ok(())
}

pub async fn set_phase(pool: &Pool, run_id: &str, phase: &str) -> Result<(), StoreError> {
    let now = clock::now();
    let mut tx = dialect::begin_write(pool, "set the phase").await?;
    // A failed run keeps the phase that failed; a skipped run the setup that turned it away.
    let done = sqlx::query(
        "UPDATE agent_runs SET phase = CASE WHEN status IN ('failed', 'abandoned', 'skipped')
                                            THEN phase ELSE $2 END
         WHERE run_id = $1",
    )
    .bind(run_id)
    .bind(phase)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::query(format!("set the phase of run {run_id}")))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::UnknownRun(run_id.to_owned()));
    }
    start_phase(&mut tx, run_id, phase, now).await?;
    tx.commit().await.map_err(StoreError::query(format!(
        "commit the phase of run {run_id}"
    )))
}

/// Opens `phase`'s timing and closes the one before it, while the run is running. The same
/// phase twice keeps its first start, so repeating set_phase changes nothing.
async fn start_phase(
    conn: &mut Conn,
    run_id: &str,
    phase: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "UPDATE run_phases SET finished_at = {greatest}(started_at, $3), status = 'succeeded'
         WHERE run_id = $1 AND finished_at IS NULL AND phase <> $2
           AND EXISTS (SELECT 1 FROM agent_runs WHERE run_id = $1 AND status = 'running')",
        greatest = dialect::GREATEST,
    ))
    .bind(run_id)
    .bind(phase)
    .bind(dialect::time(now))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(format!(
        "close the last phase of run {run_id}"
    )))?;
    sqlx::query(
        "INSERT INTO run_phases (run_id, phase, started_at)
         SELECT run_id, $2, $3 FROM agent_runs WHERE run_id = $1 AND status = 'running'
         ON CONFLICT (run_id, phase) DO NOTHING",
    )
    .bind(run_id)
    .bind(phase)
    .bind(dialect::time(now))
    .execute(conn)
    .await
    .map_err(StoreError::query(format!(
        "start phase {phase} of run {run_id}"
    )))?;
    Ok(())
}

/// A closed timing for `phase` (the error handler or the finally step of a failed run),
/// whatever the run's status; a phase already timed keeps its timing.
pub async fn record_closing_step(pool: &Pool, run_id: &str, phase: &str) -> Result<(), StoreError> {
    let now = dialect::time(clock::now());
    sqlx::query(
        "INSERT INTO run_phases (run_id, phase, started_at, finished_at, status)
         SELECT run_id, $2, $3, $3, 'succeeded' FROM agent_runs WHERE run_id = $1
         ON CONFLICT (run_id, phase) DO NOTHING",
    )
    .bind(run_id)
    .bind(phase)
    .bind(now)
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "record step {phase} of run {run_id}"
    )))?;
    Ok(())
}

/// Closes the run's open phase with `status` (`succeeded` or `failed`), never before it began.
async fn finish_phase(
    conn: &mut Conn,
    run_id: &str,
    status: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "UPDATE run_phases SET finished_at = {greatest}(started_at, $3), status = $2
         WHERE run_id = $1 AND finished_at IS NULL",
        greatest = dialect::GREATEST,
    ))
    .bind(run_id)
    .bind(status)
    .bind(dialect::time(at))
    .execute(conn)
    .await
    .map_err(StoreError::query(format!(
        "close the phase of run {run_id}"
    )))?;
    Ok(())
}

pub async fn persist(pool: &Pool, artifacts: &RunArtifacts) -> Result<(), StoreError> {
    let run_id = artifacts.run_id.as_str();
    let now = clock::now();
    let run = RunSummary::of(artifacts);
    let documents = summary::artifact_documents(artifacts)?;
    let mut tx = dialect::begin_write(pool, "persist the run").await?;
    ensure_run(&mut tx, run_id, run.repository.as_deref(), now).await?;
    update_run(&mut tx, run_id, &run).await?;
    for (name, content) in documents {
        sqlx::query(&format!(
            "INSERT INTO run_artifacts (run_id, name, content) VALUES ($1, $2, $3)
             ON CONFLICT (run_id, name) DO UPDATE SET content = excluded.content
             WHERE run_artifacts.content {is_distinct_from} excluded.content",
            is_distinct_from = dialect::IS_DISTINCT_FROM,
        ))
        .bind(run_id)
        .bind(name)
        .bind(Json(content))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query(format!("record {name} of run {run_id}")))?;
    }
    if let Some(pr) = artifacts
        .pull_request
        .as_ref()
        .and_then(|pr| summary::pull_request_row(run_id, pr, now))
    {
        super::pull_requests::upsert(&mut tx, &pr, PrWriter::Artifact).await?;
    }
    if let Some(change) = &artifacts.change {
        super::changes::record(&mut tx, run_id, change).await?;
    }
    if let Some(transcript) = &artifacts.transcript {
        super::transcripts::record(&mut tx, run_id, transcript).await?;
    }
    if let Some(review) = &artifacts.review {
        upsert_review(&mut tx, run_id, review).await?;
    }
    if let Some(evaluation) = &artifacts.evaluation {
        upsert_evaluation(&mut tx, run_id, evaluation).await?;
    }
    super::learnings::record_uses(&mut tx, run_id, &summary::learnings_used(artifacts)).await?;
    if let Some(failure) = &artifacts.failure {
        fail(&mut tx, failure).await?;
    }
    if let Some(status) = artifacts.status {
        close(&mut tx, run_id, status, now).await?;
    }
    tx.commit()
        .await
        .map_err(StoreError::query(format!("commit run {run_id}")))
}

/// Creates the run row when nothing registered it, so no artifact or failure is ever dropped.
async fn ensure_run(
    conn: &mut Conn,
    run_id: &str,
    repository: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO agent_runs (run_id, repository, trigger, started_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (run_id) DO NOTHING",
    )
    .bind(run_id)
    .bind(repository.unwrap_or("unknown"))
    .bind(UNREGISTERED)
    .bind(dialect::time(now))
    .execute(conn)
    .await
    .map_err(StoreError::query(format!("record run {run_id}")))?;
    Ok(())
}

async fn update_run(conn: &mut Conn, run_id: &str, run: &RunSummary) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE agent_runs SET
             model = CASE WHEN model = '' THEN COALESCE($2, model) ELSE model END,
             llm_calls = COALESCE($3, llm_calls), tokens = COALESCE($4, tokens),
             cost_usd = COALESCE($5, cost_usd), task_title = COALESCE($6, task_title),
             task_kind = COALESCE($7, task_kind), task_issue = COALESCE($8, task_issue),
             nothing_reason = COALESCE($9, nothing_reason),
             implementation_status = COALESCE($10, implementation_status),
             branch = COALESCE($11, branch), head_commit = COALESCE($12, head_commit),
             files_changed = COALESCE($13, files_changed), lines_added = COALESCE($14, lines_added),
             lines_removed = COALESCE($15, lines_removed), attempts = COALESCE($16, attempts),
             dry_run = COALESCE($17, dry_run)
         WHERE run_id = $1",
    )
    .bind(run_id)
    .bind(&run.model)
    .bind(run.llm_calls)
    .bind(run.tokens)
    .bind(run.cost_usd)
    .bind(&run.task_title)
    .bind(&run.task_kind)
    .bind(run.task_issue)
    .bind(&run.nothing_reason)
    .bind(&run.implementation_status)
    .bind(&run.branch)
    .bind(&run.head_commit)
    .bind(run.files_changed)
    .bind(run.lines_added)
    .bind(run.lines_removed)
    .bind(run.attempts)
    .bind(run.dry_run)
    .execute(conn)
    .await
    .map_err(StoreError::query(format!("update run {run_id}")))?;
    Ok(())
}

async fn upsert_review(conn: &mut Conn, run_id: &str, review: &Review) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO code_reviews (run_id, source, status, notice, total, actionable, security,
             performance, style, nitpicks, complexity_score, risk_flags, findings, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (run_id) DO UPDATE SET source = excluded.source, status = excluded.status,
             notice = excluded.notice, total = excluded.total, actionable = excluded.actionable,
             security = excluded.security, performance = excluded.performance,
             style = excluded.style, nitpicks = excluded.nitpicks,
             complexity_score = excluded.complexity_score, risk_flags = excluded.risk_flags,
             findings = excluded.findings, summary = excluded.summary",
    )
    .bind(run_id)
    .bind(enum_text(&review.source))
    .bind(enum_text(&review.status))
    .bind(&review.notice)
    .bind(i64::from(review.counts.total))
    .bind(i64::from(review.counts.actionable))
    .bind(i64::from(review.counts.security))
    .bind(i64::from(review.counts.performance))
    .bind(i64::from(review.counts.style))
    .bind(i64::from(review.counts.nitpicks))
    .bind(review.complexity_score)
    .bind(Json(&review.risk_flags))
    .bind(Json(&review.findings))
    .bind(&review.summary)
    .execute(conn)
    .await
    .map_err(StoreError::query(format!(
        "record the review of run {run_id}"
    )))?;
    Ok(())
}

async fn upsert_evaluation(
    conn: &mut Conn,
    run_id: &str,
    e: &Evaluation,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO evaluations (run_id, evolution_score,
             code_quality_score, code_quality_method, code_quality_evidence,
             test_coverage_score, test_coverage_method, test_coverage_evidence,
             maintainability_score, maintainability_method, maintainability_evidence,
             readability_score, readability_method, readability_evidence,
             weight_code_quality, weight_test_coverage, weight_maintainability, weight_readability)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT (run_id) DO UPDATE SET evolution_score = excluded.evolution_score,
             code_quality_score = excluded.code_quality_score,
             code_quality_method = excluded.code_quality_method,
             code_quality_evidence = excluded.code_quality_evidence,
             test_coverage_score = excluded.test_coverage_score,
             test_coverage_method = excluded.test_coverage_method,
             test_coverage_evidence = excluded.test_coverage_evidence,
             maintainability_score = excluded.maintainability_score,
             maintainability_method = excluded.maintainability_method,
             maintainability_evidence = excluded.maintainability_evidence,
             readability_score = excluded.readability_score,
             readability_method = excluded.readability_method,
             readability_evidence = excluded.readability_evidence,
             weight_code_quality = excluded.weight_code_quality,
             weight_test_coverage = excluded.weight_test_coverage,
             weight_maintainability = excluded.weight_maintainability,
             weight_readability = excluded.weight_readability",
    )
    .bind(run_id)
    .bind(e.evolution_score)
    .bind(e.code_quality.score)
    .bind(e.code_quality.method.as_str())
    .bind(&e.code_quality.evidence)
    .bind(e.test_coverage.score)
    .bind(e.test_coverage.method.as_str())
    .bind(&e.test_coverage.evidence)
    .bind(e.maintainability.score)
    .bind(e.maintainability.method.as_str())
    .bind(&e.maintainability.evidence)
    .bind(e.readability.score)
    .bind(e.readability.method.as_str())
    .bind(&e.readability.evidence)
    .bind(e.weights.code_quality)
    .bind(e.weights.test_coverage)
    .bind(e.weights.maintainability)
    .bind(e.weights.readability)
    .execute(conn)
    .await
    .map_err(StoreError::query(format!(
        "record the evaluation of run {run_id}"
    )))?;
    Ok(())
}

/// Marks the run failed at the phase and logs the error (once: the same failure twice is one
/// entry). A run nobody registered is created, so the failure is never lost.
pub async fn fail(conn: &mut Conn, failure: &RunFailure) -> Result<(), StoreError> {
    let run_id = failure.run_id.as_str();
    let at = clock::truncate(failure.at);
    ensure_run(conn, run_id, None, at).await?;
    sqlx::query(
        "INSERT INTO run_errors (run_id, phase, message, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (run_id, phase, message) DO NOTHING",
    )
    .bind(run_id)
    .bind(&failure.phase)
    .bind(&failure.message)
    .bind(dialect::time(at))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(format!("log the error of run {run_id}")))?;
    sqlx::query(
        "UPDATE agent_runs SET status = 'failed', phase = $2, error = $3,
             finished_at = COALESCE(finished_at, $4)
         WHERE run_id = $1",
    )
    .bind(run_id)
    .bind(&failure.phase)
    .bind(&failure.message)
    .bind(dialect::time(at))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(format!("mark run {run_id} failed")))?;
    finish_phase(conn, run_id, "failed", at).await
}

/// Marks a running run abandoned at `failure.phase` (its lease expired), logs why, and ends
/// its open phase as failed. A run no longer running is left alone.
pub async fn abandon(conn: &mut Conn, failure: &RunFailure) -> Result<(), StoreError> {
    let run_id = failure.run_id.as_str();
    let at = clock::truncate(failure.at);
    let done = sqlx::query(
        "UPDATE agent_runs SET status = 'abandoned', phase = $2, error = $3,
             finished_at = COALESCE(finished_at, $4)
         WHERE run_id = $1 AND status = 'running'",
    )
    .bind(run_id)
    .bind(&failure.phase)
    .bind(&failure.message)
    .bind(dialect::time(at))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(format!("mark run {run_id} abandoned")))?;
    if done.rows_affected() == 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO run_errors (run_id, phase, message, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (run_id, phase, message) DO NOTHING",
    )
    .bind(run_id)
    .bind(&failure.phase)
    .bind(&failure.message)
    .bind(dialect::time(at))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(format!(
        "log why run {run_id} was abandoned"
    )))?;
    finish_phase(conn, run_id, "failed", at).await
}

/// Marks a running run skipped at setup (another run holds its repository), with `reason`
/// as its error text; it never took the repository, holds no lease from now on and opened no
/// phase. A run no longer running is left alone.
pub async fn skip(conn: &mut Conn, run_id: &str, reason: &str) -> Result<(), StoreError> {
    let at = clock::truncate(clock::now());
    let done = sqlx::query(
        "UPDATE agent_runs SET status = 'skipped', phase = 'setup', error = $2,
             finished_at = COALESCE(finished_at, $3)
         WHERE run_id = $1 AND status = 'running'",
    )
    .bind(run_id)
    .bind(reason)
    .bind(dialect::time(at))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(format!("mark run {run_id} skipped")))?;
    if done.rows_affected() == 0 {
        let known: Option<String> =
            sqlx::query_scalar("SELECT status FROM agent_runs WHERE run_id = $1")
                .bind(run_id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(StoreError::query(format!("read run {run_id}")))?;
        if known.is_none() {
            return Err(StoreError::UnknownRun(run_id.to_owned()));
        }
    }
    Ok(())
}

/// Closes the run: a failed (abandoned, skipped) run stays so, and the first close's time is
/// kept.
pub async fn close(
    conn: &mut Conn,
    run_id: &str,
    status: RunStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE agent_runs SET
             status = CASE WHEN status IN ('failed', 'abandoned', 'skipped') THEN status
                           ELSE $2 END,
             finished_at = CASE WHEN $2 = 'running' THEN finished_at
                                ELSE COALESCE(finished_at, $3) END
         WHERE run_id = $1",
    )
    .bind(run_id)
    .bind(status.as_str())
    .bind(dialect::time(now))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(format!("close run {run_id}")))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::UnknownRun(run_id.to_owned()));
    }
    match status {
        RunStatus::Running => {}
        RunStatus::Failed | RunStatus::Abandoned => {
            finish_phase(conn, run_id, "failed", now).await?
        }
        RunStatus::Succeeded | RunStatus::Nothing | RunStatus::Skipped => {
            finish_phase(conn, run_id, "succeeded", now).await?
        }
    }
    Ok(())
}
