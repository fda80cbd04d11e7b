//! flake8 on Python, in a repository that configures flake8 (`.flake8`, `[flake8]` in
//! `setup.cfg` or `tox.ini`) and no ruff for the file: each side of each changed file is fed on
//! stdin under the file's own path (`--stdin-display-name`), run in the clone, so the
//! repository's flake8 configuration (its selection, ignores, line length, excludes) counts both
//! sides by the same rules. flake8 only reads the files; nothing in the clone runs.

use std::path::Path;
use std::time::Instant;

use super::{Change, Sides};
use crate::lint::spawn::{self as command, run};
use crate::repo::change::ChangedFile;
use crate::runner::Request;

/// Whether flake8 judges `path`: the repository configures flake8, and no ruff configuration
/// governs the file.
pub fn applies(clone: &Path, path: &str) -> bool {
    crate::lint::flake8::config(clone).is_some() && !super::ruff::configured(clone, path)
}

pub fn lint(change: &Change, files: &[&ChangedFile], deadline: Instant) -> Result<Sides, String> {
    if !command::succeeds(Path::new("flake8"), &["--version"], change.clone) {
        return Err("flake8 is not installed".to_owned());
    }
    let mut sides = Sides::default();
    for file in files {
        if let Some(text) = &file.before {
            let n = lint_text(change.clone, &file.path, text, deadline)?;
            sides.before.insert(file.path.clone(), n);
        }
        if let Some(text) = &file.after {
            let n = lint_text(change.clone, &file.path, text, deadline)?;
            sides.after.insert(file.path.clone(), n);
        }
    }
    Ok(sides)
}

/// flake8's findings on `text` as if it were the file at `path` in the clone.
fn lint_text(clone: &Path, path: &str, text: &str, deadline: Instant) -> Result<u32, String> {
    let flake8 =
        Request::new("flake8", clone).args(["--exit-zero", "--stdin-display-name", path, "-"]);
    let ran = run(flake8, Some(text), deadline, "flake8")?;
    if !ran.success {
        return Err(format!("flake8 failed on {path}: {}", ran.stderr_tail()));
    }
    Ok(count(&ran.stdout, path))
}

/// The `path:row:col: CODE message` lines of flake8's report on `path`.
fn count(report: &str, path: &str) -> u32 {
    let prefix = format!("{path}:");
    let n = report.lines().filter(|l| l.starts_with(&prefix)).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flake8_judges_only_where_it_is_configured_and_ruff_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let clone = dir.path();
        assert!(!applies(clone, "pkg/a.py"));
        assert!(super::super::ruff::applies(clone, "pkg/a.py"));
        std::fs::write(clone.join("setup.cfg"), "[flake8]\nmax-line-length = 100\n").unwrap();
        assert!(applies(clone, "pkg/a.py"));
        assert!(!super::super::ruff::applies(clone, "pkg/a.py"));
        std::fs::write(clone.join("ruff.toml"), "").unwrap();
        assert!(!applies(clone, "pkg/a.py"));
        assert!(super::super::ruff::applies(clone, "pkg/a.py"));
    }

    #[test]
    fn counts_the_files_lines() {
        let report = "pkg/a.py:1:1: F401 'os' imported but unused\npkg/a.py:9:1: E302 expected 2 blank lines, found 1\n";
        assert_eq!(count(report, "pkg/a.py"), 2);
        assert_eq!(count(report, "pkg/b.py"), 0);
        assert_eq!(count("", "pkg/a.py"), 0);
    }
}
