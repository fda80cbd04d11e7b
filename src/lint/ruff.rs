//! ruff, where the repository configures it (`ruff.toml`, `.ruff.toml`, or `[tool.ruff]` in
//! `pyproject.toml`): `ruff check` with that configuration, read from its JSON report. A finding
//! is fixable when ruff has a safe fix for it, the kind `ruff check --fix` applies on its own.
//! The same reader serves the pyflakes-class checks of unconfigured repositories (`super::pyflakes`)
//! and the flake8 repositories' fixes (`super::flake8`).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;

use super::python;
use super::spawn;
use super::tool::{relative, Ctx, Failure, Use};
use crate::artifacts::{Finding, FindingKind};

/// The configuration ruff reads, when the repository has one.
pub fn config(root: &Path) -> Option<String> {
    for name in ["ruff.toml", ".ruff.toml"] {
        if root.join(name).is_file() {
            return Some(name.to_owned());
        }
    }
    python::read(root, "pyproject.toml")
        .lines()
        .any(|l| l.trim_start().starts_with("[tool.ruff"))
        .then(|| "pyproject.toml [tool.ruff]".to_owned())
}

pub fn detect(root: &Path) -> Use {
    match config(root) {
        Some(config) => Use::Used(config),
        None if python::has_python(root) => {
            Use::NotUsed("no ruff configuration (ruff.toml or [tool.ruff])".to_owned())
        }
        None => Use::Absent,
    }
}

/// `ruff check` with `extra` arguments on the repository, as findings named `tool`.
pub async fn check(ctx: &Ctx, extra: &[String], tool: &str) -> Result<Vec<Finding>, Failure> {
    // --no-cache: ruff would otherwise leave a .ruff_cache in the clone, a change nobody made.
    let mut args = spawn::args(&[
        "check",
        "--output-format",
        "json",
        "--exit-zero",
        "--no-cache",
    ]);
    args.extend(extra.iter().cloned());
    args.push(".".to_owned());
    let ran = spawn::tool(ctx, "ruff", &args, &[], "ruff check").await?;
    if !ran.success {
        return Err(Failure::Crashed(ran.first_error_line()));
    }
    let mut found = parse(ran.stdout.as_bytes(), &ctx.root, tool)
        .map_err(|e| Failure::Crashed(format!("ruff's report is unreadable: {e}")))?;
    python::guard_findings(&ctx.root, &mut found);
    Ok(found)
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    check(ctx, &[], "ruff").await
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    python::guarded_ruff_fix(ctx, &[], files).await
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
pub fn parse(report: &[u8], root: &Path, tool: &str) -> Result<Vec<Finding>, serde_json::Error> {
    let diagnostics: Vec<Diagnostic> = serde_json::from_slice(report)?;
    Ok(diagnostics
        .into_iter()
        .filter_map(|d| {
            let path = relative(root, &d.filename)?;
            let message = match &d.code {
                Some(code) => format!("{code}: {}", d.message),
                None => d.message.clone(),
            };
            Some(Finding {
                kind: FindingKind::Lint,
                path,
                line: d.location.map(|l| l.row),
                message,
                tool: tool.to_owned(),
                fixable: d.fix.is_some_and(|f| f.applicability == "safe"),
                score: None,
            })
        })
        .collect())
}

#[derive(Deserialize)]
struct Rule {
    code: Option<String>,
    #[serde(default)]
    fix_availability: String,
    #[serde(default)]
    preview: bool,
}

/// The stable rules ruff can fix (always or sometimes), from `ruff rule --all`; asked once.
pub fn fixable_rules(root: &Path) -> &'static BTreeSet<String> {
    static RULES: OnceLock<BTreeSet<String>> = OnceLock::new();
    RULES.get_or_init(|| {
        let request = crate::runner::Request::new("ruff", root).args([
            "rule",
            "--all",
            "--output-format",
            "json",
        ]);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let Ok(ran) = spawn::run(request, None, deadline, "ruff rule") else {
            return BTreeSet::new();
        };
        serde_json::from_str::<Vec<Rule>>(&ran.stdout)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| !r.preview && matches!(r.fix_availability.as_str(), "Always" | "Sometimes"))
            .filter_map(|r| r.code)
            .collect()
    })
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
        let found = parse(report, Path::new("/repo"), "ruff").unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].path, "pkg/a.py");
        assert_eq!(found[0].line, Some(1));
        assert_eq!(found[0].message, "F401: `os` imported but unused");
        assert!(found[0].fixable);
        assert_eq!(found[1].path, "b.py");
        assert!(!found[1].fixable, "an unsafe fix is not applied by --fix");
        assert!(parse(b"error: something", Path::new("/repo"), "ruff").is_err());
    }

    #[test]
    fn only_a_configured_ruff_is_the_repositorys() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(detect(dir.path()), Use::Absent);
        std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
        assert!(matches!(detect(dir.path()), Use::NotUsed(_)));
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.ruff.lint]\nselect = [\"F\"]\n",
        )
        .unwrap();
        assert_eq!(
            detect(dir.path()),
            Use::Used("pyproject.toml [tool.ruff]".to_owned())
        );
    }
}
