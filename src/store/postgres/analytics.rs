//! The dashboard's aggregates on PostgreSQL (`Store::analytics`): whole days summed from the
//! daily rollups (run_days, score_days, finding_days), which triggers keep as fresh as the last
//! write, and the window's first, partial day read from its runs (see [`Window`]).

use sqlx::PgPool;

use crate::store::analytics::{assemble, CategoryRow, ComponentRow, TrendRow, WeekRow, Window};
use crate::store::{Analytics, AnalyticsQuery, StoreError};

/// The runs of the partial day: started in [$1, $3), of repository $2 when it is not NULL.
/// Two spellings rather than `($2 IS NULL OR r.repository = $2)`, which no index serves: one
/// repository's aggregates read its (repository, started_at) index range.
fn raw_runs(repository: Option<&str>) -> &'static str {
    match repository {
        None => "r.started_at >= $1 AND r.started_at < $3 AND $2::TEXT IS NULL",
        Some(_) => "r.started_at >= $1 AND r.started_at < $3 AND r.repository = $2",
    }
}

/// The rollup rows of the whole days from day $4 on: the fleet's (repository '') when $2 is
/// NULL, else repository $2's.
fn rolled_days(repository: Option<&str>) -> &'static str {
    match repository {
        None => "d.day >= $4 AND d.repository = '' AND $2::TEXT IS NULL",
        Some(_) => "d.day >= $4 AND d.repository = $2 AND d.repository <> ''",
    }
}

/// A run's evaluation, looked up by its key for each run of the partial day. `OFFSET 0` keeps
/// the planner from flattening it into a hash join, which reads every evaluation ever recorded.
const EVALUATION_OF_RUN: &str = "SELECT * FROM evaluations e WHERE e.run_id = r.run_id OFFSET 0";
/// A run's review, likewise.
const REVIEW_OF_RUN: &str = "SELECT * FROM code_reviews c WHERE c.run_id = r.run_id OFFSET 0";

pub async fn analytics(pool: &PgPool, query: &AnalyticsQuery) -> Result<Analytics, StoreError> {
    let window = Window::of(query.since);
    let repository = query.repository.as_deref();
    let raw = raw_runs(repository);
    let rolled = rolled_days(repository);

    let trend: Vec<TrendRow> = sqlx::query_as(&format!(
        "SELECT day, score_sum / scores::DOUBLE PRECISION, scores::BIGINT FROM (
             SELECT day, sum(score_sum) AS score_sum, sum(scores) AS scores FROM (
                 SELECT run_day(r.started_at) AS day,
                        COALESCE(sum(e.evolution_score), 0) AS score_sum,
                        count(e.evolution_score) AS scores
                 FROM agent_runs r CROSS JOIN LATERAL ({EVALUATION_OF_RUN}) e
                 WHERE {raw} GROUP BY day
                 UNION ALL
                 SELECT d.day, d.score_sum, d.scores FROM score_days d
                 WHERE {rolled} AND d.component = 'evolution'
             ) AS parts GROUP BY day
         ) AS days WHERE scores > 0 ORDER BY day"
    ))
    .bind(window.since)
    .bind(repository)
    .bind(window.raw_until)
    .bind(window.rolled_from)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("average the scores by day"))?;

    let components: Vec<ComponentRow> = sqlx::query_as(&format!(
        "SELECT component,
                CASE WHEN sum(scores) > 0
                     THEN sum(score_sum) / sum(scores)::DOUBLE PRECISION END,
                sum(measured)::BIGINT, sum(estimated)::BIGINT, sum(unavailable)::BIGINT
         FROM (
             SELECT c.component, COALESCE(sum(c.score), 0) AS score_sum,
                    count(c.score) AS scores,
                    count(*) FILTER (WHERE c.method = 'measured') AS measured,
                    count(*) FILTER (WHERE c.method = 'estimated') AS estimated,
                    count(*) FILTER (WHERE c.method = 'unavailable') AS unavailable
             FROM agent_runs r CROSS JOIN LATERAL ({EVALUATION_OF_RUN}) e
             CROSS JOIN LATERAL (VALUES
                 ('code_quality', e.code_quality_score, e.code_quality_method),
                 ('test_coverage', e.test_coverage_score, e.test_coverage_method),
                 ('maintainability', e.maintainability_score, e.maintainability_method),
                 ('readability', e.readability_score, e.readability_method)
             ) AS c(component, score, method)
             WHERE {raw} GROUP BY c.component
             UNION ALL
             SELECT d.component, d.score_sum, d.scores, d.measured, d.estimated, d.unavailable
             FROM score_days d WHERE {rolled} AND d.component <> 'evolution'
         ) AS parts GROUP BY component"
    ))
    .bind(window.since)
    .bind(repository)
    .bind(window.raw_until)
    .bind(window.rolled_from)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("average the score components"))?;

    let findings: Vec<CategoryRow> = sqlx::query_as(&format!(
        "SELECT category, sum(findings)::BIGINT FROM (
             SELECT COALESCE(f.finding ->> 'category', 'other') AS category,
                    count(*) AS findings
             FROM agent_runs r CROSS JOIN LATERAL ({REVIEW_OF_RUN}) c
             CROSS JOIN LATERAL jsonb_array_elements(c.findings) AS f(finding)
             WHERE {raw} GROUP BY category
             UNION ALL
             SELECT d.category, d.findings FROM finding_days d WHERE {rolled}
         ) AS parts GROUP BY category HAVING sum(findings) > 0
         ORDER BY sum(findings) DESC, category"
    ))
    .bind(window.since)
    .bind(repository)
    .bind(window.raw_until)
    .bind(window.rolled_from)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("count the review findings by category"))?;

    let weeks: Vec<WeekRow> = sqlx::query_as(&format!(
        "SELECT date_trunc('week', day::TIMESTAMP)::DATE AS week, sum(finished)::BIGINT,
                sum(succeeded)::BIGINT
         FROM (
             SELECT run_day(r.started_at) AS day, count(*) AS runs,
                    count(*) FILTER (WHERE r.status NOT IN ('running', 'abandoned', 'skipped'))
                        AS finished,
                    count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded
             FROM agent_runs r WHERE {raw} GROUP BY day
             UNION ALL
             SELECT d.day, d.runs, d.finished, d.succeeded FROM run_days d WHERE {rolled}
         ) AS parts GROUP BY week HAVING sum(runs) > 0 ORDER BY week"
    ))
    .bind(window.since)
    .bind(repository)
    .bind(window.raw_until)
    .bind(window.rolled_from)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("count the successful runs by week"))?;

    Ok(assemble(trend, components, findings, weeks))
}
