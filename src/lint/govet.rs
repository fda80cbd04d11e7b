//! `go vet` in a Go module, as context: its findings name likely bugs a model may fix; nothing
//! fixes them automatically. Without a network, only what the module cache already has resolves
//! (`GOFLAGS=-mod=mod`, `GOPROXY=off`); a module that cannot be loaded is said to have crashed.

use std::path::Path;

use super::spawn;
use super::tool::{relative, Ctx, Failure, Use};
use crate::artifacts::{Finding, FindingKind};

pub fn detect(root: &Path) -> Use {
    if root.join("go.mod").is_file() {
        Use::Used("go.mod".to_owned())
    } else if super::python::files_with(root, &["go"], 1).is_empty() {
        Use::Absent
    } else {
        Use::NotUsed("no go.mod: go vet needs a module".to_owned())
    }
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    let ran = spawn::tool(
        ctx,
        "go",
        &spawn::args(&["vet", "./..."]),
        &[("GOFLAGS", "-mod=mod"), ("GOPROXY", "off")],
        "go vet",
    )
    .await?;
    let found = parse(&ran.stderr, &ctx.root);
    if !ran.success && found.is_empty() {
        return Err(Failure::Crashed(ran.first_error_line()));
    }
    Ok(found)
}

/// `path:line:col: message` lines of go vet (package headers `# pkg` and `vet:` prefixes aside).
pub fn parse(output: &str, root: &Path) -> Vec<Finding> {
    output
        .lines()
        .map(|l| l.trim().trim_start_matches("vet: "))
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let mut parts = line.splitn(4, ':');
            let path = parts.next()?.trim();
            if !path.ends_with(".go") {
                return None;
            }
            let path = relative(root, path)?;
            let row: u32 = parts.next()?.trim().parse().ok()?;
            let _column = parts.next()?;
            Some(Finding {
                kind: FindingKind::Lint,
                path,
                line: Some(row),
                message: parts.next()?.trim().to_owned(),
                tool: "go vet".to_owned(),
                fixable: false,
                score: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_vet_lines() {
        let out = "# example.com/svc\n./main.go:9:2: fmt.Printf format %d has arg name of wrong type string\nvet: store/x.go:3:1: unreachable code\n";
        let found = super::parse(out, std::path::Path::new("/r"));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].path, "main.go");
        assert_eq!(found[1].path, "store/x.go");
        assert_eq!(found[1].line, Some(3));
    }
}
