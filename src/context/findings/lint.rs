//! Linter findings where the repository's linter is installed: clippy (its JSON diagnostics, the
//! machine-applicable ones marked fixable) and rustfmt (`cargo fmt --check`) for Rust, ruff for
//! Python (`super::ruff`) and eslint for JavaScript/TypeScript (`super::eslint`).

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::artifacts::{Finding, FindingKind};
use crate::runner::Request;

/// How linters run.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// Where cargo builds, outside the clone (inside the run directory, so cleanup removes it).
    pub target_dir: std::path::PathBuf,
    pub timeout: Duration,
}

/// Findings of every linter that applies and is installed; a linter that is missing, times out
/// or fails to run adds nothing (and says so in the log).
pub async fn findings(root: &Path, options: &LintOptions) -> Vec<Finding> {
    let mut found = Vec::new();
    if root.join("Cargo.toml").is_file() {
        found.extend(rustfmt(root, options).await);
        found.extend(clippy(root, options).await);
    }
    found.extend(super::ruff::findings(root, options.timeout).await);
    found.extend(super::eslint::findings(root, options.timeout).await);
    found
}

async fn run(root: &Path, options: &LintOptions, args: &[&str]) -> Option<(bool, String)> {
    let request = Request::new("cargo", root)
        .args(args)
        .env("CARGO_TARGET_DIR", &options.target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .writable(&options.target_dir)
        .timeout(options.timeout);
    let ran = super::run::output(request, &format!("cargo {}", args[0])).await?;
    Some((ran.success(), ran.stdout))
}

async fn rustfmt(root: &Path, options: &LintOptions) -> Vec<Finding> {
    let Some((clean, stdout)) = run(root, options, &["fmt", "--all", "--", "--check", "-l"]).await
    else {
        return Vec::new();
    };
    if clean {
        return Vec::new();
    }
    stdout
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let path = Path::new(line.trim());
            let relative = path.strip_prefix(root).unwrap_or(path);
            Finding {
                kind: FindingKind::Format,
                path: relative.display().to_string(),
                line: None,
                message: "not formatted as rustfmt would".to_owned(),
                tool: "rustfmt".to_owned(),
                fixable: true,
                score: None,
            }
        })
        .collect()
}

async fn clippy(root: &Path, options: &LintOptions) -> Vec<Finding> {
    let args = [
        "clippy",
        "--all-targets",
        "--message-format=json",
        "--quiet",
    ];
    let Some((_, stdout)) = run(root, options, &args).await else {
        return Vec::new();
    };
    parse_clippy(&stdout)
}

/// Findings from cargo's JSON lines: warnings and errors located in the repository's own files,
/// each once.
pub fn parse_clippy(stdout: &str) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for line in stdout.lines() {
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if value["reason"] != "compiler-message" {
            continue;
        }
        let message = &value["message"];
        if !matches!(message["level"].as_str(), Some("warning" | "error")) {
            continue;
        }
        let Some(span) = message["spans"]
            .as_array()
            .and_then(|spans| spans.iter().find(|s| s["is_primary"] == true))
        else {
            continue;
        };
        let Some(path) = span["file_name"]
            .as_str()
            .filter(|p| !p.starts_with('/') && !p.contains(".."))
        else {
            continue;
        };
        let line_number = span["line_start"]
            .as_u64()
            .and_then(|l| u32::try_from(l).ok());
        let code = message["code"]["code"].as_str().unwrap_or("warning");
        let text = format!(
            "{code}: {}",
            message["message"].as_str().unwrap_or_default()
        );
        if !seen.insert((path.to_owned(), line_number, text.clone())) {
            continue;
        }
        found.push(Finding {
            kind: FindingKind::Lint,
            path: path.to_owned(),
            line: line_number,
            message: text,
            tool: "clippy".to_owned(),
            fixable: machine_applicable(message),
            score: None,
        });
    }
    found
}

/// Whether the diagnostic or one of its children carries a suggestion `cargo clippy --fix`
/// applies on its own.
fn machine_applicable(message: &Value) -> bool {
    let spans_fixable = |m: &Value| {
        m["spans"].as_array().is_some_and(|spans| {
            spans
                .iter()
                .any(|s| s["suggestion_applicability"] == "MachineApplicable")
        })
    };
    spans_fixable(message)
        || message["children"]
            .as_array()
            .is_some_and(|children| children.iter().any(spans_fixable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_clippy_json_and_marks_machine_applicable_fixes() {
        let fixable = r#"{"reason":"compiler-message","message":{"level":"warning","message":"writing `&Vec` instead of `&[_]`","code":{"code":"clippy::ptr_arg"},"spans":[{"file_name":"src/main.rs","line_start":2,"is_primary":true,"suggestion_applicability":null}],"children":[{"spans":[{"file_name":"src/main.rs","line_start":2,"is_primary":true,"suggestion_applicability":"MachineApplicable"}]}]}}"#;
        let manual = r#"{"reason":"compiler-message","message":{"level":"warning","message":"function `f` is never used","code":{"code":"dead_code"},"spans":[{"file_name":"src/main.rs","line_start":3,"is_primary":true}],"children":[]}}"#;
        let foreign = r#"{"reason":"compiler-message","message":{"level":"warning","message":"x","code":null,"spans":[{"file_name":"/root/.cargo/registry/x.rs","line_start":1,"is_primary":true}],"children":[]}}"#;
        let text = [
            fixable,
            manual,
            manual,
            foreign,
            r#"{"reason":"build-finished"}"#,
        ]
        .join("\n");
        let found = parse_clippy(&text);
        assert_eq!(found.len(), 2);
        assert!(found[0].fixable);
        assert_eq!(
            found[0].message,
            "clippy::ptr_arg: writing `&Vec` instead of `&[_]`"
        );
        assert_eq!(found[0].line, Some(2));
        assert!(!found[1].fixable);
    }
}
