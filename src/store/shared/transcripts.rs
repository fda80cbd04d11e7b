//! A run's model conversation (compressed). Compiled once per backend; `super::dialect`
//! supplies what differs.

use super::dialect::{Conn, Pool};
use crate::store::change::{deflate, inflate};
use crate::store::transcript::RunTranscript;
use crate::store::StoreError;

/// Writes the run's transcript over any earlier one, inside the caller's transaction.
pub async fn record(
    conn: &mut Conn,
    run_id: &str,
    transcript: &RunTranscript,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO run_transcripts (run_id, transcript, bytes, truncated)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (run_id) DO UPDATE SET transcript = excluded.transcript,
             bytes = excluded.bytes, truncated = excluded.truncated",
    )
    .bind(run_id)
    .bind(deflate(&transcript.text)?)
    .bind(i64::try_from(transcript.bytes).unwrap_or(i64::MAX))
    .bind(transcript.truncated)
    .execute(conn)
    .await
    .map_err(StoreError::query(format!(
        "record the transcript of run {run_id}"
    )))?;
    Ok(())
}

/// The run's transcript, when one was recorded.
pub async fn of_run(pool: &Pool, run_id: &str) -> Result<Option<RunTranscript>, StoreError> {
    let record: Option<(Vec<u8>, i64, bool)> = sqlx::query_as(
        "SELECT transcript, bytes, truncated FROM run_transcripts WHERE run_id = $1",
    )
    .bind(run_id)
    .fetch_optional(pool)
    .await
    .map_err(StoreError::query(format!(
        "read the transcript of run {run_id}"
    )))?;
    Ok(match record {
        Some((stored, bytes, truncated)) => Some(RunTranscript {
            text: inflate(&stored)?,
            bytes: u64::try_from(bytes).unwrap_or(0),
            truncated,
        }),
        None => None,
    })
}
