//! The tools the project can use: where each is looked for, how its version is asked, what it
//! is for and what is lost without it. Versions are asked in parallel, each under a timeout.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::report::{Check, Level, Section};

/// How long one `--version` may take (a first `cargo clippy` can be slow).
const VERSION_TIMEOUT: Duration = Duration::from_secs(20);

/// Who needs a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `automaintainer run` on its embedded defaults (the bundled Rust example) cannot work
    /// without it.
    Defaults,
    /// Some repositories or checks use it; without it they are skipped, and the run says so.
    Optional,
    /// Only the project's own tests use it.
    TestsOnly,
}

/// A tool and why it matters.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub name: &'static str,
    /// The program looked for on `PATH`.
    pub program: &'static str,
    pub version_args: &'static [&'static str],
    /// The npm package the program comes from, whose `package.json` says the version without
    /// starting the tool (`xo --version` loads all of xo: seconds).
    pub npm_package: Option<&'static str>,
    pub need: Need,
    pub used_for: &'static str,
    pub without: &'static str,
}

pub const TOOLS: &[Tool] = &[
    Tool {
        name: "cargo",
        program: "cargo",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Defaults,
        used_for: "builds and tests Rust repositories, the bundled example included",
        without: "no Rust repository can be changed; `automaintainer run` on the example fails",
    },
    Tool {
        name: "rustc",
        program: "rustc",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Defaults,
        used_for: "the Rust compiler cargo drives",
        without: "no Rust repository can be built or checked",
    },
    Tool {
        name: "clippy",
        program: "cargo-clippy",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Defaults,
        used_for: "Rust findings and `cargo clippy --fix` (the offline provider's Rust fixes)",
        without: "no Rust findings or fixes: the example has nothing to do",
    },
    Tool {
        name: "rustfmt",
        program: "rustfmt",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Defaults,
        used_for: "`cargo fmt`: formats Rust changes",
        without: "Rust changes are not formatted and formatting tasks are never chosen",
    },
    Tool {
        name: "git",
        program: "git",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Optional,
        used_for: "looking at a pull request's branch (`automaintainer show` prints the command)",
        without: "nothing in a run (libgit2 is built in); you cannot browse the branches yourself",
    },
    Tool {
        name: "python3",
        program: "python3",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Optional,
        used_for: "runs Python repositories' tests and coverage",
        without: "Python repositories get no checks and no coverage",
    },
    Tool {
        name: "ruff",
        program: "ruff",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Optional,
        used_for: "Python findings and safe fixes; lints Python changes",
        without: "Python repositories configured for ruff get no findings or fixes",
    },
    Tool {
        name: "black",
        program: "black",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Optional,
        used_for: "formats Python changes in repositories that use black",
        without: "Python changes in black repositories are left unformatted",
    },
    Tool {
        name: "flake8",
        program: "flake8",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Optional,
        used_for: "Python findings in repositories configured for flake8",
        without: "flake8 repositories get no findings",
    },
    Tool {
        name: "node",
        program: "node",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Optional,
        used_for: "runs JavaScript/TypeScript tests and linters",
        without: "JavaScript/TypeScript repositories get no checks",
    },
    Tool {
        name: "npm",
        program: "npm",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Optional,
        used_for: "installs JavaScript dev dependencies (`npm ci --ignore-scripts`), `npm test`",
        without: "JavaScript repositories' own linters and tests cannot run",
    },
    Tool {
        name: "eslint",
        program: "eslint",
        version_args: &["--version"],
        npm_package: Some("eslint"),
        need: Need::Optional,
        used_for: "JavaScript/TypeScript findings and fixes under the repository's configuration",
        without: "eslint repositories get no findings or fixes",
    },
    Tool {
        name: "biome",
        program: "biome",
        version_args: &["--version"],
        npm_package: Some("@biomejs/biome"),
        need: Need::Optional,
        used_for: "findings and safe fixes in repositories that use biome",
        without: "biome repositories get no findings or fixes",
    },
    Tool {
        name: "xo",
        program: "xo",
        version_args: &["--version"],
        npm_package: Some("xo"),
        need: Need::Optional,
        used_for: "findings and fixes in repositories that use xo",
        without: "xo repositories get no findings or fixes",
    },
    Tool {
        name: "prettier",
        program: "prettier",
        version_args: &["--version"],
        npm_package: Some("prettier"),
        need: Need::Optional,
        used_for: "formatting findings and fixes in repositories that configure prettier",
        without: "prettier repositories get no formatting findings or fixes",
    },
    Tool {
        name: "go",
        program: "go",
        version_args: &["version"],
        npm_package: None,
        need: Need::Optional,
        used_for: "`go vet` and `go test` in Go repositories",
        without: "Go repositories get no vet findings and no test check",
    },
    Tool {
        name: "gofmt",
        program: "gofmt",
        version_args: &["-h"],
        npm_package: None,
        need: Need::Optional,
        used_for: "Go formatting findings and fixes",
        without: "Go repositories get no formatting findings or fixes",
    },
    Tool {
        name: "bwrap",
        program: "bwrap",
        version_args: &["--version"],
        npm_package: None,
        need: Need::Optional,
        used_for: "the sandbox the repository's own code (builds, tests, linters) runs in",
        without: "repository code runs without a sandbox (sandbox: auto says so; required fails)",
    },
    Tool {
        name: "chromium",
        program: "chromium",
        version_args: &["--version"],
        npm_package: None,
        need: Need::TestsOnly,
        used_for: "the dashboard's browser tests",
        without: "nothing for runs; the browser tests fail",
    },
    Tool {
        name: "chromedriver",
        program: "chromedriver",
        version_args: &["--version"],
        npm_package: None,
        need: Need::TestsOnly,
        used_for: "drives chromium in the dashboard's browser tests",
        without: "nothing for runs; the browser tests fail",
    },
];

