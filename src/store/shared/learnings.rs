//! Learnings: added or merged by normalised content, re-weighted, counted as used, and the
//! most relevant to a run found. Compiled once per backend; `super::dialect` supplies what
//! differs, and each backend's `search` its full-text matching and ranking SQL.

use super::dialect::{self, Conn, Pool};
use super::search;
use crate::artifacts::{Evidence, EvidenceList, Learning};
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
    let id: i64 = sqlx::query_scalar(&format!(
        "INSERT INTO learnings (repository, kind, content, normalized, source, run_id, weight,
             created_at, updated_at, effect_action, effect_target, evidence)
         VALUES ($1, $2, $3, $4, $5, $6, {greatest}($7, 0), $8, $8, $9, $10, $11)
         ON CONFLICT (repository, kind, normalized) DO UPDATE
             SET weight = {greatest}(learnings.weight + $7, 0), updated_at = excluded.updated_at,
                 retired_at = NULL, retired_reason = NULL
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
    .bind(learning.effect.as_ref().map(|e| e.action.as_str()))
    .bind(learning.effect.as_ref().map(|e| e.target.clone()))
    .bind(evidence_json(&learning.evidence))
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::query("store a learning"))?;
    // A learning of the same wording met again: its new evidence joins the old.
    reinforce_in(conn, id, 0.0, &learning.evidence, true).await?;
    Ok(id)
}

/// Most pieces of evidence a learning keeps (the newest).
const MAX_EVIDENCE: usize = 20;

fn evidence_json(evidence: &[Evidence]) -> String {
    serde_json::to_string(evidence).unwrap_or_else(|_| "[]".to_owned())
}

/// Raises learning `id`'s weight by `weight` (never below 0), adds the evidence it does not
/// cite yet (the newest [`MAX_EVIDENCE`] kept), marks it fresh and active again.
/// `only_evidence`: leave the weight and freshness alone (the row was just written).
pub async fn reinforce_in(
    conn: &mut Conn,
    id: i64,
    weight: f64,
    evidence: &[Evidence],
    only_evidence: bool,
) -> Result<(), StoreError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT evidence FROM learnings WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query(format!(
            "read the evidence of learning {id}"
        )))?;
    let Some(stored) = stored else {
        return Err(StoreError::UnknownLearning(id));
    };
    let mut merged = EvidenceList::try_from(stored)
        .map(|l| l.0)
        .unwrap_or_default();
    let before = merged.len();
    for item in evidence {
        let known = merged.iter().any(|m| {
            m.run_id == item.run_id
                && m.outcome == item.outcome
                && m.rule == item.rule
                && m.path == item.path
                && m.detail == item.detail
        });
        if !known {
            merged.push(item.clone());
        }
    }
    if merged.len() > MAX_EVIDENCE {
        merged.drain(..merged.len() - MAX_EVIDENCE);
    }
    if only_evidence {
        if merged.len() != before {
            sqlx::query("UPDATE learnings SET evidence = $2 WHERE id = $1")
                .bind(id)
                .bind(evidence_json(&merged))
                .execute(&mut *conn)
                .await
                .map_err(StoreError::query(format!("add evidence to learning {id}")))?;
        }
        return Ok(());
    }
    sqlx::query(&format!(
        "UPDATE learnings SET weight = {greatest}(weight + $2, 0), evidence = $3, updated_at = $4,
             retired_at = NULL, retired_reason = NULL
         WHERE id = $1",
        greatest = dialect::GREATEST,
    ))
    .bind(id)
    .bind(weight)
    .bind(evidence_json(&merged))
    .bind(dialect::time(clock::now()))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(format!("reinforce learning {id}")))?;
    Ok(())
}

/// Retires learning `id` for `reason`; false when it was retired already (or is unknown).
pub async fn retire(pool: &Pool, id: i64, reason: &str) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE learnings SET retired_at = $2, retired_reason = $3
         WHERE id = $1 AND retired_at IS NULL",
    )
    .bind(id)
    .bind(dialect::time(clock::now()))
    .bind(reason)
    .execute(pool)
    .await
    .map_err(StoreError::query(format!("retire learning {id}")))?;
    Ok(done.rows_affected() > 0)
}

/// Every learning of a repository, retired ones too, newest first.
pub async fn history(pool: &Pool, repository: &str) -> Result<Vec<LearningRow>, StoreError> {
    sqlx::query_as(&format!(
        "SELECT {LEARNING_COLUMNS} FROM learnings WHERE repository = $1 ORDER BY id DESC"
    ))
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the learning history of {repository}"
    )))
}

pub async fn of_repository(pool: &Pool, repository: &str) -> Result<Vec<LearningRow>, StoreError> {
    let records: Vec<LearningRow> = sqlx::query_as(&format!(
        "SELECT {LEARNING_COLUMNS} FROM learnings WHERE repository = $1 AND retired_at IS NULL
         ORDER BY weight DESC, id"
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
            sqlx::query("UPDATE learnings SET uses = uses + 1, last_used_at = $2 WHERE id = $1")
                .bind(id)
                .bind(dialect::time(clock::now()))
                .execute(&mut *conn)
                .await
                .map_err(StoreError::query(format!("count a use of learning {id}")))?;
        }
    }
    Ok(())
}

pub async fn used_by(pool: &Pool, run_id: &str) -> Result<Vec<LearningRow>, StoreError> {
    let records: Vec<LearningRow> = sqlx::query_as(&format!(
        "SELECT {LEARNING_COLUMNS} FROM learnings
         WHERE id IN (SELECT learning_id FROM learning_uses WHERE run_id = $1) ORDER BY id"
    ))
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
