//! black, where the repository uses it (`[tool.black]` in `pyproject.toml`, a black hook in
//! `.pre-commit-config.yaml`, or black among its development requirements): files black would
//! reformat, and black on given files.

use std::path::Path;

use super::tool::{relative, Ctx, Failure, Use};
use super::{python, spawn};
use crate::artifacts::{Finding, FindingKind};

/// Files that may name black as a development requirement.
const REQUIREMENT_FILES: &[&str] = &[
    "requirements-dev.txt",
    "requirements_dev.txt",
    "dev-requirements.txt",
    "requirements-test.txt",
    "requirements.txt",
    "setup.cfg",
    "tox.ini",
    "Pipfile",
];

pub fn detect(root: &Path) -> Use {
    if python::read(root, "pyproject.toml").contains("[tool.black]") {
        return Use::Used("pyproject.toml [tool.black]".to_owned());
    }
    if mentions(&python::read(root, ".pre-commit-config.yaml")) {
        return Use::Used(".pre-commit-config.yaml (black hook)".to_owned());
    }
    for file in REQUIREMENT_FILES.iter().chain(["pyproject.toml"].iter()) {
        if mentions(&python::read(root, file)) {
            return Use::Used(format!("black listed in {file}"));
        }
    }
    if python::has_python(root) {
        Use::NotUsed("black is not configured nor listed as a requirement".to_owned())
    } else {
        Use::Absent
    }
}

/// Whether `text` names black as a word (`black`, `black==24.1`, `psf/black`), not `blacken`.
fn mentions(text: &str) -> bool {
    text.match_indices("black").any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + 5..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    })
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    let ran = spawn::tool(
        ctx,
        "black",
        &spawn::args(&["--check", "."]),
        &[],
        "black --check",
    )
    .await?;
    // 0: formatted; 1: would reformat; 123: black failed.
    if !matches!(ran.code, Some(0 | 1)) {
        return Err(Failure::Crashed(ran.first_error_line()));
    }
    Ok(ran
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("would reformat "))
        .filter_map(|p| relative(&ctx.root, p.trim()))
        .map(|path| Finding {
            kind: FindingKind::Format,
            path,
            line: None,
            message: "not formatted as black would".to_owned(),
            tool: "black".to_owned(),
            fixable: true,
            score: None,
        })
        .collect())
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    let files: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".py") || f.ends_with(".pyi"))
        .cloned()
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    let mut args = spawn::args(&["--quiet", "--"]);
    args.extend(files);
    let ran = spawn::tool(ctx, "black", &args, &[], "black").await?;
    if ran.success {
        Ok(())
    } else {
        Err(Failure::Crashed(ran.first_error_line()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn black_as_a_word() {
        assert!(super::mentions("black==24.1.0\nflake8\n"));
        assert!(super::mentions("  - repo: https://github.com/psf/black\n"));
        assert!(!super::mentions("blacken-docs\n"));
    }
}
