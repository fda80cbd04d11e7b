//! Full-text matching and ranking of learnings on SQLite: relevance (FTS5's bm25 over
//! `learnings_fts`) x weight x recency, scored in SQL.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use crate::artifacts::Learning;
use crate::store::ranking::RankedLearningRecord;
use crate::store::rows::LEARNING_COLUMNS;
use crate::store::StoreError;
use crate::store::{clock, ranking};

/// Joins terms into a query matching every one, or any one.
pub const AND: &str = " AND ";
pub const OR: &str = " OR ";

/// The `terms` that occur in some learning (of any repository), as FTS5 terms. Each term is
/// alphanumeric, and quoted so FTS5 reads none as an operator.
pub async fn occurring_terms(
    pool: &SqlitePool,
    terms: &[String],
) -> Result<Vec<String>, StoreError> {
    let quoted: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
    sqlx::query_scalar(
        "SELECT value FROM json_each(?1)
         WHERE EXISTS (SELECT 1 FROM learnings_fts WHERE learnings_fts MATCH value)",
    )
    .bind(serde_json::Value::from(quoted).to_string())
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(
        "find which words of the run occur in learnings",
    ))
}

/// The best `limit` learnings of `repository` by relevance to `fts_query` (1.0 for all without
/// one, which then matches every learning) x weight x recency, scored and ordered in SQL.
/// Recency is 2^-(age in half-lives): the whole half-lives a bit shift, the fraction a series
/// (see [`ranking::sqlite_fraction_decay`]), since SQLite as bundled has no `pow`.
pub async fn ranked(
    pool: &SqlitePool,
    repository: &str,
    fts_query: Option<&str>,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Learning>, StoreError> {
    let (raw, source, matching, relevance) = match fts_query {
        Some(_) => (
            "abs(bm25(learnings_fts))",
            "learnings_fts JOIN learnings l ON l.id = learnings_fts.rowid",
            "AND learnings_fts MATCH ?4",
            "raw / (1 + raw)",
        ),
        None => ("NULL", "learnings l", "", "1.0"),
    };
    let sql = format!(
        "SELECT {LEARNING_COLUMNS},
                {relevance} * weight / (1 << whole_half_lives) * {fraction_decay} AS score
         FROM (
             SELECT *, CAST(half_lives AS INTEGER) AS whole_half_lives,
                    half_lives - CAST(half_lives AS INTEGER) AS fraction
             FROM (
                 SELECT l.id, l.repository, l.kind, l.content, l.source, l.weight, l.uses,
                        l.created_at, l.updated_at, l.effect_action, l.effect_target,
                        l.evidence, l.last_used_at, l.retired_at, l.retired_reason, {raw} AS raw,
                        min(max(julianday(?2) - julianday(l.updated_at), 0) / {half_life},
                            {max_half_lives}) AS half_lives
                 FROM {source} WHERE l.repository = ?1 AND l.retired_at IS NULL {matching}
             ) matched
         ) aged
         ORDER BY score DESC, id LIMIT ?3",
        fraction_decay = ranking::sqlite_fraction_decay("fraction"),
        half_life = ranking::HALF_LIFE_DAYS,
        max_half_lives = ranking::MAX_HALF_LIVES,
    );
    let mut statement = sqlx::query_as::<_, RankedLearningRecord>(&sql)
        .bind(repository)
        .bind(clock::sqlite_text(now))
        .bind(i64::from(limit));
    if let Some(fts_query) = fts_query {
        statement = statement.bind(fts_query);
    }
    let records = statement
        .fetch_all(pool)
        .await
        .map_err(StoreError::query(format!(
            "find learnings of {repository} relevant to the run"
        )))?;
    Ok(records.into_iter().map(Learning::from).collect())
}
