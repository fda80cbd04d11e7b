//! Outcomes of pull requests applied to the learnings: the mark that the outcome was applied
//! (the PR's new state, or the review recorded), the re-weighting of what the PR's run used and
//! the outcome's own learning, in one transaction. The mark comes first and decides: when it
//! changes no row the outcome was applied before, and the transaction is rolled back untouched.
//! Two concurrent appliers are serialised by the backend's write transaction (PostgreSQL: on
//! the PR row's lock or the review's key; SQLite: `BEGIN IMMEDIATE`) and the second finds
//! nothing to do. Compiled once per backend; `super::dialect` supplies what differs.

use super::dialect::{self, Conn, Pool};
use super::learnings::{add_in, reinforce_in};
use crate::store::{clock, learning_text};
use crate::store::{OutcomeApplied, OutcomeEvent, OutcomeLearning, OutcomeRecord, StoreError};

pub async fn apply(
    pool: &Pool,
    outcome: &OutcomeRecord,
) -> Result<Option<OutcomeApplied>, StoreError> {
    let action = format!(
        "apply an outcome of the pull request of {} {}",
        outcome.repository, outcome.branch
    );
    let mut tx = dialect::begin_write(pool, &action).await?;
    if !mark_applied(&mut tx, outcome).await? {
        return Ok(None);
    }
    let mut adjusted: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE learnings SET weight = {greatest}(weight + $2, 0)
         WHERE id IN (SELECT learning_id FROM learning_uses WHERE run_id = $1)
         RETURNING id",
        greatest = dialect::GREATEST,
    ))
    .bind(&outcome.run_id)
    .bind(outcome.weight_delta)
    .fetch_all(&mut *tx)
    .await
    .map_err(StoreError::query(format!(
        "re-weight the learnings run {} used",
        outcome.run_id
    )))?;
    adjusted.sort_unstable();
    let mut learnings = Vec::new();
    for learning in &outcome.learnings {
        learnings.push(learn(&mut tx, learning).await?);
    }
    tx.commit()
        .await
        .map_err(StoreError::query(format!("commit: {action}")))?;
    if learnings.iter().any(|(_, added)| *added) {
        dialect::refresh_stats(pool).await?;
    }
    Ok(Some(OutcomeApplied {
        adjusted,
        learnings,
    }))
}

/// Marks the outcome applied; false when it was already.
async fn mark_applied(conn: &mut Conn, outcome: &OutcomeRecord) -> Result<bool, StoreError> {
    let (repository, branch) = (&outcome.repository, &outcome.branch);
    let done = match &outcome.event {
        OutcomeEvent::State { state, merged } => sqlx::query(&format!(
            "UPDATE pull_requests SET state = $3, merged = $4, updated_at = $5,
                 outcome_applied = TRUE
             WHERE repository = $1 AND branch = $2
               AND ((state, merged) {is_distinct_from} ($3, $4) OR NOT outcome_applied)",
            is_distinct_from = dialect::IS_DISTINCT_FROM,
        ))
        .bind(repository)
        .bind(branch)
        .bind(state)
        .bind(*merged)
        .bind(dialect::time(clock::now()))
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(format!(
            "set the state of the pull request of {repository} {branch}"
        )))?,
        OutcomeEvent::Review {
            review_id,
            reviewer,
        } => sqlx::query(
            "INSERT INTO pull_request_reviews (repository, branch, review_id, reviewer, applied_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (repository, branch, review_id) DO NOTHING",
        )
        .bind(repository)
        .bind(branch)
        .bind(review_id)
        .bind(reviewer)
        .bind(dialect::time(clock::now()))
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(format!(
            "record review {review_id} of the pull request of {repository} {branch}"
        )))?,
    };
    Ok(done.rows_affected() > 0)
}

/// Adds or reinforces the outcome's learning: (its id, whether it is a new row).
async fn learn(conn: &mut Conn, learning: &OutcomeLearning) -> Result<(i64, bool), StoreError> {
    match learning {
        OutcomeLearning::Reinforce {
            id,
            weight,
            evidence,
        } => {
            reinforce_in(conn, *id, *weight, evidence, false).await?;
            Ok((*id, false))
        }
        OutcomeLearning::Add(learning) => {
            let existed: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM learnings
                                WHERE repository = $1 AND kind = $2 AND normalized = $3)",
            )
            .bind(&learning.repository)
            .bind(&learning.kind)
            .bind(learning_text::normalize(&learning.content))
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::query("look for a learning of the same wording"))?;
            let id = add_in(conn, learning).await?;
            Ok((id, !existed))
        }
    }
}
