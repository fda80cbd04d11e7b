//! eslint with the repository's configuration, flat (`eslint.config.*`) or legacy (`.eslintrc*`,
//! `eslintConfig` in package.json), and the repository's own eslint (`node_modules/.bin/eslint`,
//! installed from its lockfile when declared) before one on the PATH. A legacy configuration
//! needs an eslint that still reads it (8, or 9 with `ESLINT_USE_FLAT_CONFIG=false`); eslint 10
//! reads flat configurations only, and that is said rather than guessed around.

use std::path::Path;

use serde::Deserialize;

use super::tool::{relative, Ctx, Failure, Tool, Use};
use super::{node, spawn};
use crate::artifacts::{Finding, FindingKind};

/// Flat configuration files (eslint 9 and later).
pub const FLAT_CONFIGS: &[&str] = &[
    "eslint.config.js",
    "eslint.config.mjs",
    "eslint.config.cjs",
    "eslint.config.ts",
    "eslint.config.mts",
    "eslint.config.cts",
];

/// The older eslintrc files (eslint 8 and before; eslint 9 with `ESLINT_USE_FLAT_CONFIG=false`).
pub const ESLINTRC: &[&str] = &[
    ".eslintrc.js",
    ".eslintrc.cjs",
    ".eslintrc.yaml",
    ".eslintrc.yml",
    ".eslintrc.json",
    ".eslintrc",
];

/// The repository's eslint configuration at its root, and whether it is legacy.
pub fn config(root: &Path) -> Option<(String, bool)> {
    if let Some(name) = FLAT_CONFIGS.iter().find(|n| root.join(n).is_file()) {
        return Some(((*name).to_owned(), false));
    }
    if let Some(name) = ESLINTRC.iter().find(|n| root.join(n).is_file()) {
        return Some((format!("{name} (legacy eslintrc)"), true));
    }
    node::package(root)
        .is_some_and(|p| p.get("eslintConfig").is_some())
        .then(|| {
            (
                "package.json eslintConfig (legacy eslintrc)".to_owned(),
                true,
            )
        })
}

pub fn detect(root: &Path) -> Use {
    match config(root) {
        Some((name, _)) => Use::Used(name),
        None if root.join("package.json").is_file() => {
            Use::NotUsed("no eslint configuration".to_owned())
        }
        None => Use::Absent,
    }
}

/// The eslint to run and the environment it needs for the repository's configuration.
async fn prepare(
    ctx: &Ctx,
) -> Result<(std::path::PathBuf, Vec<(&'static str, &'static str)>), Failure> {
    let Some((name, legacy)) = config(&ctx.root) else {
        return Err(Failure::Missing("an eslint configuration".to_owned()));
    };
    if let Some(note) = node::ensure(ctx, "eslint").await {
        tracing::warn!("{note}");
    }
    let program = node::program(&ctx.root, "eslint");
    let version = {
        let (program, root) = (program.clone(), ctx.root.clone());
        tokio::task::spawn_blocking(move || spawn::version(&program, &["--version"], &root))
            .await
            .ok()
            .flatten()
    };
    let Some(version) = version else {
        return Err(Failure::Missing(format!(
            "eslint (not installed; the repository configures it in {name})"
        )));
    };
    let major = node::major(&version).unwrap_or(0);
    let mut env = Vec::new();
    if legacy {
        if major >= 10 {
            return Err(Failure::Missing(format!(
                "an eslint that reads {name}: the installed eslint {version} reads flat configurations only, and the repository installs no eslint of its own"
            )));
        }
        if major == 9 {
            env.push(("ESLINT_USE_FLAT_CONFIG", "false"));
        }
    }
    Ok((program, env))
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    let (program, env) = prepare(ctx).await?;
    let ran = spawn::tool(
        ctx,
        &program,
        &spawn::args(&["--format", "json", "."]),
        &env,
        "eslint",
    )
    .await?;
    // 0: clean, 1: problems found; anything else is eslint failing.
    if !matches!(ran.code, Some(0 | 1)) {
        return Err(Failure::Crashed(ran.first_error_line()));
    }
    parse(ran.stdout.as_bytes(), &ctx.root, "eslint")
        .map_err(|e| Failure::Crashed(format!("eslint's report is unreadable: {e}")))
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    let (program, env) = prepare(ctx).await?;
    let mut args = spawn::args(&["--fix"]);
    args.extend(super::avoid::eslint_flags(&ctx.avoided_for(Tool::Eslint)));
    args.push("--".to_owned());
    args.extend(files.iter().cloned());
    let ran = spawn::tool(ctx, &program, &args, &env, "eslint --fix").await?;
    // 1: problems it cannot fix remain, after the fixes it could make.
    if matches!(ran.code, Some(0 | 1)) {
        Ok(())
    } else {
        Err(Failure::Crashed(ran.first_error_line()))
    }
}

#[derive(Deserialize)]
struct FileResult {
    #[serde(rename = "filePath")]
    file_path: String,
    messages: Vec<Message>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(rename = "ruleId")]
    rule_id: Option<String>,
    message: String,
    line: Option<u32>,
    fix: Option<serde_json::Value>,
}

/// Findings from an eslint-format JSON report (eslint's, xo's), with paths relative to `root`.
/// Messages without a rule (a file skipped by an ignore pattern, a parse error) are not lint
/// findings.
pub fn parse(report: &[u8], root: &Path, tool: &str) -> Result<Vec<Finding>, serde_json::Error> {
    let results: Vec<FileResult> = serde_json::from_slice(report)?;
    let mut found = Vec::new();
    for result in results {
        let Some(path) = relative(root, &result.file_path) else {
            continue;
        };
        for message in result.messages {
            let Some(rule) = message.rule_id else {
                continue;
            };
            found.push(Finding {
                kind: FindingKind::Lint,
                path: path.clone(),
                line: message.line,
                message: format!("{rule}: {}", message.message),
                tool: tool.to_owned(),
                fixable: message.fix.is_some(),
                score: None,
            });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_report_and_marks_fixable_messages() {
        let report = br#"[{"filePath":"/repo/src/cart.js","messages":[
            {"ruleId":"prefer-const","severity":2,"message":"'total' is never reassigned. Use 'const' instead.","line":3,"column":7,
             "fix":{"range":[30,33],"text":"const"}},
            {"ruleId":"no-unused-vars","severity":2,"message":"'x' is defined but never used.","line":9,"column":10},
            {"ruleId":null,"fatal":false,"severity":1,"message":"File ignored because of a matching ignore pattern."}
          ],"errorCount":2,"warningCount":1},
          {"filePath":"/elsewhere/x.js","messages":[{"ruleId":"eqeqeq","message":"Expected '==='","line":1}]}]"#;
        let found = parse(report, Path::new("/repo"), "eslint").unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].path, "src/cart.js");
        assert_eq!(found[0].line, Some(3));
        assert!(found[0].fixable);
        assert!(found[0].message.starts_with("prefer-const: "));
        assert!(!found[1].fixable);
    }

    #[test]
    fn flat_and_legacy_configurations() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".eslintrc.yml"), "rules: {}\n").unwrap();
        assert_eq!(
            config(dir.path()),
            Some((".eslintrc.yml (legacy eslintrc)".to_owned(), true))
        );
        std::fs::write(dir.path().join("eslint.config.mjs"), "export default [];\n").unwrap();
        assert_eq!(
            config(dir.path()),
            Some(("eslint.config.mjs".to_owned(), false))
        );
    }
}
