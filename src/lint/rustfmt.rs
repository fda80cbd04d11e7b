//! rustfmt, only where the repository uses it: it has a rustfmt configuration, or its base is
//! rustfmt-clean already. A crate that is neither has chosen not to use rustfmt, and is not
//! reformatted. Fixes format the given files only (`rustfmt --edition <the crate's>`), with the
//! repository's configuration, which rustfmt finds itself.

use std::path::Path;

use super::spawn;
use super::tool::{relative, Ctx, Failure, Use};
use crate::artifacts::{Finding, FindingKind};

const CONFIGS: &[&str] = &["rustfmt.toml", ".rustfmt.toml"];

pub async fn detect(ctx: &Ctx) -> Use {
    detect_with_findings(ctx).await.0
}

/// Whether the repository uses rustfmt, with its findings when deciding needed checking the
/// base already (it is clean: there are none), so they are not checked twice.
pub async fn detect_with_findings(ctx: &Ctx) -> (Use, Option<Vec<Finding>>) {
    if !ctx.root.join("Cargo.toml").is_file() {
        return (Use::Absent, None);
    }
    if let Some(name) = CONFIGS.iter().find(|n| ctx.root.join(n).is_file()) {
        return (Use::Used((*name).to_owned()), None);
    }
    let used = match unformatted(ctx).await {
        Ok(files) if files.is_empty() => {
            return (
                Use::Used("no rustfmt configuration; the base is rustfmt-clean".to_owned()),
                Some(Vec::new()),
            );
        }
        Ok(files) => Use::NotUsed(format!(
            "no rustfmt configuration and {} file(s) are not rustfmt-formatted on the base: the repository does not use rustfmt",
            files.len()
        )),
        Err(failure) => Use::NotUsed(format!("`cargo fmt --check` could not run ({failure})")),
    };
    (used, None)
}

/// The question `cargo fmt --check` (with `args`) asks of the working tree at `root`.
fn memo(root: &Path, args: &[String]) -> Option<super::memo::Memo> {
    let version = spawn::version(Path::new("rustfmt"), &["--version"], root)?;
    super::memo::Memo::of(root, "rustfmt", &version, args)
}

/// Files `cargo fmt --check` would change, relative to the root; asked once per working tree
/// (`super::memo`: the check writes nothing, so the answer is kept for the tree it was asked of).
async fn unformatted(ctx: &Ctx) -> Result<Vec<String>, Failure> {
    let args = spawn::args(&["fmt", "--all", "--", "--check", "-l"]);
    let (root, asked) = (ctx.root.clone(), args.clone());
    let memo = tokio::task::spawn_blocking(move || memo(&root, &asked))
        .await
        .ok()
        .flatten();
    if let Some(files) = memo
        .as_ref()
        .and_then(super::memo::Memo::get::<Vec<String>>)
    {
        return Ok(files);
    }
    let ran = spawn::tool(
        ctx,
        "cargo",
        &args,
        &[("CARGO_TERM_COLOR", "never")],
        "cargo fmt --check",
    )
    .await?;
    // 0: formatted; 1: differences listed; otherwise (a parse error) there is no list.
    if !ran.success && ran.stdout.trim().is_empty() {
        return Err(Failure::Crashed(ran.first_error_line()));
    }
    let files: Vec<String> = ran
        .stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|l| relative(&ctx.root, l))
        .collect();
    if let Some(memo) = memo {
        memo.put(&files);
    }
    Ok(files)
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    Ok(unformatted(ctx)
        .await?
        .into_iter()
        .map(|path| Finding {
            kind: FindingKind::Format,
            path,
            line: None,
            message: "not formatted as rustfmt would".to_owned(),
            tool: "rustfmt".to_owned(),
            fixable: true,
            score: None,
        })
        .collect())
}

/// The crate's edition from its manifest (rustfmt's own default, 2015, when none is set).
pub fn edition(root: &Path) -> String {
    std::fs::read_to_string(root.join("Cargo.toml"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.trim_start().starts_with("edition"))
                .and_then(|l| l.split('"').nth(1).map(str::to_owned))
        })
        .unwrap_or_else(|| "2015".to_owned())
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    let files: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".rs"))
        .cloned()
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    let mut args = vec!["--edition".to_owned(), edition(&ctx.root)];
    args.extend(files);
    let ran = spawn::tool(ctx, "rustfmt", &args, &[], "rustfmt").await?;
    if ran.success {
        Ok(())
    } else {
        Err(Failure::Crashed(ran.first_error_line()))
    }
}
