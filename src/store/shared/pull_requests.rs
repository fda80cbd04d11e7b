//! Pull request rows: one per (repository, branch), local numbering per repository. Compiled
//! once per backend; `super::dialect` supplies what differs.

use super::dialect::{self, Conn, Pool};
use crate::store::clock;
use crate::store::rows::PULL_REQUEST_COLUMNS;
use crate::store::summary::{merge_pull_request, needs_local_number, PrWriter};
use crate::store::{PullRequestRow, StoreError};

/// Writes `pr` over the row of its (repository, branch) inside the caller's transaction and
/// returns the stored row. Writers of one repository are serialised (see
/// [`dialect::lock_pull_request_numbers`]), so two new local PRs never draw the same number.
pub async fn upsert(
    conn: &mut Conn,
    pr: &PullRequestRow,
    writer: PrWriter,
) -> Result<PullRequestRow, StoreError> {
    let action = || format!("record the pull request of {} {}", pr.repository, pr.branch);
    dialect::lock_pull_request_numbers(&mut *conn, &pr.repository, action()).await?;
    let existing = select_for_branch(&mut *conn, &pr.repository, &pr.branch).await?;
    let mut row = merge_pull_request(existing.as_ref(), pr, writer);
    row.created_at = clock::truncate(row.created_at);
    if needs_local_number(&row) {
        let next: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM pull_requests WHERE repository = $1",
        )
        .bind(&row.repository)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query(action()))?;
        row.number = Some(next);
    }
    match existing {
        Some(old) if old == row => {
            link(conn, pr).await?;
            return Ok(old);
        }
        Some(_) => {
            row.updated_at = clock::now();
            sqlx::query(
                "UPDATE pull_requests SET run_id = $3, forge = $4, number = $5, url = $6,
                     title = $7, state = $8, merged = $9, head_commit = $10, updated_at = $11
                 WHERE repository = $1 AND branch = $2",
            )
            .bind(&row.repository)
            .bind(&row.branch)
            .bind(&row.run_id)
            .bind(&row.forge)
            .bind(row.number)
            .bind(&row.url)
            .bind(&row.title)
            .bind(&row.state)
            .bind(row.merged)
            .bind(&row.head_commit)
            .bind(dialect::time(row.updated_at))
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(action()))?;
        }
        None => {
            row.updated_at = row.created_at;
            sqlx::query(
                "INSERT INTO pull_requests (run_id, repository, forge, number, url, branch,
                     title, state, merged, head_commit, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&row.run_id)
            .bind(&row.repository)
            .bind(&row.forge)
            .bind(row.number)
            .bind(&row.url)
            .bind(&row.branch)
            .bind(&row.title)
            .bind(&row.state)
            .bind(row.merged)
            .bind(&row.head_commit)
            .bind(dialect::time(row.created_at))
            .bind(dialect::time(row.updated_at))
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(action()))?;
        }
    }
    link(conn, pr).await?;
    Ok(row)
}

/// Remembers the writing run among the PR's runs, even when it changed nothing in the row.
async fn link(conn: &mut Conn, pr: &PullRequestRow) -> Result<(), StoreError> {
    if pr.run_id.is_empty() {
        return Ok(());
    }
    super::changes::link_run(conn, &pr.repository, &pr.branch, &pr.run_id, clock::now()).await
}

async fn select_for_branch(
    conn: &mut Conn,
    repository: &str,
    branch: &str,
) -> Result<Option<PullRequestRow>, StoreError> {
    let record: Option<PullRequestRow> = sqlx::query_as(&format!(
        "SELECT {PULL_REQUEST_COLUMNS} FROM pull_requests WHERE repository = $1 AND branch = $2"
    ))
    .bind(repository)
    .bind(branch)
    .fetch_optional(conn)
    .await
    .map_err(StoreError::query(format!(
        "read the pull request of {repository} {branch}"
    )))?;
    Ok(record)
}

pub async fn for_branch(
    pool: &Pool,
    repository: &str,
    branch: &str,
) -> Result<Option<PullRequestRow>, StoreError> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(StoreError::query("read a pull request"))?;
    select_for_branch(&mut conn, repository, branch).await
}

pub async fn of_repository(
    pool: &Pool,
    repository: &str,
) -> Result<Vec<PullRequestRow>, StoreError> {
    let records: Vec<PullRequestRow> = sqlx::query_as(&format!(
        "SELECT {PULL_REQUEST_COLUMNS} FROM pull_requests WHERE repository = $1
         ORDER BY created_at DESC, id DESC"
    ))
    .bind(repository)
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the pull requests of {repository}"
    )))?;
    Ok(records)
}

pub async fn set_state(
    pool: &Pool,
    repository: &str,
    branch: &str,
    state: &str,
    merged: bool,
) -> Result<bool, StoreError> {
    let done = sqlx::query(&format!(
        "UPDATE pull_requests SET state = $3, merged = $4, updated_at = $5
         WHERE repository = $1 AND branch = $2 AND (state, merged) {is_distinct_from} ($3, $4)",
        is_distinct_from = dialect::IS_DISTINCT_FROM,
    ))
    .bind(repository)
    .bind(branch)
    .bind(state)
    .bind(merged)
    .bind(dialect::time(clock::now()))
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "set the state of the pull request of {repository} {branch}"
    )))?;
    Ok(done.rows_affected() > 0)
}
