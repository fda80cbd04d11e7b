//! Learnings: added or merged by normalised content, re-weighted, counted as used, and the
//! most relevant to a run found. Compiled once per backend; `super::dialect` supplies what
//! differs, and each backend's `search` its full-text matching and ranking SQL.

use super::dialect::{self, Conn, Pool};
use super::search;
use crate::artifacts::Learning;
use crate::store::rows::LEARNING_COLUMNS;
use crate::store::{clock, learning_text};
use crate::store::{LearningRow, NewLearning, StoreError};

pub async fn add(pool: &Pool, learning: &NewLearning) -> Result<i64, StoreError> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(StoreError::query("store a learning"))?;
    add_in(&mut conn, learning).await
}

/// Adds `learning`, or raises the weight of the row with its wording, on `conn` (inside the
/// caller's transaction, when it has one).
pub async fn add_in(conn: &mut Conn, learning: &NewLearning) -> Result<i64, StoreError> {
    let normalized = learning_text::normalize(&learning.content);
    if normalized.is_empty() {
        return Err(StoreError::Invalid(
            "store a learning: its content has no words".to_owned(),
        ));
    }
    let now = clock::now();
    sqlx::query_scalar(&format!(
        "INSERT INTO learnings (repository, kind, content, normalized, source, run_id, weight,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, {greatest}($7, 0), $8, $8)
         ON CONFLICT (repository, kind, normalized) DO UPDATE
             SET weight = {greatest}(learnings.weight + $7, 0), updated_at = excluded.updated_at
         RETURNING id",
        greatest = dialect::GREATEST,
    ))
    .bind(&learning.repository)
    .bind(&learning.kind)
    .bind(learning.content.trim())
    .bind(&normalized)
    .bind(&learning.source)
    .bind(&learning.run_id)
    .bind(learning.weight)
    .bind(dialect::time(now))
    .fetch_one(conn)
    .await
    .map_err(StoreError::query("store a learning"))
}

pub async fn of_repository(pool: &Pool, repository: &str) -> Result<Vec<LearningRow>, StoreError> {
    let records: Vec<LearningRow> = sqlx::query_as(&format!(
        "SELECT {LEARNING_COLUMNS} FROM learnings WHERE repository = $1 ORDER BY weight DESC, id"
    ))
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the learnings of {repository}"
    )))?;
    Ok(records)
}

pub async fn adjust_weight(pool: &Pool, id: i64, delta: f64) -> Result<(), StoreError> {
    let done = sqlx::query(&format!(
        "UPDATE learnings SET weight = {greatest}(weight + $2, 0) WHERE id = $1",
        greatest = dialect::GREATEST,
    ))
    .bind(id)
    .bind(delta)
    .execute(pool)
    .await
    .map_err(StoreError::query(format!("re-weight learning {id}")))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::UnknownLearning(id));
    }
    Ok(())
}

/// The top `limit` learnings of `repository` for a run described by `query`. Every word that
/// occurs at all first: few learnings match them all, so few are scored. When that leaves fewer
/// than `limit`, any word (OR), which the backend's ranking rewards for matching more of them.
pub async fn relevant(
    pool: &Pool,
    repository: &str,
    query: &str,
    limit: u32,
) -> Result<Vec<Learning>, StoreError> {
    let terms = learning_text::search_terms(query);
    let now = clock::now();
    if !terms.is_empty() {
        let occurring = search::occurring_terms(pool, &terms).await?;
        if occurring.is_empty() {
            return search::ranked(pool, repository, None, now, limit).await;
        }
        let all_of = occurring.join(search::AND);
        let every_word = search::ranked(pool, repository, Some(&all_of), now, limit).await?;
        if every_word.len() >= limit as usize || (occurring.len() == 1 && !every_word.is_empty()) {
            return Ok(every_word);
        }
        if occurring.len() > 1 {
            let any_of = occurring.join(search::OR);
            let any_word = search::ranked(pool, repository, Some(&any_of), now, limit).await?;
            if !any_word.is_empty() {
                return Ok(any_word);
            }
        }
    }
    // Nothing matched: the heaviest, freshest learnings are still the best advice.
    search::ranked(pool, repository, None, now, limit).await
}

/// Records that `run_id` used these learnings; each (run, learning) counts once.
pub async fn record_uses(conn: &mut Conn, run_id: &str, ids: &[i64]) -> Result<(), StoreError> {
    for &id in ids {
        let inserted = sqlx::query(
            "INSERT INTO learning_uses (run_id, learning_id) VALUES ($1, $2)
             ON CONFLICT (run_id, learning_id) DO NOTHING",
        )
        .bind(run_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query(format!(
            "record that run {run_id} used learning {id}"
        )))?;
        if inserted.rows_affected() > 0 {
            sqlx::query("UPDATE learnings SET uses = uses + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(StoreError::query(format!("count a use of learning {id}")))?;
        }
    }
    Ok(())
}

pub async fn used_by(pool: &Pool, run_id: &str) -> Result<Vec<LearningRow>, StoreError> {
    let records: Vec<LearningRow> = sqlx::query_as(
        "SELECT l.id, l.repository, l.kind, l.content, l.source, l.weight, l.uses, l.created_at,
                l.updated_at
         FROM learning_uses u JOIN learnings l ON l.id = u.learning_id
         WHERE u.run_id = $1 ORDER BY l.id",
    )
    .bind(run_id)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the learnings run {run_id} used"
    )))?;
    Ok(records)
}

pub async fn produced_by(pool: &Pool, run_id: &str) -> Result<Vec<LearningRow>, StoreError> {
    let records: Vec<LearningRow> = sqlx::query_as(&format!(
        "SELECT {LEARNING_COLUMNS} FROM learnings WHERE run_id = $1 ORDER BY id"
    ))
    .bind(run_id)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the learnings of run {run_id}"
    )))?;
    Ok(records)
}
