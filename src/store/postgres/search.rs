//! Full-text matching and ranking of learnings on PostgreSQL: relevance (`ts_rank` over the
//! `search` tsvector, GIN-indexed) x weight x recency, scored in SQL.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::artifacts::Learning;
use crate::store::ranking::{self, RankedLearningRecord};
use crate::store::rows::LEARNING_COLUMNS;
use crate::store::StoreError;

/// Joins terms into a query matching every one, or any one.
pub const AND: &str = " & ";
pub const OR: &str = " | ";

/// The `terms` that occur in some learning (of any repository), as tsquery terms.
pub async fn occurring_terms(pool: &PgPool, terms: &[String]) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar(
        "SELECT term FROM unnest($1::TEXT[]) AS term
         WHERE EXISTS (SELECT 1 FROM learnings WHERE search @@ to_tsquery('english', term))",
    )
    .bind(terms)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(
        "find which words of the run occur in learnings",
    ))
}

/// The best `limit` learnings of `repository` by relevance to `tsquery` (1.0 for all without
/// one, which then matches every learning) x weight x recency, scored and ordered in SQL.
pub async fn ranked(
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
             FROM learnings WHERE repository = $1 AND retired_at IS NULL {matching}
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
