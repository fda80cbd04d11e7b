//! The change a run made, as the store keeps it: the unified diff (redacted, capped at
//! [`MAX_DIFF_BYTES`], deflate-compressed in the row) and the commits, so the run page and
//! `automaintainer show` work after the run directory is gone. Also the runs that created or
//! updated a pull request.

use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::StoreError;

/// The most diff text kept per run, before compression.
pub const MAX_DIFF_BYTES: usize = 512 * 1024;

/// The most diff text read back (a row written by anyone else is not trusted to be small).
const MAX_INFLATED_BYTES: u64 = 4 * MAX_DIFF_BYTES as u64;

/// What a run changed: its commits on top of the base and their unified diff.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RunChange {
    pub base_commit: String,
    pub head_commit: String,
    /// The unified diff (`git diff base..head`), cut at a line end when it was larger than
    /// [`MAX_DIFF_BYTES`].
    pub diff: String,
    /// The whole diff's size in bytes, before the cap.
    pub diff_bytes: u64,
    /// Whether `diff` is shorter than the whole diff.
    pub truncated: bool,
    /// Oldest first.
    pub commits: Vec<ChangeCommit>,
}

/// One commit of a run's change.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ChangeCommit {
    pub sha: String,
    /// The first line of the message.
    pub summary: String,
    /// The rest of the message, trimmed.
    pub body: String,
    pub author: String,
}

impl RunChange {
    /// A change holding `diff`, cut at the last line end within [`MAX_DIFF_BYTES`] when larger.
    pub fn capped(
        base_commit: String,
        head_commit: String,
        diff: String,
        commits: Vec<ChangeCommit>,
    ) -> Self {
        let diff_bytes = diff.len() as u64;
        let (diff, truncated) = cap(diff, MAX_DIFF_BYTES);
        Self {
            base_commit,
            head_commit,
            diff,
            diff_bytes,
            truncated,
            commits,
        }
    }
}

/// `text` cut to at most `max` bytes at a line end (or a character boundary when one line is
/// longer), and whether it was cut.
pub(crate) fn cap(mut text: String, max: usize) -> (String, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').map_or(end, |newline| newline + 1);
    text.truncate(end);
    (text, true)
}

/// A run that created or updated a pull request.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PullRequestRun {
    pub run_id: String,
    pub recorded_at: DateTime<Utc>,
    /// The run's status now (`succeeded`, `failed`, ...), when the run is in the store.
    pub status: Option<String>,
}

/// The diff as stored: deflated.
pub(crate) fn deflate(text: &str) -> Result<Vec<u8>, StoreError> {
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(text.as_bytes())
        .and_then(|()| encoder.finish())
        .map_err(|e| StoreError::Invalid(format!("compress the diff: {e}")))
}

/// The diff text from its stored bytes, refusing more than a bounded size.
pub(crate) fn inflate(bytes: &[u8]) -> Result<String, StoreError> {
    let mut text = String::new();
    flate2::read::DeflateDecoder::new(bytes)
        .take(MAX_INFLATED_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| StoreError::Corrupt(format!("the stored diff does not decompress: {e}")))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_round_trips_compressed() {
        let diff = "diff --git a/x b/x\n+fn main() {}\n".repeat(200);
        let stored = deflate(&diff).unwrap();
        assert!(stored.len() < diff.len() / 10, "{} bytes", stored.len());
        assert_eq!(inflate(&stored).unwrap(), diff);
        assert!(inflate(b"not deflate at all").is_err());
    }

    #[test]
    fn a_large_diff_is_cut_at_a_line_end() {
        let line = "+".to_owned() + &"x".repeat(99) + "\n";
        let diff = line.repeat(MAX_DIFF_BYTES / 100 + 10);
        let change = RunChange::capped("a".into(), "b".into(), diff.clone(), Vec::new());
        assert!(change.truncated);
        assert_eq!(change.diff_bytes, diff.len() as u64);
        assert!(change.diff.len() <= MAX_DIFF_BYTES);
        assert!(change.diff.ends_with('\n'));
        let small = RunChange::capped("a".into(), "b".into(), line.clone(), Vec::new());
        assert!(!small.truncated);
        assert_eq!(small.diff, line);
        // One long line of multi-byte characters is cut on a character boundary.
        let (cut, truncated) = cap("é".repeat(10), 5);
        assert!(truncated);
        assert_eq!(cut, "éé");
    }
}
