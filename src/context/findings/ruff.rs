//! Python linter findings from ruff, where it is installed: `ruff check` with the repository's
//! own configuration, read from its JSON report. A finding is fixable when ruff has a safe fix
//! for it, the kind `ruff check --fix` (the offline fixer) applies on its own.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::artifacts::{Finding, FindingKind};
use crate::runner::Request;

/// Findings of `ruff check` on the repository at `root`; none when ruff is missing, fails or
/// runs out of time (logged).
pub async fn findings(root: &Path, timeout: Duration) -> Vec<Finding> {
    // --no-cache: ruff would otherwise leave a .ruff_cache in the clone, a change nobody made.
    let request = Request::new("ruff", root)
        .args([
            "check",
            "--output-format",
            "json",
            "--exit-zero",
            "--no-cache",
            ".",
        ])
        .timeout(timeout);
    let Some(output) = super::run::output(request, "ruff").await else {
        return Vec::new();
    };
    if !output.success() {
        tracing::warn!(
            "ruff check failed; its findings are left out: {}",
            output.stderr.trim()
        );
        return Vec::new();
    }
    match parse(output.stdout.as_bytes(), root) {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!("ruff's report could not be read; its findings are left out: {e}");
            Vec::new()
        }
    }
}

#[derive(Deserialize)]
struct Diagnostic {
    code: Option<String>,
    message: String,
    filename: String,
    location: Option<Location>,
    fix: Option<Fix>,
}

#[derive(Deserialize)]
struct Location {
    row: u32,
}

#[derive(Deserialize)]
struct Fix {
    applicability: String,
}

/// Findings from ruff's JSON report, with paths made relative to `root`; a file outside the
/// repository (ruff names files by absolute path) is left out.
pub fn parse(report: &[u8], root: &Path) -> Result<Vec<Finding>, serde_json::Error> {
    let diagnostics: Vec<Diagnostic> = serde_json::from_slice(report)?;
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    Ok(diagnostics
        .into_iter()
        .filter_map(|d| {
            let file = Path::new(&d.filename);
            let relative = file
                .strip_prefix(&canonical_root)
                .or_else(|_| file.strip_prefix(root))
                .ok()?;
            let message = match &d.code {
                Some(code) => format!("{code}: {}", d.message),
                None => d.message.clone(),
            };
            Some(Finding {
                kind: FindingKind::Lint,
                path: relative.to_string_lossy().into_owned(),
                line: d.location.map(|l| l.row),
                message,
                tool: "ruff".to_owned(),
                fixable: d.fix.is_some_and(|f| f.applicability == "safe"),
                score: None,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_report_and_marks_safe_fixes() {
        let report = br#"[
          {"cell": null, "code": "F401", "filename": "/repo/pkg/a.py",
           "fix": {"applicability": "safe", "edits": [], "message": "Remove unused import: `os`"},
           "location": {"column": 8, "row": 1}, "end_location": {"column": 10, "row": 1},
           "message": "`os` imported but unused", "name": "unused-import", "noqa_row": 1,
           "severity": "error", "url": "https://docs.astral.sh/ruff/rules/unused-import"},
          {"code": "F841", "filename": "/repo/b.py",
           "fix": {"applicability": "unsafe", "edits": [], "message": "Remove assignment"},
           "location": {"column": 5, "row": 7}, "message": "Local variable `x` is assigned to but never used"},
          {"code": "E999", "filename": "/elsewhere/c.py", "fix": null,
           "location": {"column": 1, "row": 1}, "message": "SyntaxError"}
        ]"#;
        let found = parse(report, Path::new("/repo")).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].path, "pkg/a.py");
        assert_eq!(found[0].line, Some(1));
        assert_eq!(found[0].message, "F401: `os` imported but unused");
        assert!(found[0].fixable);
        assert_eq!(found[1].path, "b.py");
        assert!(!found[1].fixable, "an unsafe fix is not applied by --fix");
    }

    #[test]
    fn a_report_that_is_not_json_is_an_error() {
        assert!(parse(b"error: something", Path::new("/repo")).is_err());
    }
}
