//! The dashboard's aggregates on SQLite (`Store::analytics`): whole days summed from the daily
//! rollups (run_days, score_days, finding_days), the window's first, partial day read from its
//! runs (see [`Window`]). Timestamps are fixed-width UTC text, so the partial day is a text range
//! and days come from `date()`.

use sqlx::SqlitePool;

use crate::store::analytics::{assemble, CategoryRow, ComponentRow, TrendRow, WeekRow, Window};
use crate::store::clock;
use crate::store::{Analytics, AnalyticsQuery, StoreError};

/// The runs of the partial day: started in [?1, ?3), of repository ?2 when it is not NULL.
/// Two spellings rather than `(?2 IS NULL OR r.repository = ?2)`, which no index serves: one
/// repository's aggregates read its (repository, started_at) index range.
fn raw_runs(repository: Option<&str>) -> &'static str {
    match repository {
        None => "r.started_at >= ?1 AND r.started_at < ?3 AND ?2 IS NULL",
        Some(_) => "r.started_at >= ?1 AND r.started_at < ?3 AND r.repository = ?2",
    }
}

/// The rollup rows of the whole days from day ?4 on: the fleet's (repository '') when ?2 is
/// NULL, else repository ?2's.
fn rolled_days(repository: Option<&str>) -> &'static str {
    match repository {
        None => "d.day >= ?4 AND d.repository = '' AND ?2 IS NULL",
        Some(_) => "d.day >= ?4 AND d.repository = ?2 AND d.repository <> ''",
    }
}

pub async fn analytics(pool: &SqlitePool, query: &AnalyticsQuery) -> Result<Analytics, StoreError> {
    let window = Window::of(query.since);
    let since = clock::sqlite_text(window.since);
    let raw_until = clock::sqlite_text(window.raw_until);
    let rolled_from = window.rolled_from.format("%Y-%m-%d").to_string();
    let repository = query.repository.as_deref();
    let raw = raw_runs(repository);
    let rolled = rolled_days(repository);

    let trend: Vec<TrendRow> = sqlx::query_as(&format!(
        "SELECT day, score_sum / scores, scores FROM (
             SELECT day, sum(score_sum) AS score_sum, sum(scores) AS scores FROM (
                 SELECT date(r.started_at) AS day, total(e.evolution_score) AS score_sum,
                        count(e.evolution_score) AS scores
                 FROM agent_runs r JOIN evaluations e ON e.run_id = r.run_id
                 WHERE {raw} GROUP BY day
                 UNION ALL
                 SELECT d.day, d.score_sum, d.scores FROM score_days d
                 WHERE {rolled} AND d.component = 'evolution'
             ) GROUP BY day
         ) WHERE scores > 0 ORDER BY day"
    ))
    .bind(&since)
    .bind(repository)
    .bind(&raw_until)
    .bind(&rolled_from)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("average the scores by day"))?;

    // The partial day's evaluations are read once (a materialized CTE) and summed per
    // component; every component has a row from it (aggregates without GROUP BY always
    // answer), to which the whole days' rows add.
    let component = |name: &str| {
        format!(
            "SELECT '{name}' AS component, total({name}_score) AS score_sum,
                    count({name}_score) AS scores,
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
             WHERE {raw}
         )
         SELECT component, CASE WHEN sum(scores) > 0 THEN sum(score_sum) / sum(scores) END,
                sum(measured), sum(estimated), sum(unavailable)
         FROM (
             {} UNION ALL {} UNION ALL {} UNION ALL {}
             UNION ALL
             SELECT d.component, d.score_sum, d.scores, d.measured, d.estimated, d.unavailable
             FROM score_days d WHERE {rolled} AND d.component <> 'evolution'
         ) GROUP BY component",
        component("code_quality"),
        component("test_coverage"),
        component("maintainability"),
        component("readability"),
    );
    let components: Vec<ComponentRow> = sqlx::query_as(&components_sql)
        .bind(&since)
        .bind(repository)
        .bind(&raw_until)
        .bind(&rolled_from)
        .fetch_all(pool)
        .await
        .map_err(StoreError::query("average the score components"))?;

    let findings: Vec<CategoryRow> = sqlx::query_as(&format!(
        "SELECT category, sum(findings) FROM (
             SELECT COALESCE(json_extract(f.value, '$.category'), 'other') AS category,
                    count(*) AS findings
             FROM agent_runs r JOIN code_reviews c ON c.run_id = r.run_id,
                  json_each(c.findings) AS f
             WHERE {raw} GROUP BY category
             UNION ALL
             SELECT d.category, d.findings FROM finding_days d WHERE {rolled}
         ) GROUP BY category HAVING sum(findings) > 0
         ORDER BY sum(findings) DESC, category"
    ))
    .bind(&since)
    .bind(repository)
    .bind(&raw_until)
    .bind(&rolled_from)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("count the review findings by category"))?;

    // `weekday 0` moves to the coming Sunday (or stays on one); six days back is its Monday.
    let weeks: Vec<WeekRow> = sqlx::query_as(&format!(
        "SELECT date(day, 'weekday 0', '-6 days') AS week, sum(finished), sum(succeeded) FROM (
             SELECT date(r.started_at) AS day, count(*) AS runs,
                    count(*) FILTER (WHERE r.status NOT IN ('running', 'abandoned', 'skipped'))
                        AS finished,
                    count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded
             FROM agent_runs r WHERE {raw} GROUP BY day
             UNION ALL
             SELECT d.day, d.runs, d.finished, d.succeeded FROM run_days d WHERE {rolled}
         ) GROUP BY week HAVING sum(runs) > 0 ORDER BY week"
    ))
    .bind(&since)
    .bind(repository)
    .bind(&raw_until)
    .bind(&rolled_from)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query("count the successful runs by week"))?;

    Ok(assemble(trend, components, findings, weeks))
}
