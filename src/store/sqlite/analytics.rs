//! The dashboard's aggregates on SQLite (`Store::analytics`). Timestamps
//! are fixed-width UTC text, so the window is a text comparison and days come from `date()`.

use sqlx::SqlitePool;

use crate::store::analytics::{assemble, CategoryRow, ComponentRow, TrendRow, WeekRow};
use crate::store::clock;
use crate::store::{Analytics, AnalyticsQuery, StoreError};

/// The runs every aggregate covers: started since ?1, of repository ?2 when it is not NULL.
/// Two spellings rather than `(?2 IS NULL OR r.repository = ?2)`, which no index serves: one
/// repository's aggregates read its (repository, started_at) index range.
fn selected_runs(repository: Option<&str>) -> &'static str {
    match repository {
        None => "r.started_at >= ?1 AND ?2 IS NULL",
        Some(_) => "r.started_at >= ?1 AND r.repository = ?2",
    }
}

pub async fn analytics(pool: &SqlitePool, query: &AnalyticsQuery) -> Result<Analytics, StoreError> {
    let since = clock::sqlite_text(query.since);
    let repository = query.repository.as_deref();
    let selected = selected_runs(repository);

    let trend: Vec<TrendRow> = sqlx::query_as(&format!(
        "SELECT date(r.started_at) AS day, avg(e.evolution_score), count(*)
         FROM agent_runs r JOIN evaluations e ON e.run_id = r.run_id
         WHERE {selected} AND e.evolution_score IS NOT NULL
         GROUP BY day ORDER BY day"
    ))
    .bind(&since)
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("average the scores by day"))?;

    // One row per component even when no run was evaluated: aggregates without GROUP BY
    // always answer. The window's evaluations are read once (a materialized CTE) and
    // aggregated four times, rather than joined four times.
    let component = |position: u8, name: &str| {
        format!(
            "SELECT {position} AS position, '{name}' AS component,
                    avg({name}_score) AS average,
                    count(*) FILTER (WHERE {name}_method = 'measured') AS measured,
                    count(*) FILTER (WHERE {name}_method = 'estimated') AS estimated,
                    count(*) FILTER (WHERE {name}_method = 'unavailable') AS unavailable
             FROM window_evaluations"
        )
    };
    let components_sql = format!(
        "WITH window_evaluations AS MATERIALIZED (
             SELECT e.code_quality_score, e.code_quality_method, e.test_coverage_score,
                    e.test_coverage_method, e.maintainability_score, e.maintainability_method,
                    e.readability_score, e.readability_method
             FROM agent_runs r JOIN evaluations e ON e.run_id = r.run_id
             WHERE {selected}
         )
         SELECT component, average, measured, estimated, unavailable FROM (
             {} UNION ALL {} UNION ALL {} UNION ALL {}
         ) ORDER BY position",
        component(1, "code_quality"),
        component(2, "test_coverage"),
        component(3, "maintainability"),
        component(4, "readability"),
    );
    let components: Vec<ComponentRow> = sqlx::query_as(&components_sql)
        .bind(&since)
        .bind(repository)
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("average the score components"))?;

    let findings: Vec<CategoryRow> = sqlx::query_as(&format!(
        "SELECT COALESCE(json_extract(f.value, '$.category'), 'other') AS category, count(*)
         FROM agent_runs r JOIN code_reviews c ON c.run_id = r.run_id, json_each(c.findings) AS f
         WHERE {selected}
         GROUP BY category ORDER BY count(*) DESC, category"
    ))
    .bind(&since)
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("count the review findings by category"))?;

    // `weekday 0` moves to the coming Sunday (or stays on one); six days back is its Monday.
    let weeks: Vec<WeekRow> = sqlx::query_as(&format!(
        "SELECT date(r.started_at, 'weekday 0', '-6 days') AS week,
                count(*) FILTER (WHERE r.status NOT IN ('running', 'abandoned', 'skipped')),
                count(*) FILTER (WHERE r.status = 'succeeded')
         FROM agent_runs r
         WHERE {selected}
         GROUP BY week ORDER BY week"
    ))
    .bind(&since)
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("count the successful runs by week"))?;

    Ok(assemble(trend, components, findings, weeks))
}
