//! Rows written under a repository's older spellings (before one identity per repository) are
//! moved to its identity when the store opens: runs, pull requests with their reviews and run
//! links, learnings with their uses, and failed tasks. Idempotent: a second pass finds nothing to
//! move. Each spelling moves in one write transaction. Where the identity already holds a row on
//! the same unique key, the two become one: the identity's pull request keeps its row and gains
//! the other's runs and reviews; a learning gains the other's weight and uses; of two failures
//! of one task the later stays. A local pull request whose number the identity already uses gets
//! the next free number. Names that cannot be known from their text (a relative path) stay.
//! Compiled once per backend.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::dialect::{self, Conn, Pool};
use crate::repo::stored_identity::rewritten;
use crate::store::StoreError;

/// Every table keyed by repository.
const TABLES: [&str; 5] = [
    "agent_runs",
    "pull_requests",
    "learnings",
    "task_failures",
    "pull_request_reviews",
];

/// Moves every old spelling's rows to its identity; returns (old, new) per spelling moved.
pub async fn rewrite(pool: &Pool) -> Result<Vec<(String, String)>, StoreError> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    for table in TABLES {
        let found: Vec<String> =
            sqlx::query_scalar(&format!("SELECT DISTINCT repository FROM {table}"))
                .fetch_all(pool)
                .await
                .map_err(StoreError::query(format!(
                    "list the repositories of {table}"
                )))?;
        names.extend(found);
    }
    let on_github: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT repository FROM pull_requests WHERE forge = 'github'")
            .fetch_all(pool)
            .await
            .map_err(StoreError::query("list the repositories on GitHub"))?;
    let mut moved = Vec::new();
    for stored in names {
        let Some(identity) = rewritten(&stored, on_github.contains(&stored)) else {
            continue;
        };
        let action = format!("move the rows of {stored} to {identity}");
        let mut tx = dialect::begin_write(pool, &action).await?;
        move_rows(&mut tx, &stored, &identity).await?;
        tx.commit()
            .await
            .map_err(StoreError::query(format!("commit: {action}")))?;
        tracing::info!("the rows of {stored} are now under its identity {identity}");
        moved.push((stored, identity));
    }
    Ok(moved)
}

async fn move_rows(conn: &mut Conn, from: &str, to: &str) -> Result<(), StoreError> {
    let failed = |what: &str| StoreError::query(format!("move the {what} of {from} to {to}"));
    sqlx::query("UPDATE agent_runs SET repository = $2 WHERE repository = $1")
        .bind(from)
        .bind(to)
        .execute(&mut *conn)
        .await
        .map_err(failed("runs"))?;
    move_failures(conn, from, to).await?;
    move_learnings(conn, from, to).await?;
    move_pull_requests(conn, from, to).await
}

/// Of two failures of one task, the later stays.
async fn move_failures(conn: &mut Conn, from: &str, to: &str) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM task_failures WHERE repository = $1 AND EXISTS (
             SELECT 1 FROM task_failures t WHERE t.repository = $2
               AND t.fingerprint = task_failures.fingerprint
               AND t.failed_at >= task_failures.failed_at)",
        "DELETE FROM task_failures WHERE repository = $2 AND EXISTS (
             SELECT 1 FROM task_failures t WHERE t.repository = $1
               AND t.fingerprint = task_failures.fingerprint)",
        "UPDATE task_failures SET repository = $2 WHERE repository = $1",
    ] {
        sqlx::query(sql)
            .bind(from)
            .bind(to)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query(format!(
                "move the failed tasks of {from} to {to}"
            )))?;
    }
    Ok(())
}

