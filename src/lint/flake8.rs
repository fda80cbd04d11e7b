//! flake8, where the repository configures it (`.flake8`, `[flake8]` in `setup.cfg` or
//! `tox.ini`): its findings under that configuration. flake8 fixes nothing itself; a repository
//! that uses it gets only fixes for what flake8 reports there — ruff, isolated, limited to the
//! rules flake8 reported that ruff fixes safely, at flake8's line length — and then the
//! repository's own formatter (the caller's part).

use std::collections::BTreeSet;
use std::path::Path;

use super::tool::{relative, Ctx, Failure, Use};
use super::{python, ruff, spawn};
use crate::artifacts::{Finding, FindingKind};

/// Where the repository configures flake8.
pub fn config(root: &Path) -> Option<String> {
    if root.join(".flake8").is_file() {
        return Some(".flake8".to_owned());
    }
    ["setup.cfg", "tox.ini"]
        .into_iter()
        .find(|file| python::has_section(root, file, "flake8"))
        .map(|file| format!("{file} [flake8]"))
}

pub fn detect(root: &Path) -> Use {
    match config(root) {
        Some(config) => Use::Used(config),
        None if python::has_python(root) => Use::NotUsed(
            "no flake8 configuration (.flake8, setup.cfg or tox.ini [flake8])".to_owned(),
        ),
        None => Use::Absent,
    }
}

/// flake8's maximum line length under the repository's configuration (79 by default).
pub fn max_line_length(root: &Path) -> u32 {
    let sources = [
        (".flake8", "flake8"),
        ("setup.cfg", "flake8"),
        ("tox.ini", "flake8"),
    ];
    sources
        .iter()
        .find_map(|(file, section)| python::ini_value(root, file, section, "max-line-length"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(79)
}

async fn run(ctx: &Ctx, paths: &[String]) -> Result<Vec<Finding>, Failure> {
    let mut args = spawn::args(&["--exit-zero"]);
    args.extend(paths.iter().cloned());
    let ran = spawn::tool(ctx, "flake8", &args, &[], "flake8").await?;
    if !ran.success {
        return Err(Failure::Crashed(ran.first_error_line()));
    }
    let fixable = ruff::fixable_rules(&ctx.root);
    let mut found = parse(&ran.stdout, &ctx.root, fixable);
    python::guard_findings(&ctx.root, &mut found);
    Ok(found)
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    run(ctx, &[".".to_owned()]).await
}

/// `path:line:col: CODE message` lines; a finding is fixable when its rule is one ruff fixes.
pub fn parse(output: &str, root: &Path, fixable: &BTreeSet<String>) -> Vec<Finding> {
    output
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(4, ':');
            let path = relative(root, parts.next()?.trim())?;
            let row: u32 = parts.next()?.trim().parse().ok()?;
            let _column = parts.next()?;
            let text = parts.next()?.trim();
            let code = text.split_whitespace().next()?.to_owned();
            let message = text[code.len()..].trim();
            Some(Finding {
                kind: FindingKind::Lint,
                path,
                line: Some(row),
                message: format!("{code}: {message}"),
                tool: "flake8".to_owned(),
                fixable: fixable.contains(&code),
                score: None,
            })
        })
        .collect()
}

/// Fixes in `files` of only the rules flake8 reports there, by ruff at flake8's line length.
pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    let reported = run(ctx, files).await?;
    let codes: BTreeSet<String> = reported
        .iter()
        .filter(|f| f.fixable)
        .filter_map(|f| f.message.split(':').next().map(str::to_owned))
        .collect();
    if codes.is_empty() {
        return Ok(());
    }
    let base = vec![
        "--isolated".to_owned(),
        "--select".to_owned(),
        codes.into_iter().collect::<Vec<_>>().join(","),
        "--line-length".to_owned(),
        max_line_length(&ctx.root).to_string(),
    ];
    python::guarded_ruff_fix(ctx, &base, files).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_flake8_lines() {
        let fixable = BTreeSet::from(["F401".to_owned()]);
        let out = "./pkg/a.py:1:1: F401 'os' imported but unused\n./pkg/a.py:12:80: E501 line too long (88 > 79 characters)\n";
        let found = parse(out, Path::new("/repo"), &fixable);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].path, "pkg/a.py");
        assert_eq!(found[0].message, "F401: 'os' imported but unused");
        assert!(found[0].fixable && !found[1].fixable);
        assert_eq!(found[1].line, Some(12));
    }
}
