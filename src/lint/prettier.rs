//! Prettier, where the repository configures it (a `.prettierrc*`, `prettier.config.*`, or a
//! `prettier` key in package.json): the files it would reformat, and `prettier --write` on given
//! files.

use std::path::Path;

use super::tool::{relative, Ctx, Failure, Use};
use super::{node, spawn};
use crate::artifacts::{Finding, FindingKind};

const CONFIGS: &[&str] = &[
    ".prettierrc",
    ".prettierrc.json",
    ".prettierrc.yml",
    ".prettierrc.yaml",
    ".prettierrc.json5",
    ".prettierrc.js",
    ".prettierrc.cjs",
    ".prettierrc.mjs",
    ".prettierrc.toml",
    "prettier.config.js",
    "prettier.config.cjs",
    "prettier.config.mjs",
];

pub fn detect(root: &Path) -> Use {
    if let Some(name) = CONFIGS.iter().find(|n| root.join(n).is_file()) {
        return Use::Used((*name).to_owned());
    }
    match node::package(root) {
        Some(package) if package.get("prettier").is_some() => {
            Use::Used("package.json \"prettier\"".to_owned())
        }
        Some(_) => Use::NotUsed("no prettier configuration".to_owned()),
        None => Use::Absent,
    }
}

async fn program(ctx: &Ctx) -> std::path::PathBuf {
    if let Some(note) = node::ensure(ctx, "prettier").await {
        tracing::warn!("{note}");
    }
    node::program(&ctx.root, "prettier")
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    let program = program(ctx).await;
    let ran = spawn::tool(
        ctx,
        &program,
        &spawn::args(&["--list-different", "."]),
        &[],
        "prettier",
    )
    .await?;
    // 0: formatted; 1: files differ; 2: prettier failed.
    if !matches!(ran.code, Some(0 | 1)) {
        return Err(Failure::Crashed(ran.first_error_line()));
    }
    Ok(ran
        .stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| super::tool::Language::of_path(l).is_some())
        .filter_map(|l| relative(&ctx.root, l))
        .map(|path| Finding {
            kind: FindingKind::Format,
            path,
            line: None,
            message: "not formatted as prettier would".to_owned(),
            tool: "prettier".to_owned(),
            fixable: true,
            score: None,
        })
        .collect())
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    let program = program(ctx).await;
    let mut args = spawn::args(&["--write", "--log-level", "warn", "--"]);
    args.extend(files.iter().cloned());
    let ran = spawn::tool(ctx, &program, &args, &[], "prettier --write").await?;
    if ran.success {
        Ok(())
    } else {
        Err(Failure::Crashed(ran.first_error_line()))
    }
}
