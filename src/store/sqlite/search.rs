//! Retrieving learnings by full-text relevance (FTS5's bm25 over `learnings_fts`) x weight x
//! recency, scored in SQL.

use sqlx::SqlitePool;

use crate::artifacts::Learning;
use crate::store::ranking::RankedLearningRecord;
use crate::store::rows::LEARNING_COLUMNS;
use crate::store::StoreError;
use crate::store::{clock, learning_text, ranking};

pub async fn relevant(
    pool: &SqlitePool,
    repository: &str,
    query: &str,
    limit: u32,
) -> Result<Vec<Learning>, StoreError> {
    let terms = learning_text::search_terms(query);
    let now = clock::sqlite_text(clock::now());
    if !terms.is_empty() {
        // Every word that occurs at all first: few learnings match them all, so few are scored.
        // When that leaves fewer than `limit`, any word (OR); bm25 rewards learnings that match
        // more (and rarer) ones. Each term is alphanumeric, and quoted so FTS5 reads none as an
        // operator.
        let quoted: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
        let occurring: Vec<String> = sqlx::query_scalar(
            "SELECT value FROM json_each(?1)
             WHERE EXISTS (SELECT 1 FROM learnings_fts WHERE learnings_fts MATCH value)",
        )
        .bind(serde_json::Value::from(quoted).to_string())
        .fetch_all(pool)
        .await
        .map_err(StoreError::query(
            "find which words of the run occur in learnings",
        ))?;
        if occurring.is_empty() {
            return ranked(pool, repository, None, &now, limit).await;
        }
        let every_word = ranked(
            pool,
            repository,
            Some(&occurring.join(" AND ")),
            &now,
            limit,
        )
        .await?;
        if every_word.len() >= limit as usize || (occurring.len() == 1 && !every_word.is_empty()) {
            return Ok(every_word);
        }
        if occurring.len() > 1 {
            let any_word =
                ranked(pool, repository, Some(&occurring.join(" OR ")), &now, limit).await?;
            if !any_word.is_empty() {
                return Ok(any_word);
            }
        }
    }
    // Nothing matched: the heaviest, freshest learnings are still the best advice.
    ranked(pool, repository, None, &now, limit).await
}

/// The best `limit` learnings of `repository` by relevance to `fts_query` (1.0 for all without
/// one, which then matches every learning) x weight x recency, scored and ordered in SQL.
/// Recency is 2^-(age in half-lives): the whole half-lives a bit shift, the fraction a series
/// (see [`ranking::sqlite_fraction_decay`]), since SQLite as bundled has no `pow`.
async fn ranked(
    pool: &SqlitePool,
    repository: &str,
    fts_query: Option<&str>,
    now: &str,
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
                        l.created_at, l.updated_at, {raw} AS raw,
                        min(max(julianday(?2) - julianday(l.updated_at), 0) / {half_life},
                            {max_half_lives}) AS half_lives
                 FROM {source} WHERE l.repository = ?1 {matching}
             ) matched
         ) aged
         ORDER BY score DESC, id LIMIT ?3",
        fraction_decay = ranking::sqlite_fraction_decay("fraction"),
        half_life = ranking::HALF_LIFE_DAYS,
        max_half_lives = ranking::MAX_HALF_LIVES,
    );
    let mut statement = sqlx::query_as::<_, RankedLearningRecord>(&sql)
        .bind(repository)
        .bind(now)
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