/// Every tool found (or not) on `path`, versions asked in parallel.
pub async fn check_tools(path: Option<OsString>) -> Vec<Check> {
    let mut tasks = tokio::task::JoinSet::new();
    for (index, tool) in TOOLS.iter().enumerate() {
        let found = find_program(tool.program, path.as_deref());
        let search_path = path.clone();
        tasks.spawn(async move {
            let version = match &found {
                Some(program) => Some(version(program, tool, search_path).await),
                None => None,
            };
            (index, check(tool, version))
        });
    }
    let mut checks: Vec<(usize, Check)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(done) = joined {
            checks.push(done);
        }
    }
    checks.sort_by_key(|(index, _)| *index);
    checks.into_iter().map(|(_, check)| check).collect()
}

fn check(tool: &Tool, version: Option<Result<String, String>>) -> Check {
    let (level, status, hint) = match version {
        Some(Ok(version)) => (Level::Ok, version, None),
        Some(Err(error)) => (
            missing_level(tool.need),
            format!("found but broken ({error})"),
            Some(tool.without.to_owned()),
        ),
        None => (
            missing_level(tool.need),
            "missing".to_owned(),
            Some(tool.without.to_owned()),
        ),
    };
    Check {
        section: Section::Tools,
        name: tool.name.to_owned(),
        level,
        status,
        used_for: match tool.need {
            Need::TestsOnly => format!("tests only: {}", tool.used_for),
            _ => tool.used_for.to_owned(),
        },
        hint,
    }
}

fn missing_level(need: Need) -> Level {
    match need {
        Need::Defaults => Level::Problem,
        Need::Optional | Need::TestsOnly => Level::Warning,
    }
}

/// The first executable file named `program` in the directories of `path`.
pub fn find_program(program: &str, path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let path = path?;
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The version the npm package of `program` declares, when it is one.
fn npm_version(program: &Path, package: &str) -> Option<String> {
    let real = std::fs::canonicalize(program).ok()?;
    real.ancestors().skip(1).take(6).find_map(|dir| {
        let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        (json.get("name")?.as_str()? == package)
            .then(|| json.get("version")?.as_str().map(str::to_owned))
            .flatten()
    })
}

/// The first line of `program --version` (or what the tool prints for it); an npm tool's
/// version from its package, without starting it.
async fn version(program: &Path, tool: &Tool, path: Option<OsString>) -> Result<String, String> {
    if let Some(version) = tool.npm_package.and_then(|p| npm_version(program, p)) {
        return Ok(version);
    }
    let mut command = tokio::process::Command::new(program);
    command
        .args(tool.version_args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let output = tokio::time::timeout(VERSION_TIMEOUT, command.output())
        .await
        .map_err(|_| format!("no answer in {}s", VERSION_TIMEOUT.as_secs()))?
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&output.stdout);
    let text = if text.trim().is_empty() {
        String::from_utf8_lossy(&output.stderr)
    } else {
        text
    };
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    // gofmt has no version flag: `-h` prints its usage (and exits 2); being there is enough.
    if tool.program == "gofmt" {
        return Ok("present".to_owned());
    }
    if !output.status.success() {
        return Err(format!(
            "exit {}: {first}",
            output.status.code().unwrap_or(-1)
        ));
    }
    Ok(first.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_empty_path_names_every_tool_missing() {
        let dir = tempfile::tempdir().unwrap();
        let checks = check_tools(Some(dir.path().as_os_str().to_owned())).await;
        assert_eq!(checks.len(), TOOLS.len());
        assert!(checks.iter().all(|c| c.status == "missing"));
        let cargo = checks.iter().find(|c| c.name == "cargo").unwrap();
        assert_eq!(cargo.level, Level::Problem);
        let ruff = checks.iter().find(|c| c.name == "ruff").unwrap();
        assert_eq!(ruff.level, Level::Warning);
        assert!(ruff
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("no findings"));
    }

    #[test]
    fn an_npm_tools_version_comes_from_its_package() {
        let dir = tempfile::tempdir().unwrap();
        let package = dir.path().join("lib/node_modules/xo");
        std::fs::create_dir_all(package.join("dist")).unwrap();
        std::fs::write(
            package.join("package.json"),
            r#"{"name":"xo","version":"1.2.3"}"#,
        )
        .unwrap();
        std::fs::write(package.join("dist/cli.js"), "").unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        let link = dir.path().join("bin/xo");
        std::os::unix::fs::symlink(package.join("dist/cli.js"), &link).unwrap();
        assert_eq!(npm_version(&link, "xo").as_deref(), Some("1.2.3"));
        assert_eq!(npm_version(&link, "eslint"), None);
    }

    #[test]
    fn only_executable_files_are_programs() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tool");
        std::fs::write(&file, "#!/bin/sh\n").unwrap();
        let path = dir.path().as_os_str();
        assert_eq!(find_program("tool", Some(path)), None);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_program("tool", Some(path)), Some(file));
        assert_eq!(find_program("tool", None), None);
    }
}
