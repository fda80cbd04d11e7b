//! eslint on JavaScript and TypeScript, with the repository's own eslint
//! (`node_modules/.bin/eslint` in the clone, else one on PATH) and its own configuration. Each
//! side of each changed file is fed on stdin under the file's own path (`--stdin-filename`), run
//! in the clone, so the configuration the clone holds judges both sides by the same rules, its
//! path globs match, and its plugins resolve from its `node_modules`.
//!
//! A file with no eslint configuration above it is not linted: eslint would have no rules of the
//! repository's to judge it by, and its bare defaults say nothing about the project.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;

use super::{Change, Sides};
use crate::lint::eslint::{ESLINTRC, FLAT_CONFIGS};
use crate::lint::spawn::{self as command, run};
use crate::repo::change::ChangedFile;
use crate::runner::Request;

pub const EXTENSIONS: &[&str] = &["js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"];

/// Which kind of configuration governs a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Config {
    Flat,
    Eslintrc,
}

pub fn lint(change: &Change, files: &[&ChangedFile], deadline: Instant) -> Result<Sides, String> {
    let program = program(change.clone).ok_or_else(|| "eslint is not installed".to_owned())?;
    let configured: Vec<(&ChangedFile, Config)> = files
        .iter()
        .filter_map(|f| config_for(change.clone, &f.path).map(|c| (*f, c)))
        .collect();
    if configured.is_empty() {
        return Err(
            "the repository has no eslint configuration, so eslint has no rules of its own to judge by"
                .to_owned(),
        );
    }
    let mut sides = Sides::default();
    for (file, config) in configured {
        if let Some(text) = &file.before {
            let n = lint_text(&program, change.clone, &file.path, text, config, deadline)?;
            sides.before.insert(file.path.clone(), n);
        }
        if let Some(text) = &file.after {
            let n = lint_text(&program, change.clone, &file.path, text, config, deadline)?;
            sides.after.insert(file.path.clone(), n);
        }
    }
    Ok(sides)
}

/// The clone's own eslint, else one on PATH.
fn program(clone: &Path) -> Option<PathBuf> {
    let program = crate::lint::node::program(clone, "eslint");
    command::succeeds(&program, &["--version"], clone).then_some(program)
}

/// The configuration nearest above `path` in the clone, up to the clone's root.
fn config_for(clone: &Path, path: &str) -> Option<Config> {
    let mut current = clone.join(path).parent().map(Path::to_path_buf);
    while let Some(dir) = current {
        if !dir.starts_with(clone) {
            break;
        }
        if FLAT_CONFIGS.iter().any(|name| dir.join(name).is_file()) {
            return Some(Config::Flat);
        }
        if ESLINTRC.iter().any(|name| dir.join(name).is_file()) || declares_config(&dir) {
            return Some(Config::Eslintrc);
        }
        current = dir.parent().map(Path::to_path_buf);
    }
    None
}

/// Whether the `package.json` in `dir` carries an `eslintConfig`.
fn declares_config(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|package| package.get("eslintConfig").is_some())
}

#[derive(Debug, Deserialize)]
struct FileResult {
    messages: Vec<Message>,
}

#[derive(Debug, Deserialize)]
struct Message {
    #[serde(rename = "ruleId")]
    rule_id: Option<String>,
    #[serde(default)]
    fatal: bool,
}

/// eslint's findings on `text` as if it were the file at `path`.
fn lint_text(
    program: &Path,
    clone: &Path,
    path: &str,
    text: &str,
    config: Config,
    deadline: Instant,
) -> Result<u32, String> {
    let mut eslint = Request::new(program, clone).args([
        "--format",
        "json",
        "--stdin",
        "--stdin-filename",
        path,
    ]);
    if config == Config::Eslintrc {
        eslint = eslint.env("ESLINT_USE_FLAT_CONFIG", "false");
    }
    let ran = run(eslint, Some(text), deadline, "eslint")?;
    // 0: no errors, 1: errors found; anything else is eslint failing (bad config, missing plugin).
    if !matches!(ran.code, Some(0 | 1)) {
        return Err(format!("eslint failed on {path}: {}", ran.stderr_tail()));
    }
    count(&ran.stdout).map_err(|e| format!("eslint's report on {path} is unreadable: {e}"))
}

/// Findings in eslint's JSON report: rule violations and fatal (parse) errors; the warning a
/// file matched by an ignore pattern gets (no rule, not fatal) is no finding.
fn count(report: &str) -> Result<u32, serde_json::Error> {
    let results: Vec<FileResult> = serde_json::from_str(report)?;
    let n = results
        .iter()
        .flat_map(|r| &r.messages)
        .filter(|m| m.rule_id.is_some() || m.fatal)
        .count();
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rule_violations_and_parse_errors_not_ignore_notices() {
        let report = r#"[{"filePath":"/r/src/a.js","messages":[
            {"ruleId":"no-unused-vars","severity":2,"message":"'x' is assigned a value but never used.","line":1,"column":7,"nodeType":"Identifier","messageId":"unusedVar","endLine":1,"endColumn":8},
            {"ruleId":"eqeqeq","severity":1,"message":"Expected '===' and instead saw '=='.","line":2,"column":7},
            {"ruleId":null,"fatal":true,"severity":2,"message":"Parsing error: Unexpected token","line":5,"column":1},
            {"ruleId":null,"fatal":false,"severity":1,"message":"File ignored because of a matching ignore pattern."}
        ],"suppressedMessages":[],"errorCount":2,"fatalErrorCount":1,"warningCount":2,"fixableErrorCount":0,"fixableWarningCount":0,"usedDeprecatedRules":[]}]"#;
        assert_eq!(count(report).unwrap(), 3);
        assert_eq!(count("[]").unwrap(), 0);
        assert!(count("Oops! Something went wrong!").is_err());
    }

    #[test]
    fn the_nearest_configuration_governs_a_file() {
        let clone = tempfile::tempdir().unwrap();
        let root = clone.path();
        std::fs::create_dir_all(root.join("web/src")).unwrap();
        std::fs::create_dir_all(root.join("legacy/lib")).unwrap();
        std::fs::create_dir_all(root.join("bare")).unwrap();
        std::fs::write(root.join("web/eslint.config.mjs"), "export default [];\n").unwrap();
        std::fs::write(
            root.join("legacy/package.json"),
            r#"{"name":"legacy","eslintConfig":{"rules":{}}}"#,
        )
        .unwrap();
        assert_eq!(config_for(root, "web/src/app.ts"), Some(Config::Flat));
        assert_eq!(
            config_for(root, "legacy/lib/old.js"),
            Some(Config::Eslintrc)
        );
        assert_eq!(config_for(root, "bare/x.js"), None);
    }
}
