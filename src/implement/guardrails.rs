//! Limits a change must respect before it is committed: how many files and lines it touches, and
//! no secrets in what it adds.

use crate::repo::diff::DiffSummary;
use crate::repo_config::Limits;
use crate::secrets::{looks_like_token, Redactor};

/// One line saying which limit the change breaks, or Ok.
pub fn within_limits(summary: &DiffSummary, limits: &Limits) -> Result<(), String> {
    let files = summary.files.len();
    if files > limits.max_files_changed as usize {
        return Err(format!(
            "the change touches {files} files; at most {} may be changed",
            limits.max_files_changed
        ));
    }
    let lines = summary.lines_added + summary.lines_removed;
    if lines > u64::from(limits.max_lines_changed) {
        return Err(format!(
            "the change adds and removes {lines} lines; at most {} may change",
            limits.max_lines_changed
        ));
    }
    Ok(())
}

/// Refuses added lines holding a token-shaped string or one of the process's secrets (plain,
/// base64 or hex).
pub fn free_of_secrets(summary: &DiffSummary, redactor: &Redactor) -> Result<(), String> {
    text_free_of_secrets(&summary.added_text, redactor).map_err(|number| {
        format!(
            "added line {number} of the diff looks like a secret (an API key or token); secrets are never committed"
        )
    })
}

/// The first line (1-based) of `text` holding a secret, as the error.
pub fn text_free_of_secrets(text: &str, redactor: &Redactor) -> Result<(), usize> {
    match text
        .lines()
        .position(|line| looks_like_token(line) || redactor.redact(line) != line)
    {
        Some(index) => Err(index + 1),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::FileChange;

    fn summary(files: usize, added: u64, text: &str) -> DiffSummary {
        DiffSummary {
            files: (0..files)
                .map(|i| FileChange {
                    path: format!("f{i}"),
                    added,
                    removed: 0,
                })
                .collect(),
            lines_added: added * files as u64,
            lines_removed: 0,
            added_text: text.to_owned(),
        }
    }

    #[test]
    fn caps_files_and_lines() {
        let limits = Limits {
            max_files_changed: 2,
            max_lines_changed: 10,
            ..Limits::default()
        };
        assert!(within_limits(&summary(2, 5, ""), &limits).is_ok());
        assert!(within_limits(&summary(3, 1, ""), &limits)
            .unwrap_err()
            .contains("3 files"));
        assert!(within_limits(&summary(1, 11, ""), &limits)
            .unwrap_err()
            .contains("11 lines"));
    }

    #[test]
    fn finds_token_shapes_and_known_secrets() {
        let redactor = Redactor::new(vec!["my-db-password-123".to_owned()]);
        let token = format!("let t = \"ghp_{}\";\n", "a".repeat(36));
        assert!(free_of_secrets(&summary(1, 1, &token), &redactor).is_err());
        assert!(free_of_secrets(&summary(1, 1, "pw = my-db-password-123\n"), &redactor).is_err());
        assert!(free_of_secrets(&summary(1, 1, "fn main() {}\n"), &redactor).is_ok());
    }
}
