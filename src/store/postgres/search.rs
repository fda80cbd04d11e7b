//! Retrieving learnings by full-text relevance (the `search` tsvector, GIN-indexed) x weight x
//! recency, scored in SQL.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::artifacts::Learning;
use crate::store::ranking::RankedLearningRecord;
use crate::store::rows::LEARNING_COLUMNS;
use crate::store::StoreError;
use crate::store::{clock, learning_text, ranking};

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
