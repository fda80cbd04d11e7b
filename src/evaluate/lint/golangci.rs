//! golangci-lint on Go. Its linters type-check whole packages, so like clippy it runs in a
//! scratch checkout of the base and then the head commit, once per Go module that holds changed
//! files, on the packages (directories) of those files, with the repository's own configuration.
//!
//! Both major versions are spoken: v2 `--output.json.path stdout --show-stats=false` (and
//! `--path-mode abs` from 2.1 on), v1 `--out-format json`. The caps golangci-lint puts on
//! repeated issues by default are lifted so the counts are whole, and issues do not change the
//! exit code, so a non-zero exit means golangci-lint itself failed. Issues of its `typecheck`
//! pseudo-linter mean the code does not compile: that side is not linted, not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;

use super::checkout::Checkout;
use super::{Change, Counts, Sides};
use crate::lint::spawn::run;
use crate::repo::change::ChangedFile;
use crate::runner::{self, Request};

pub const EXTENSIONS: &[&str] = &["go"];

/// A golangci-lint release, from `golangci-lint --version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    /// `golangci-lint has version 2.1.6 built with go1.24.2 from ...` -> 2.1.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = &text[text.find("version")? + "version".len()..];
        let number = rest.split_whitespace().next()?.trim_start_matches('v');
        let mut parts = number.split('.');
        Some(Self {
            major: parts.next()?.parse().ok()?,
            minor: parts.next()?.parse().ok()?,
        })
    }

    /// The arguments of `golangci-lint run` for a JSON report on stdout, whole and uncapped.
    pub fn run_args(self) -> Vec<&'static str> {
        let mut args = vec!["run"];
        if self.major >= 2 {
            args.extend(["--output.json.path", "stdout", "--show-stats=false"]);
            if self.minor >= 1 {
                args.extend(["--path-mode", "abs"]);
            }
        } else {
            args.extend(["--out-format", "json"]);
        }
        args.extend([
            "--issues-exit-code",
            "0",
            "--max-issues-per-linter",
            "0",
            "--max-same-issues",
            "0",
            "--allow-parallel-runners",
        ]);
        args
    }
}

pub fn lint(change: &Change, files: &[&ChangedFile], deadline: Instant) -> Result<Sides, String> {
    let version = runner::run(
        &Request::new("golangci-lint", change.clone)
            .arg("--version")
            .timeout(std::time::Duration::from_secs(60)),
    )
    .ok()
    .filter(|ran| ran.success())
    .and_then(|ran| Version::parse(&ran.stdout))
    .ok_or_else(|| "golangci-lint is not installed".to_owned())?;
    let scratch = tempfile::tempdir().map_err(|e| format!("create a scratch directory: {e}"))?;
    let mut checkout = Checkout::create(change.clone, change.base, &scratch.path().join("src"))?;
    let before = lint_side(&checkout, files, |f| f.before.is_some(), version, deadline)
        .map_err(|e| format!("at the base commit: {e}"))?;
    checkout.advance(change.head)?;
    let after = lint_side(&checkout, files, |f| f.after.is_some(), version, deadline)
        .map_err(|e| format!("at the head commit: {e}"))?;
    let Some(after) = after else {
        return Err("no Go module (go.mod) holds the changed .go files".to_owned());
    };
    Ok(Sides {
        before: before.unwrap_or_default(),
        after,
        reused: Vec::new(),
    })
}

/// Counts of the checkout's current side; None when no changed file lies in a Go module.
fn lint_side(
    checkout: &Checkout,
    files: &[&ChangedFile],
    present: impl Fn(&ChangedFile) -> bool,
    version: Version,
    deadline: Instant,
) -> Result<Option<Counts>, String> {
    let wanted: BTreeSet<String> = files
        .iter()
        .filter(|f| present(f))
        .map(|f| f.path.clone())
        .collect();
    // Module root -> the package directories (relative to it) holding changed files.
    let mut modules: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for path in &wanted {
        let file = checkout.dir().join(path);
        let Some(root) = module_root(checkout.dir(), &file) else {
            continue;
        };
        let package = file
            .parent()
            .and_then(|p| p.strip_prefix(&root).ok())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let package = if package.is_empty() {
            ".".to_owned()
        } else {
            format!("./{package}")
        };
        modules.entry(root).or_default().insert(package);
    }
    if modules.is_empty() {
        return Ok(None);
    }
    let mut counts = Counts::new();
    for (root, packages) in &modules {
        let command = Request::new("golangci-lint", root)
            .args(version.run_args())
            .args(packages);
        let ran = run(command, None, deadline, "golangci-lint")?;
        if !ran.success {
            return Err(format!("golangci-lint failed: {}", ran.stderr_tail()));
        }
        let issues = parse(&ran.stdout)?;
        for (path, n) in count_issues(&issues, checkout, root, &wanted)? {
            *counts.entry(path).or_insert(0) += n;
        }
    }
    Ok(Some(counts))
}

