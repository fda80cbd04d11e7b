//! Notifications sent once (`notifications_sent`): the first to claim one sends it. Compiled
//! once per backend.

use super::dialect::Pool;
use crate::store::StoreError;

/// Claims the notification (`kind`, `key`) for the caller: true when nobody had.
pub async fn claim(pool: &Pool, kind: &str, key: &str) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO notifications_sent (kind, key, sent_at) VALUES ($1, $2, $3)
         ON CONFLICT (kind, key) DO NOTHING",
    )
    .bind(kind)
    .bind(key)
    .bind(super::dialect::time(crate::store::clock::now()))
    .execute(pool)
    .await
    .map_err(StoreError::query(format!(
        "claim the {kind} notification {key}"
    )))?;
    Ok(done.rows_affected() == 1)
}

/// Gives a claimed notification back (it could not be delivered), so a later sender tries again.
pub async fn release(pool: &Pool, kind: &str, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM notifications_sent WHERE kind = $1 AND key = $2")
        .bind(kind)
        .bind(key)
        .execute(pool)
        .await
        .map_err(StoreError::query(format!(
            "release the {kind} notification {key}"
        )))?;
    Ok(())
}
