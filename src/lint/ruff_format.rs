//! `ruff format`, where the repository formats with it (`[tool.ruff.format]`, `[format]` in
//! `ruff.toml`, or a `ruff-format` pre-commit hook).

use std::path::Path;

use super::tool::{relative, Ctx, Failure, Use};
use super::{python, spawn};
use crate::artifacts::{Finding, FindingKind};

pub fn detect(root: &Path) -> Use {
    if python::read(root, "pyproject.toml").contains("[tool.ruff.format]") {
        return Use::Used("pyproject.toml [tool.ruff.format]".to_owned());
    }
    for name in ["ruff.toml", ".ruff.toml"] {
        if python::read(root, name)
            .lines()
            .any(|l| l.trim() == "[format]")
        {
            return Use::Used(format!("{name} [format]"));
        }
    }
    if python::read(root, ".pre-commit-config.yaml").contains("ruff-format") {
        return Use::Used(".pre-commit-config.yaml (ruff-format hook)".to_owned());
    }
    if python::has_python(root) {
        Use::NotUsed("the repository does not format with ruff".to_owned())
    } else {
        Use::Absent
    }
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    let args = spawn::args(&["format", "--check", "--no-cache", "."]);
    let ran = spawn::tool(ctx, "ruff", &args, &[], "ruff format --check").await?;
    if !matches!(ran.code, Some(0 | 1)) {
        return Err(Failure::Crashed(ran.first_error_line()));
    }
    Ok(ran
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Would reformat: "))
        .filter_map(|p| relative(&ctx.root, p.trim()))
        .map(|path| Finding {
            kind: FindingKind::Format,
            path,
            line: None,
            message: "not formatted as ruff format would".to_owned(),
            tool: "ruff format".to_owned(),
            fixable: true,
            score: None,
        })
        .collect())
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    let mut args = spawn::args(&["format", "--no-cache", "--quiet", "--"]);
    args.extend(
        files
            .iter()
            .filter(|f| f.ends_with(".py") || f.ends_with(".pyi"))
            .cloned(),
    );
    if args.len() == 4 {
        return Ok(());
    }
    let ran = spawn::tool(ctx, "ruff", &args, &[], "ruff format").await?;
    if ran.success {
        Ok(())
    } else {
        Err(Failure::Crashed(ran.first_error_line()))
    }
}
