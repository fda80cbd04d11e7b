//! The dashboard's aggregates on PostgreSQL (`Store::analytics`), read
//! from the tables rather than the materialized views, so they are as fresh as the last write.

use sqlx::PgPool;

use crate::store::analytics::{assemble, CategoryRow, ComponentRow, TrendRow, WeekRow};
use crate::store::{Analytics, AnalyticsQuery, StoreError};

/// The runs every aggregate covers: started since $1, of repository $2 when it is not NULL.
/// Two spellings rather than `($2 IS NULL OR r.repository = $2)`, which no index serves: one
/// repository's aggregates read its (repository, started_at) index range.
fn selected_runs(repository: Option<&str>) -> &'static str {
    match repository {
        None => "r.started_at >= $1 AND $2::TEXT IS NULL",
        Some(_) => "r.started_at >= $1 AND r.repository = $2",
    }
}

/// A run's evaluation, looked up by its key for each run of the window. `OFFSET 0` keeps the
/// planner from flattening it into a hash join, which reads every evaluation ever recorded
/// (1 s at 1,000,000 runs) to aggregate the window's few thousand.
const EVALUATION_OF_RUN: &str = "SELECT * FROM evaluations e WHERE e.run_id = r.run_id OFFSET 0";
/// A run's review, likewise.
const REVIEW_OF_RUN: &str = "SELECT * FROM code_reviews c WHERE c.run_id = r.run_id OFFSET 0";

pub async fn analytics(pool: &PgPool, query: &AnalyticsQuery) -> Result<Analytics, StoreError> {
    let repository = query.repository.as_deref();
    let selected = selected_runs(repository);

    let trend: Vec<TrendRow> = sqlx::query_as(&format!(
        "SELECT (r.started_at AT TIME ZONE 'UTC')::DATE AS day, avg(e.evolution_score), count(*)
         FROM agent_runs r CROSS JOIN LATERAL ({EVALUATION_OF_RUN}) e
         WHERE {selected} AND e.evolution_score IS NOT NULL
         GROUP BY day ORDER BY day"
    ))
    .bind(query.since)
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("average the scores by day"))?;

    let components: Vec<ComponentRow> = sqlx::query_as(&format!(
        "SELECT c.component, avg(c.score),
                count(*) FILTER (WHERE c.method = 'measured'),
                count(*) FILTER (WHERE c.method = 'estimated'),
                count(*) FILTER (WHERE c.method = 'unavailable')
         FROM agent_runs r CROSS JOIN LATERAL ({EVALUATION_OF_RUN}) e
         CROSS JOIN LATERAL (VALUES
             (1, 'code_quality', e.code_quality_score, e.code_quality_method),
             (2, 'test_coverage', e.test_coverage_score, e.test_coverage_method),
             (3, 'maintainability', e.maintainability_score, e.maintainability_method),
             (4, 'readability', e.readability_score, e.readability_method)
         ) AS c(position, component, score, method)
         WHERE {selected}
         GROUP BY c.position, c.component ORDER BY c.position"
    ))
    .bind(query.since)
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("average the score components"))?;

    let findings: Vec<CategoryRow> = sqlx::query_as(&format!(
        "SELECT COALESCE(f.finding ->> 'category', 'other') AS category, count(*)
         FROM agent_runs r CROSS JOIN LATERAL ({REVIEW_OF_RUN}) c
         CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding)
         WHERE {selected}
         GROUP BY category ORDER BY count(*) DESC, category"
    ))
    .bind(query.since)
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("count the review findings by category"))?;

    let weeks: Vec<WeekRow> = sqlx::query_as(&format!(
        "SELECT date_trunc('week', r.started_at AT TIME ZONE 'UTC')::DATE AS week,
                count(*) FILTER (WHERE r.status NOT IN ('running', 'abandoned', 'skipped')),
                count(*) FILTER (WHERE r.status = 'succeeded')
         FROM agent_runs r
         WHERE {selected}
         GROUP BY week ORDER BY week"
    ))
    .bind(query.since)
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("count the successful runs by week"))?;

    Ok(assemble(trend, components, findings, weeks))
}
