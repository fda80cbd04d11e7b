//! JavaScript/TypeScript linter findings from eslint, where the repository configures it (a flat
//! `eslint.config.*` at its root) and an eslint is installed (its own `node_modules/.bin/eslint`,
//! else one on PATH): `eslint --format json .` with the repository's rules. A finding is fixable
//! when eslint carries a fix for it, the kind `eslint --fix` applies.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::artifacts::{Finding, FindingKind};
use crate::evaluate::lint::eslint::{program, FLAT_CONFIGS};
use crate::runner::Request;

/// Findings of eslint on the repository at `root`; none when it configures no eslint, eslint is
/// missing, fails (a plugin its configuration imports is not installed, say) or runs out of time.
pub async fn findings(root: &Path, timeout: Duration) -> Vec<Finding> {
    if !FLAT_CONFIGS.iter().any(|name| root.join(name).is_file()) {
        return Vec::new();
    }
    // Finding eslint runs `eslint --version`, a blocking node start.
    let at = root.to_path_buf();
    let Some(eslint) = tokio::task::spawn_blocking(move || program(&at))
        .await
        .ok()
        .flatten()
    else {
        tracing::info!("the repository configures eslint, but no eslint is installed");
        return Vec::new();
    };
    let request = Request::new(eslint, root)
        .args(["--format", "json", "."])
        .timeout(timeout);
    let Some(output) = super::run::output(request, "eslint").await else {
        return Vec::new();
    };
    // 0: clean, 1: problems found; anything else is eslint failing.
    if !matches!(output.code, Some(0 | 1)) {
        tracing::warn!(
            "eslint failed; its findings are left out: {}",
            output.stderr.trim()
        );
        return Vec::new();
    }
    match parse(output.stdout.as_bytes(), root) {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!("eslint's report could not be read; its findings are left out: {e}");
            Vec::new()
        }
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

/// Findings from eslint's JSON report, with paths relative to `root`. Messages without a rule
/// (a file skipped by an ignore pattern, a parse error) are not lint findings.
pub fn parse(report: &[u8], root: &Path) -> Result<Vec<Finding>, serde_json::Error> {
    let results: Vec<FileResult> = serde_json::from_slice(report)?;
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut found = Vec::new();
    for result in results {
        let file = Path::new(&result.file_path);
        let Ok(relative) = file
            .strip_prefix(&canonical_root)
            .or_else(|_| file.strip_prefix(root))
        else {
            continue;
        };
        for message in result.messages {
            let Some(rule) = message.rule_id else {
                continue;
            };
            found.push(Finding {
                kind: FindingKind::Lint,
                path: relative.to_string_lossy().into_owned(),
                line: message.line,
                message: format!("{rule}: {}", message.message),
                tool: "eslint".to_owned(),
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
        let found = parse(report, Path::new("/repo")).unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].path, "src/cart.js");
        assert_eq!(found[0].line, Some(3));
        assert!(found[0].fixable);
        assert!(found[0].message.starts_with("prefer-const: "));
        assert!(!found[1].fixable);
        assert_eq!(found[1].tool, "eslint");
    }
}
