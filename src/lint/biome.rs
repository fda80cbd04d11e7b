//! Biome, where the repository configures it (`biome.json`, `biome.jsonc`): `biome lint` with a
//! JSON report, and `biome lint --write` for fixes — Biome's safe fixes only, never `--unsafe`.

use std::path::Path;

use serde::Deserialize;

use super::tool::{relative, Ctx, Failure, Tool, Use};
use super::{node, spawn};
use crate::artifacts::{Finding, FindingKind};

pub fn detect(root: &Path) -> Use {
    match ["biome.json", "biome.jsonc"]
        .iter()
        .find(|n| root.join(n).is_file())
    {
        Some(name) => Use::Used((*name).to_owned()),
        None if root.join("package.json").is_file() => Use::NotUsed("no biome.json".to_owned()),
        None => Use::Absent,
    }
}

async fn program(ctx: &Ctx) -> std::path::PathBuf {
    if let Some(note) = node::ensure(ctx, "@biomejs/biome").await {
        tracing::warn!("{note}");
    }
    node::program(&ctx.root, "biome")
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    let program = program(ctx).await;
    let args = spawn::args(&["lint", "--reporter=json", "--max-diagnostics=none", "."]);
    let ran = spawn::tool(ctx, &program, &args, &[], "biome lint").await?;
    let Some(start) = ran.stdout.find('{') else {
        return Err(Failure::Crashed(ran.first_error_line()));
    };
    parse(&ran.stdout[start..], &ctx.root).map_err(|e| {
        Failure::Crashed(format!(
            "biome's report is unreadable ({e}): {}",
            ran.first_error_line()
        ))
    })
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    let program = program(ctx).await;
    let mut args = spawn::args(&["lint", "--write", "--no-errors-on-unmatched"]);
    args.extend(super::avoid::biome_flags(&ctx.avoided_for(Tool::Biome)));
    args.push("--".to_owned());
    args.extend(files.iter().cloned());
    let ran = spawn::tool(ctx, &program, &args, &[], "biome lint --write").await?;
    // 1: diagnostics remain that no safe fix resolves.
    if matches!(ran.code, Some(0 | 1)) {
        Ok(())
    } else {
        Err(Failure::Crashed(ran.first_error_line()))
    }
}

#[derive(Deserialize)]
struct Report {
    diagnostics: Vec<Diagnostic>,
}

#[derive(Deserialize)]
struct Diagnostic {
    #[serde(default)]
    category: String,
    #[serde(default)]
    message: String,
    location: Option<Location>,
    #[serde(default)]
    advices: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Location {
    path: Option<serde_json::Value>,
    start: Option<Position>,
}

#[derive(Deserialize)]
struct Position {
    line: u32,
}

/// Lint diagnostics of Biome's JSON report; fixable when Biome offers a safe fix.
pub fn parse(report: &str, root: &Path) -> Result<Vec<Finding>, serde_json::Error> {
    let report: Report = serde_json::from_str(report)?;
    Ok(report
        .diagnostics
        .into_iter()
        .filter(|d| d.category.starts_with("lint/"))
        .filter_map(|d| {
            let location = d.location?;
            let path = match location.path? {
                serde_json::Value::String(p) => p,
                other => other["file"].as_str()?.to_owned(),
            };
            let path = relative(root, &path)?;
            let fixable = d.advices.iter().any(|a| {
                a["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Safe fix"))
            });
            Some(Finding {
                kind: FindingKind::Lint,
                path,
                line: location.start.map(|s| s.line),
                message: format!("{}: {}", d.category.trim_start_matches("lint/"), d.message),
                tool: "biome".to_owned(),
                fixable,
                score: None,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_biomes_json_report() {
        let report = r#"{"summary":{"errors":1},"diagnostics":[{"severity":"warning","message":"This let declares a variable that is only assigned once.","category":"lint/style/useConst","location":{"path":"src/a.js","start":{"line":1,"column":1},"end":{"line":1,"column":4}},"advices":[{"start":{"line":1,"column":5},"end":{"line":1,"column":6},"text":"Safe fix: Use const instead."}]},{"severity":"error","message":"Using == may be unsafe.","category":"lint/suspicious/noDoubleEquals","location":{"path":"src/a.js","start":{"line":2,"column":20}},"advices":[]}],"command":"lint"}"#;
        let found = parse(report, Path::new("/repo")).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].path, "src/a.js");
        assert_eq!(
            found[0].message,
            "style/useConst: This let declares a variable that is only assigned once."
        );
        assert!(found[0].fixable && !found[1].fixable);
        assert_eq!(found[1].line, Some(2));
    }
}
