//! The per-repository reads (`/repositories`, `/repositories/{id}`, `/api/data`'s repository
//! view): counts, tokens and cost from the counters, then the latest merges and the latest runs
//! of the page's repositories in one bounded query each. Compiled once per backend.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::dialect::{self, Db, Pool, EARLIEST};
use crate::store::repositories::{
    median_secs, RepositoryQuery, RepositorySummary, LAST_SCORE_WITHIN_RUNS, MEDIAN_OVER_MERGES,
};
use crate::store::rows::PULL_REQUEST_COLUMNS;
use crate::store::{PullRequestRow, StoreError};

/// A page of repositories with a run, alphabetically, and how many there are.
pub async fn page(
    pool: &Pool,
    query: &RepositoryQuery,
) -> Result<(Vec<RepositorySummary>, u64), StoreError> {
    let (limit, offset) = query.limit_offset();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT repository FROM run_counts GROUP BY repository HAVING sum(runs) > 0
         ORDER BY repository LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("list a page of repositories"))?;
    let total: i64 = sqlx::query_scalar(
        "SELECT CAST(count(*) AS BIGINT) FROM (
             SELECT repository FROM run_counts GROUP BY repository HAVING sum(runs) > 0
         ) AS named",
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::query("count the repositories"))?;
    Ok((
        summaries(pool, &names).await?,
        u64::try_from(total).unwrap_or(0),
    ))
}

/// One repository's numbers; None when it has no run.
pub async fn one(pool: &Pool, repository: &str) -> Result<Option<RepositorySummary>, StoreError> {
    let found = summaries(pool, &[repository.to_owned()]).await?;
    Ok(found.into_iter().next().filter(|s| s.runs > 0))
}

/// The latest `limit` pull requests of a repository, newest first.
pub async fn latest_pull_requests(
    pool: &Pool,
    repository: &str,
    limit: u32,
) -> Result<Vec<PullRequestRow>, StoreError> {
    sqlx::query_as(&format!(
        "SELECT {PULL_REQUEST_COLUMNS} FROM pull_requests WHERE repository = $1
         ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(repository)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the latest pull requests of {repository}"
    )))
}

/// The numbers of `names`, in their order.
async fn summaries(pool: &Pool, names: &[String]) -> Result<Vec<RepositorySummary>, StoreError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut runs_query = QueryBuilder::<Db>::new(
        "SELECT repository, status, runs, tokens, cost_usd FROM run_counts WHERE repository IN (",
    );
    push_names(&mut runs_query, names);
    let runs: Vec<(String, String, i64, i64, f64)> = runs_query
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("read the repositories' run counts"))?;
    let mut prs_query = QueryBuilder::<Db>::new(
        "SELECT repository, state, merged, prs FROM pull_request_counts WHERE repository IN (",
    );
    push_names(&mut prs_query, names);
    let prs: Vec<(String, String, bool, i64)> = prs_query
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query(
            "read the repositories' pull request counts",
        ))?;
    let latest = latest_runs(pool, names).await?;
    let merges = latest_merges(pool, names).await?;

    let mut found = Vec::with_capacity(names.len());
    for (position, name) in names.iter().enumerate() {
        let counts: BTreeMap<String, (i64, i64, f64)> = runs
            .iter()
            .filter(|row| &row.0 == name)
            .map(|(_, status, n, tokens, cost)| (status.clone(), (*n, *tokens, *cost)))
            .collect();
        let pr_counts: Vec<(String, bool, i64)> = prs
            .iter()
            .filter(|row| &row.0 == name)
            .map(|(_, state, merged, n)| (state.clone(), *merged, *n))
            .collect();
        let mut summary = RepositorySummary::from_counts(name.clone(), counts, &pr_counts);
        if let Some((_, last_run_at, last_score)) =
            latest.iter().find(|row| row.0 == position as i64)
        {
            summary.last_run_at = *last_run_at;
            summary.last_score = *last_score;
        }
        summary.median_secs_to_merge = median_secs(
            merges
                .iter()
                .filter(|row| row.0 == position as i64)
                .flat_map(|(_, spans)| spans.iter().copied())
                .collect(),
        );
        found.push(summary);
    }
    Ok(found)
}

fn push_names(query: &mut QueryBuilder<'_, Db>, names: &[String]) {
    let mut list = query.separated(", ");
    for name in names {
        list.push_bind(name.clone());
    }
    query.push(")");
}

/// Per repository (by position in `names`): its latest run's start, and the score of the latest
/// evaluated run among its latest few. Both read agent_runs' (repository, started_at) index
/// from the newest run: the score's scan stops at the first evaluated run (the index gives the
/// order, so nothing is sorted), bounded below by the start of the last of those few runs.
async fn latest_runs(
    pool: &Pool,
    names: &[String],
) -> Result<Vec<(i64, Option<DateTime<Utc>>, Option<f64>)>, StoreError> {
    let oldest_counted = LAST_SCORE_WITHIN_RUNS - 1;
    let mut query = QueryBuilder::<Db>::new("");
    for (position, name) in names.iter().enumerate() {
        if position > 0 {
            query.push(" UNION ALL ");
        }
        query
            .push(format!("SELECT CAST({position} AS BIGINT) AS position, "))
            .push("(SELECT max(started_at) FROM agent_runs WHERE repository = ")
            .push_bind(name.clone())
            .push(
                ") AS last_run_at, (SELECT e.evolution_score FROM agent_runs r \
                 JOIN evaluations e ON e.run_id = r.run_id WHERE r.repository = ",
            )
            .push_bind(name.clone())
            .push(" AND r.started_at >= COALESCE((SELECT started_at FROM agent_runs WHERE repository = ")
            .push_bind(name.clone())
            .push(format!(
                " ORDER BY started_at DESC LIMIT 1 OFFSET {oldest_counted}), {EARLIEST}) \
                 AND e.evolution_score IS NOT NULL ORDER BY r.started_at DESC LIMIT 1) \
                 AS last_score"
            ));
    }
    query
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("read the repositories' latest runs"))
}

/// Per repository (by position in `names`): how many whole seconds each of its latest merged
/// pull requests took from opening to merge (never below zero), as one comma-separated list
/// (None without a merge), read from the covering (repository, merged_at, created_at) index.
/// One row a repository rather than one a merge: the rows, not the index, are what costs.
async fn latest_merges(pool: &Pool, names: &[String]) -> Result<Vec<(i64, Vec<i64>)>, StoreError> {
    let mut query = QueryBuilder::<Db>::new("");
    for (position, name) in names.iter().enumerate() {
        if position > 0 {
            query.push(" UNION ALL ");
        }
        query
            .push(format!(
                "SELECT CAST({position} AS BIGINT) AS position, {spans} FROM (SELECT {secs} AS secs \
                 FROM pull_requests WHERE repository = ",
                spans = dialect::list_of("secs"),
                secs = dialect::SECONDS_TO_MERGE,
            ))
            .push_bind(name.clone())
            .push(format!(
                " AND merged AND merged_at IS NOT NULL ORDER BY merged_at DESC \
                 LIMIT {MEDIAN_OVER_MERGES}) AS m{position}"
            ));
    }
    let rows: Vec<(i64, Option<String>)> = query
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("read the repositories' latest merges"))?;
    Ok(rows
        .into_iter()
        .map(|(position, spans)| {
            let spans = spans
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter_map(|span| span.trim().parse().ok())
                .collect();
            (position, spans)
        })
        .collect())
}
