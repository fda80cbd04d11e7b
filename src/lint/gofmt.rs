//! gofmt, wherever there is Go code — in a module (`go.mod`) or not (GOPATH-style code): the
//! files `gofmt -l` lists, and `gofmt -w` on given files. Vendored code and test data are left
//! alone.

use std::path::Path;

use super::python::files_with;
use super::spawn;
use super::tool::{relative, Ctx, Failure, Use};
use crate::artifacts::{Finding, FindingKind};

fn go_files(root: &Path) -> Vec<String> {
    files_with(root, &["go"], 20_000)
}

pub fn detect(root: &Path) -> Use {
    if go_files(root).is_empty() {
        return Use::Absent;
    }
    let module = if root.join("go.mod").is_file() {
        "go.mod"
    } else {
        "no go.mod (GOPATH-style code)"
    };
    Use::Used(format!("gofmt, Go's one format ({module})"))
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    let files = go_files(&ctx.root);
    let mut found = Vec::new();
    for chunk in files.chunks(200) {
        let mut args = vec!["-l".to_owned()];
        args.extend(chunk.iter().cloned());
        let ran = spawn::tool(ctx, "gofmt", &args, &[], "gofmt -l").await?;
        if !ran.success {
            return Err(Failure::Crashed(ran.first_error_line()));
        }
        found.extend(
            ran.stdout
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .filter_map(|l| relative(&ctx.root, l))
                .map(|path| Finding {
                    kind: FindingKind::Format,
                    path,
                    line: None,
                    message: "not formatted as gofmt would".to_owned(),
                    tool: "gofmt".to_owned(),
                    fixable: true,
                    score: None,
                }),
        );
    }
    Ok(found)
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    let mut args = vec!["-w".to_owned()];
    args.extend(files.iter().filter(|f| f.ends_with(".go")).cloned());
    if args.len() == 1 {
        return Ok(());
    }
    let ran = spawn::tool(ctx, "gofmt", &args, &[], "gofmt -w").await?;
    if ran.success {
        Ok(())
    } else {
        Err(Failure::Crashed(ran.first_error_line()))
    }
}
