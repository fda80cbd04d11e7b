//! Model spend per repository and UTC day (`llm_spend`). Compiled once per backend. A call's
//! usage is added in one statement, so concurrent writers (two runs, two processes) each add
//! theirs and none is lost.

use super::dialect::Pool;
use crate::store::spend::{FleetSpend, SpendRow};
use crate::store::StoreError;

/// Adds `spend` to its (repository, day) row, creating the row at the first call of the day.
pub async fn add(pool: &Pool, spend: &SpendRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO llm_spend (repository, day, calls, input_tokens, output_tokens, cost_usd)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (repository, day) DO UPDATE SET
             calls = llm_spend.calls + excluded.calls,
             input_tokens = llm_spend.input_tokens + excluded.input_tokens,
             output_tokens = llm_spend.output_tokens + excluded.output_tokens,
             cost_usd = llm_spend.cost_usd + excluded.cost_usd",
    )
    .bind(&spend.repository)
    .bind(&spend.day)
    .bind(spend.calls)
    .bind(spend.input_tokens)
    .bind(spend.output_tokens)
    .bind(spend.cost_usd)
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "add the model spend of {} on {}",
        spend.repository, spend.day
    )))?;
    Ok(())
}

/// What every repository spent together on `day`.
pub async fn fleet_day(pool: &Pool, day: &str) -> Result<FleetSpend, StoreError> {
    let (calls, input_tokens, output_tokens, cost_usd): (i64, i64, i64, f64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(calls), 0) AS BIGINT),
                CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT),
                CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT),
                COALESCE(SUM(cost_usd), 0.0)
         FROM llm_spend WHERE day = $1",
    )
    .bind(day)
    .fetch_one(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the fleet's model spend on {day}"
    )))?;
    Ok(FleetSpend {
        day: day.to_owned(),
        calls,
        input_tokens,
        output_tokens,
        cost_usd,
    })
}

/// The spend rows from `since` (a `YYYY-MM-DD` day, inclusive) on, newest day first, then by
/// repository.
pub async fn rows(pool: &Pool, since: &str) -> Result<Vec<SpendRow>, StoreError> {
    sqlx::query_as(
        "SELECT repository, day, calls, input_tokens, output_tokens, cost_usd
         FROM llm_spend WHERE day >= $1 ORDER BY day DESC, repository",
    )
    .bind(since)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(
        "read the model spend per repository and day",
    ))
}

/// The repository a registered run works on.
pub async fn repository_of_run(pool: &Pool, run_id: &str) -> Result<Option<String>, StoreError> {
    sqlx::query_scalar("SELECT repository FROM agent_runs WHERE run_id = $1")
        .bind(run_id)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::query(format!(
            "read the repository of run {run_id}"
        )))
}