/// A learning the identity already has gains the other's weight and uses.
async fn move_learnings(conn: &mut Conn, from: &str, to: &str) -> Result<(), StoreError> {
    let failed =
        |what: &str| StoreError::query(format!("move the learnings of {from} to {to}: {what}"));
    let twins: Vec<(i64, i64, f64, i64)> = sqlx::query_as(
        "SELECT o.id, c.id, o.weight, o.uses FROM learnings o
         JOIN learnings c ON c.repository = $2 AND c.kind = o.kind AND c.normalized = o.normalized
         WHERE o.repository = $1",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
    .map_err(failed("find the learnings both have"))?;
    for (old, kept, weight, uses) in twins {
        sqlx::query("UPDATE learnings SET weight = weight + $2, uses = uses + $3 WHERE id = $1")
            .bind(kept)
            .bind(weight)
            .bind(uses)
            .execute(&mut *conn)
            .await
            .map_err(failed("merge a learning"))?;
        sqlx::query(
            "INSERT INTO learning_uses (run_id, learning_id)
             SELECT run_id, $2 FROM learning_uses WHERE learning_id = $1
             ON CONFLICT DO NOTHING",
        )
        .bind(old)
        .bind(kept)
        .execute(&mut *conn)
        .await
        .map_err(failed("move a learning's uses"))?;
        sqlx::query("DELETE FROM learnings WHERE id = $1")
            .bind(old)
            .execute(&mut *conn)
            .await
            .map_err(failed("drop a merged learning"))?;
    }
    sqlx::query("UPDATE learnings SET repository = $2 WHERE repository = $1")
        .bind(from)
        .bind(to)
        .execute(&mut *conn)
        .await
        .map_err(failed("rename"))?;
    Ok(())
}

/// One review of a pull request, held while its pull request moves (the reviews' foreign key
/// names the repository, and does not follow an update).
type ReviewRow = (i64, String, DateTime<Utc>);

async fn move_pull_requests(conn: &mut Conn, from: &str, to: &str) -> Result<(), StoreError> {
    let failed =
        |what: &str| StoreError::query(format!("move the pull requests of {from} to {to}: {what}"));
    let old: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, branch, number FROM pull_requests WHERE repository = $1 ORDER BY id",
    )
    .bind(from)
    .fetch_all(&mut *conn)
    .await
    .map_err(failed("read them"))?;
    for (id, branch, number) in old {
        let twin: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM pull_requests WHERE repository = $1 AND branch = $2",
        )
        .bind(to)
        .bind(&branch)
        .fetch_optional(&mut *conn)
        .await
        .map_err(failed("find the identity's pull request"))?;
        if let Some(kept) = twin {
            sqlx::query(
                "INSERT INTO pull_request_runs (pull_request_id, run_id, recorded_at)
                 SELECT $2, run_id, recorded_at FROM pull_request_runs WHERE pull_request_id = $1
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(kept)
            .execute(&mut *conn)
            .await
            .map_err(failed("move a pull request's runs"))?;
            sqlx::query(
                "INSERT INTO pull_request_reviews (repository, branch, review_id, reviewer, applied_at)
                 SELECT $2, branch, review_id, reviewer, applied_at FROM pull_request_reviews
                 WHERE repository = $1 AND branch = $3
                 ON CONFLICT DO NOTHING",
            )
            .bind(from)
            .bind(to)
            .bind(&branch)
            .execute(&mut *conn)
            .await
            .map_err(failed("move a pull request's reviews"))?;
            sqlx::query("DELETE FROM pull_requests WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(failed("drop a merged pull request"))?;
            continue;
        }
        let number = match number {
            Some(n) if taken(conn, to, n).await? => {
                let next: i64 = sqlx::query_scalar(
                    "SELECT COALESCE(max(number), 0) + 1 FROM pull_requests
                     WHERE repository = $1 OR repository = $2",
                )
                .bind(from)
                .bind(to)
                .fetch_one(&mut *conn)
                .await
                .map_err(failed("number a pull request"))?;
                tracing::warn!(
                    "pull request #{n} of {from} ({branch}) is #{next} under {to}: the number was taken"
                );
                Some(next)
            }
            other => other,
        };
        let reviews: Vec<ReviewRow> = sqlx::query_as(
            "SELECT review_id, reviewer, applied_at FROM pull_request_reviews
             WHERE repository = $1 AND branch = $2",
        )
        .bind(from)
        .bind(&branch)
        .fetch_all(&mut *conn)
        .await
        .map_err(failed("read a pull request's reviews"))?;
        sqlx::query("DELETE FROM pull_request_reviews WHERE repository = $1 AND branch = $2")
            .bind(from)
            .bind(&branch)
            .execute(&mut *conn)
            .await
            .map_err(failed("lift a pull request's reviews"))?;
        sqlx::query("UPDATE pull_requests SET repository = $2, number = $3 WHERE id = $1")
            .bind(id)
            .bind(to)
            .bind(number)
            .execute(&mut *conn)
            .await
            .map_err(failed("rename a pull request"))?;
        for (review_id, reviewer, applied_at) in reviews {
            sqlx::query(
                "INSERT INTO pull_request_reviews (repository, branch, review_id, reviewer, applied_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(to)
            .bind(&branch)
            .bind(review_id)
            .bind(reviewer)
            .bind(dialect::time(applied_at))
            .execute(&mut *conn)
            .await
            .map_err(failed("put a pull request's reviews back"))?;
        }
    }
    Ok(())
}

/// Whether `repository` has a pull request numbered `number`.
async fn taken(conn: &mut Conn, repository: &str, number: i64) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM pull_requests WHERE repository = $1 AND number = $2")
            .bind(repository)
            .bind(number)
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::query(format!(
                "look for pull request #{number} of {repository}"
            )))?;
    Ok(found.is_some())
}