/// Issues per changed file (`wanted`, repository-relative); paths in the report are absolute
/// or relative to the module root `root`. Err when the code does not compile.
fn count_issues(
    issues: &[Issue],
    checkout: &Checkout,
    root: &Path,
    wanted: &BTreeSet<String>,
) -> Result<Counts, String> {
    if let Some(error) = issues.iter().find(|i| i.from_linter == "typecheck") {
        return Err(format!("the code does not compile: {}", error.text));
    }
    let mut counts = Counts::new();
    for issue in issues {
        let Some(path) = checkout.relative(root, &issue.pos.filename) else {
            continue;
        };
        if wanted.contains(&path) {
            *counts.entry(path).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// The directory of the `go.mod` nearest above `file`, inside the checkout.
fn module_root(dir: &Path, file: &Path) -> Option<PathBuf> {
    let mut current = file.parent();
    while let Some(candidate) = current {
        if !candidate.starts_with(dir) {
            break;
        }
        if candidate.join("go.mod").is_file() {
            return Some(candidate.to_path_buf());
        }
        current = candidate.parent();
    }
    None
}

/// golangci-lint's JSON report: `{"Issues": [...] | null, "Report": {...}}`.
#[derive(Debug, Deserialize)]
struct Report {
    #[serde(rename = "Issues", default)]
    issues: Option<Vec<Issue>>,
}

#[derive(Debug, Deserialize)]
pub struct Issue {
    #[serde(rename = "FromLinter")]
    pub from_linter: String,
    #[serde(rename = "Text")]
    pub text: String,
    #[serde(rename = "Pos")]
    pub pos: Position,
}

#[derive(Debug, Deserialize)]
pub struct Position {
    #[serde(rename = "Filename")]
    pub filename: String,
}

/// The issues of the JSON report at the start of `stdout` (anything printed after it, as some
/// versions print statistics, is ignored).
pub fn parse(stdout: &str) -> Result<Vec<Issue>, String> {
    let start = stdout
        .find('{')
        .ok_or_else(|| "golangci-lint printed no JSON report".to_owned())?;
    let report = serde_json::Deserializer::from_str(&stdout[start..])
        .into_iter::<Report>()
        .next()
        .ok_or_else(|| "golangci-lint printed no JSON report".to_owned())?
        .map_err(|e| format!("golangci-lint's report is unreadable: {e}"))?;
    Ok(report.issues.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report in golangci-lint's documented JSON format (`Issues` with `FromLinter`, `Text`,
    /// `Severity`, `SourceLines`, `Replacement`, `Pos`; then `Report`), as v1 and v2 print it.
    const REPORT: &str = r#"{"Issues":[{"FromLinter":"errcheck","Text":"Error return value of `os.Remove` is not checked","Severity":"","SourceLines":["\tos.Remove(path)"],"Replacement":null,"Pos":{"Filename":"/tmp/s/src/svc/store/files.go","Offset":312,"Line":17,"Column":11},"ExpectNoLint":false,"ExpectedNoLintLinter":""},{"FromLinter":"unused","Text":"func `helper` is unused","Severity":"","SourceLines":["func helper() {}"],"Replacement":null,"Pos":{"Filename":"/tmp/s/src/svc/store/files.go","Offset":401,"Line":24,"Column":6},"ExpectNoLint":false,"ExpectedNoLintLinter":""},{"FromLinter":"govet","Text":"printf: fmt.Sprintf format %d has arg name of wrong type string","Severity":"","SourceLines":["\t_ = fmt.Sprintf(\"%d\", name)"],"Replacement":null,"Pos":{"Filename":"/tmp/s/src/svc/main.go","Offset":88,"Line":9,"Column":6},"ExpectNoLint":false,"ExpectedNoLintLinter":""}],"Report":{"Linters":[{"Name":"errcheck","Enabled":true},{"Name":"govet","Enabled":true},{"Name":"unused","Enabled":true}]}}"#;

    #[test]
    fn reads_the_documented_report_format() {
        let issues = parse(&format!("{REPORT}\n3 issues:\n* errcheck: 1\n")).unwrap();
        let linters: Vec<&str> = issues.iter().map(|i| i.from_linter.as_str()).collect();
        assert_eq!(linters, ["errcheck", "unused", "govet"]);
        assert_eq!(issues[0].pos.filename, "/tmp/s/src/svc/store/files.go");
        assert_eq!(issues[1].text, "func `helper` is unused");
        // No issues: `"Issues": null` (v1) or `[]`.
        assert!(parse(r#"{"Issues":null,"Report":{}}"#).unwrap().is_empty());
        assert!(parse("level=error msg=\"no go files to analyze\"").is_err());
    }

    #[test]
    fn speaks_both_major_versions() {
        let v2 = Version::parse("golangci-lint has version 2.1.6 built with go1.24.2 from eabc263 on 2025-05-04T15:36:41Z").unwrap();
        assert_eq!(v2, Version { major: 2, minor: 1 });
        let args = v2.run_args();
        assert!(args
            .windows(2)
            .any(|w| w == ["--output.json.path", "stdout"]));
        assert!(args.windows(2).any(|w| w == ["--path-mode", "abs"]));
        assert!(args.windows(2).any(|w| w == ["--max-same-issues", "0"]));
        let v1 = Version::parse("golangci-lint has version v1.64.8 built with go1.24.1").unwrap();
        assert_eq!(v1.major, 1);
        let args = v1.run_args();
        assert!(args.windows(2).any(|w| w == ["--out-format", "json"]));
        assert!(!args.contains(&"--output.json.path"));
        assert!(Version::parse("command not found").is_none());
    }

    #[test]
    fn issues_are_counted_per_changed_file_of_the_checkout() {
        let repo = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            super::super::checkout::tests::git(repo.path(), args);
        };
        git(&["init", "-q"]);
        std::fs::create_dir_all(repo.path().join("svc/store")).unwrap();
        std::fs::write(repo.path().join("svc/go.mod"), "module example.com/svc\n").unwrap();
        std::fs::write(repo.path().join("svc/store/files.go"), "package store\n").unwrap();
        git(&["add", "-A"]);
        git(&["commit", "-qm", "c"]);
        let scratch = tempfile::tempdir().unwrap();
        let checkout = Checkout::create(repo.path(), "HEAD", &scratch.path().join("src")).unwrap();
        let file = checkout.dir().join("svc/store/files.go");
        let root = module_root(checkout.dir(), &file).unwrap();
        assert_eq!(root, checkout.dir().join("svc"));
        // v2 with --path-mode abs prints absolute paths; v1 prints them relative to the module.
        let report = REPORT.replace("/tmp/s/src", &checkout.dir().to_string_lossy());
        let issues = parse(&report).unwrap();
        let wanted = BTreeSet::from(["svc/store/files.go".to_owned()]);
        assert_eq!(
            count_issues(&issues, &checkout, &root, &wanted).unwrap(),
            Counts::from([("svc/store/files.go".to_owned(), 2)])
        );
        let relative = parse(&REPORT.replace("/tmp/s/src/svc/", "")).unwrap();
        assert_eq!(
            count_issues(&relative, &checkout, &root, &wanted).unwrap(),
            Counts::from([("svc/store/files.go".to_owned(), 2)])
        );
        let broken = parse(r#"{"Issues":[{"FromLinter":"typecheck","Text":"undefined: Foo","Pos":{"Filename":"store/files.go","Line":3}}]}"#).unwrap();
        let error = count_issues(&broken, &checkout, &root, &wanted).unwrap_err();
        assert_eq!(error, "the code does not compile: undefined: Foo");
    }
}
