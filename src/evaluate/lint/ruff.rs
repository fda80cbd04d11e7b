//! ruff on Python, judged by the repository's own configuration. Each side of each changed file
//! is fed on stdin under the file's own path (`--stdin-filename`), run in the clone, so the
//! configuration nearest above the file (`ruff.toml`, `.ruff.toml`, `[tool.ruff]` in a
//! `pyproject.toml`) decides the rules, its excludes hold (`--force-exclude`), and both sides are
//! counted by the same rules: the counts are what the repository's own `ruff check` would say.
//! A file with no ruff configuration above it in the clone is linted with ruff's defaults, isolated
//! from any configuration outside the repository — unless the repository configures flake8, whose
//! own counts then judge it (`super::flake8`). ruff only reads the files; nothing in the clone
//! runs.

use std::path::Path;
use std::time::Instant;

use super::{Change, Sides};
use crate::lint::spawn::{self as command, run};
use crate::repo::change::ChangedFile;
use crate::runner::Request;

pub const EXTENSIONS: &[&str] = &["py", "pyi"];

const ARGS: &[&str] = &[
    "check",
    "--no-cache",
    "--force-exclude",
    "--output-format",
    "json",
    "--exit-zero",
];

pub fn lint(change: &Change, files: &[&ChangedFile], deadline: Instant) -> Result<Sides, String> {
    if !command::succeeds(Path::new("ruff"), &["--version"], Path::new(".")) {
        return Err("ruff is not installed".to_owned());
    }
    let mut sides = Sides::default();
    for file in files {
        let configured = configured(change.clone, &file.path);
        if let Some(text) = &file.before {
            let n = lint_text(change.clone, &file.path, text, configured, deadline)?;
            sides.before.insert(file.path.clone(), n);
        }
        if let Some(text) = &file.after {
            let n = lint_text(change.clone, &file.path, text, configured, deadline)?;
            sides.after.insert(file.path.clone(), n);
        }
    }
    Ok(sides)
}

/// Whether ruff judges `path`: a ruff configuration governs it, or no flake8 one does.
pub fn applies(clone: &Path, path: &str) -> bool {
    configured(clone, path) || crate::lint::flake8::config(clone).is_none()
}

/// Whether a ruff configuration lies above `path` in the clone, up to the clone's root.
pub fn configured(clone: &Path, path: &str) -> bool {
    let mut current = clone.join(path).parent().map(Path::to_path_buf);
    while let Some(dir) = current {
        if !dir.starts_with(clone) {
            break;
        }
        if crate::lint::ruff::config(&dir).is_some() {
            return true;
        }
        current = dir.parent().map(Path::to_path_buf);
    }
    false
}

/// ruff's findings on `text` as if it were the file at `path` in the clone.
fn lint_text(
    clone: &Path,
    path: &str,
    text: &str,
    configured: bool,
    deadline: Instant,
) -> Result<u32, String> {
    let mut ruff = Request::new("ruff", clone).args(ARGS);
    if !configured {
        ruff = ruff.arg("--isolated");
    }
    let ruff = ruff.args(["--stdin-filename", path, "-"]);
    let ran = run(ruff, Some(text), deadline, "ruff")?;
    if !ran.success {
        return Err(format!("ruff failed on {path}: {}", ran.stderr_tail()));
    }
    count(&ran.stdout).map_err(|e| format!("ruff's report on {path} is unreadable: {e}"))
}

/// The findings in ruff's JSON report (an excluded file gives an empty one).
fn count(report: &str) -> Result<u32, serde_json::Error> {
    let findings: Vec<serde_json::Value> = serde_json::from_str(report)?;
    Ok(u32::try_from(findings.len()).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_above_the_file_is_found_and_none_outside_the_clone() {
        let dir = tempfile::tempdir().unwrap();
        let clone = dir.path().join("clone");
        std::fs::create_dir_all(clone.join("pkg/sub")).unwrap();
        std::fs::write(dir.path().join("ruff.toml"), "").unwrap();
        assert!(!configured(&clone, "pkg/sub/a.py"), "outside the clone");
        std::fs::write(
            clone.join("pkg/pyproject.toml"),
            "[tool.ruff.lint]\nignore = [\"F401\"]\n",
        )
        .unwrap();
        assert!(configured(&clone, "pkg/sub/a.py"));
        assert!(!configured(&clone, "other/a.py"));
    }

    #[test]
    fn counts_the_reports_entries() {
        assert_eq!(count("[]").unwrap(), 0);
        assert_eq!(count(r#"[{"code": "F401"}, {"code": "E711"}]"#).unwrap(), 2);
        assert!(count("error: nope").is_err());
    }
}
