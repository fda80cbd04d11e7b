//! xo, where the repository uses it (an `xo` key or dependency in package.json, or an
//! `xo.config.*`): its eslint-format JSON report, and `xo --fix` on given files.

use std::path::Path;

use super::tool::{Ctx, Failure, Use};
use super::{eslint, node, spawn};
use crate::artifacts::Finding;

const CONFIGS: &[&str] = &[
    "xo.config.js",
    "xo.config.mjs",
    "xo.config.cjs",
    "xo.config.ts",
    ".xo-config.json",
    ".xo-config.js",
];

pub fn detect(root: &Path) -> Use {
    if let Some(name) = CONFIGS.iter().find(|n| root.join(n).is_file()) {
        return Use::Used((*name).to_owned());
    }
    match node::package(root) {
        Some(package) if package.get("xo").is_some() => Use::Used("package.json \"xo\"".to_owned()),
        Some(_) if node::declares(root, "xo") => {
            Use::Used("xo's defaults (a devDependency)".to_owned())
        }
        Some(_) => Use::NotUsed("xo is not configured".to_owned()),
        None => Use::Absent,
    }
}

async fn program(ctx: &Ctx) -> std::path::PathBuf {
    if let Some(note) = node::ensure(ctx, "xo").await {
        tracing::warn!("{note}");
    }
    node::program(&ctx.root, "xo")
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    let program = program(ctx).await;
    let ran = spawn::tool(ctx, &program, &spawn::args(&["--reporter=json"]), &[], "xo").await?;
    if !matches!(ran.code, Some(0 | 1)) || !ran.stdout.trim_start().starts_with('[') {
        return Err(Failure::Crashed(ran.first_error_line()));
    }
    eslint::parse(ran.stdout.as_bytes(), &ctx.root, "xo")
        .map_err(|e| Failure::Crashed(format!("xo's report is unreadable: {e}")))
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    let program = program(ctx).await;
    let mut args = spawn::args(&["--fix"]);
    args.extend(files.iter().cloned());
    let ran = spawn::tool(ctx, &program, &args, &[], "xo --fix").await?;
    if matches!(ran.code, Some(0 | 1)) {
        Ok(())
    } else {
        Err(Failure::Crashed(ran.first_error_line()))
    }
}
