//! Learnings: added or merged by normalised content, re-weighted, and retrieved by full-text
//! relevance (the `search` tsvector, GIN-indexed) x weight x recency, scored in SQL.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::artifacts::Learning;
use crate::store::ranking::RankedLearningRecord;
use crate::store::rows::LEARNING_COLUMNS;
use crate::store::{clock, learning_text, ranking};
use crate::store::{LearningRow, NewLearning, StoreError};

pub async fn add(pool: &PgPool, learning: &NewLearning) -> Result<i64, StoreError> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(StoreError::query("store a learning"))?;
    add_in(&mut conn, learning).await
}

/// Adds `learning`, or raises the weight of the row with its wording, on `conn` (inside the
/// caller's transaction, when it has one).
pub async fn add_in(conn: &mut PgConnection, learning: &NewLearning) -> Result<i64, StoreError> {
    let normalized = learning_text::normalize(&learning.content);
    if normalized.is_empty() {
        return Err(StoreError::Invalid(
            "store a learning: its content has no words".to_owned(),
        ));
    }
    let now = clock::now();
    sqlx::query_scalar(
        "INSERT INTO learnings (repository, kind, content, normalized, source, run_id, weight,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, GREATEST($7, 0), $8, $8)
         ON CONFLICT (repository, kind, normalized) DO UPDATE
             SET weight = GREATEST(learnings.weight + $7, 0), updated_at = excluded.updated_at
         RETURNING id",
    )
    .bind(&learning.repository)
    .bind(&learning.kind)
    .bind(learning.content.trim())
    .bind(&normalized)
    .bind(&learning.source)
    .bind(&learning.run_id)
    .bind(learning.weight)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(StoreError::query("store a learning"))
}

pub async fn of_repository(
    pool: &PgPool,
    repository: &str,
) -> Result<Vec<LearningRow>, StoreError> {
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

pub async fn adjust_weight(pool: &PgPool, id: i64, delta: f64) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE learnings SET weight = GREATEST(weight + $2, 0) WHERE id = $1")
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

pub async fn relevant(
    pool: &PgPool,
    repository: &str,
    query: &str,
    limit: u32,
) -> Result<Vec<Learning>, StoreError> {
    let terms = learning_text::search_terms(query);
    let now = clock::now();
    if !terms.is_empty() {
        // Every word that occurs at all first: few learnings match them all, so few are scored.
        // When that leaves fewer than `limit`, any word (OR); ts_rank rewards learnings that
        // match more of them.
        let occurring: Vec<String> = sqlx::query_scalar(
            "SELECT term FROM unnest($1::TEXT[]) AS term
             WHERE EXISTS (SELECT 1 FROM learnings WHERE search @@ to_tsquery('english', term))",
        )
        .bind(&terms)
        .fetch_all(pool)
        .await
        .map_err(StoreError::query(
            "find which words of the run occur in learnings",
        ))?;
        if occurring.is_empty() {
            return ranked(pool, repository, None, now, limit).await;
        }
        let every_word = ranked(pool, repository, Some(&occurring.join(" & ")), now, limit).await?;
        if every_word.len() >= limit as usize || (occurring.len() == 1 && !every_word.is_empty()) {
            return Ok(every_word);
        }
        if occurring.len() > 1 {
            let any_word =
                ranked(pool, repository, Some(&occurring.join(" | ")), now, limit).await?;
            if !any_word.is_empty() {
                return Ok(any_word);
            }
        }
    }
    // Nothing matched: the heaviest, freshest learnings are still the best advice.
    ranked(pool, repository, None, now, limit).await
}

/// The best `limit` learnings of `repository` by relevance to `tsquery` (1.0 for all without
/// one, which then matches every learning) x weight x recency, scored and ordered in SQL.
async fn ranked(
    pool: &PgPool,
    repository: &str,
    tsquery: Option<&str>,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Learning>, StoreError> {
    let (raw, matching, relevance) = match tsquery {
        Some(_) => (
            "ts_rank(search, to_tsquery('english', $4))::DOUBLE PRECISION",
            "AND search @@ to_tsquery('english', $4)",
            "raw / (1 + raw)",
        ),
        None => ("NULL::DOUBLE PRECISION", "", "1.0"),
    };
    let sql = format!(
        "SELECT {LEARNING_COLUMNS},
                {relevance} * weight * power(0.5::DOUBLE PRECISION, LEAST(
                    GREATEST(EXTRACT(EPOCH FROM $2 - updated_at)::DOUBLE PRECISION, 0)
                        / 86400 / {half_life}, {max_half_lives})) AS score
         FROM (
             SELECT {LEARNING_COLUMNS}, {raw} AS raw
             FROM learnings WHERE repository = $1 {matching}
         ) matched
         ORDER BY score DESC, id LIMIT $3",
        half_life = ranking::HALF_LIFE_DAYS,
        max_half_lives = ranking::MAX_HALF_LIVES,
    );
    let mut statement = sqlx::query_as::<_, RankedLearningRecord>(&sql)
        .bind(repository)
        .bind(now)
        .bind(i64::from(limit));
    if let Some(tsquery) = tsquery {
        statement = statement.bind(tsquery);
    }
    let records = statement
        .fetch_all(pool)
        .await
        .map_err(StoreError::query(format!(
            "find learnings of {repository} relevant to the run"
        )))?;
    Ok(records.into_iter().map(Learning::from).collect())
}

/// Records that `run_id` used these learnings; each (run, learning) counts once.
pub async fn record_uses(
    conn: &mut PgConnection,
    run_id: &str,
    ids: &[i64],
) -> Result<(), StoreError> {
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

pub async fn used_by(pool: &PgPool, run_id: &str) -> Result<Vec<LearningRow>, StoreError> {
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

pub async fn produced_by(pool: &PgPool, run_id: &str) -> Result<Vec<LearningRow>, StoreError> {
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
