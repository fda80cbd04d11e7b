//! Preparing dependencies before the repository's code runs: in the same sandbox and with the same
//! clean environment, but with the network, and only by commands that run none of the
//! repository's code (`cargo fetch`, `npm ci --ignore-scripts`, `go mod download`). The checks
//! then run with no network at all. Best effort: a step that fails is logged, and the checks
//! that needed it will say what is missing.
//!
//! A repository without a lockfile gets `npm install --ignore-scripts --no-package-lock` (the
//! versions its manifest allows, no lockfile written). A Python repository gets its own
//! environment in two halves, wheels fetched with the network and installed without it
//! (`python_env`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::command::Request;
use super::env::Toolchains;
use super::execute::run;

/// One preparation step and what it may write besides the clone.
#[derive(Debug)]
struct Step {
    request: Request,
    what: &'static str,
}

/// Fetches the dependencies of the repository at `clone`; each step at most `timeout`. Returns
/// what was prepared, for the log.
///
/// `python_tools` are requirement specifiers of the tools a Python repository pins
/// (`black==24.8.0`), installed into its environment so the pinned version runs.
pub fn prepare(clone: &Path, timeout: Duration, python_tools: &[String]) -> Vec<String> {
    let mut done = Vec::new();
    for step in steps(clone, &Toolchains::from_env()) {
        let request = step
            .request
            .timeout(timeout)
            .network()
            .output_cap(64 * 1024);
        match run(&request) {
            Ok(ran) if ran.success() => {
                tracing::info!("prepared the dependencies: {}", step.what);
                done.push(step.what.to_owned());
            }
            Ok(ran) => {
                tracing::warn!(
                "preparing the dependencies with `{}` failed ({}); the checks run without them: {}",
                step.what,
                if ran.timed_out { "timed out".to_owned() } else { format!("exit {:?}", ran.code) },
                last_line(&ran.stderr, &ran.stdout)
            )
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => tracing::warn!(
                "preparing the dependencies with `{}` failed; the checks run without them: {e}",
                step.what
            ),
        }
    }
    if let Some(cache) = &super::policy::current().build_cache {
        if let Some(what) = super::python_env::prepare(clone, cache, timeout, python_tools) {
            tracing::info!("prepared the dependencies: {what}");
            done.push(what);
        }
    }
    done
}

pub(crate) fn last_line(stderr: &str, stdout: &str) -> String {
    let text = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn steps(clone: &Path, toolchains: &Toolchains) -> Vec<Step> {
    let mut steps = Vec::new();
    if clone.join("Cargo.toml").is_file() {
        let mut request = Request::new("cargo", clone)
            .args(["fetch", "--quiet"])
            // The repository's cargo configuration cannot slip a program in: the compiler and its
            // wrappers come from the environment, which takes precedence over config files.
            .env("RUSTC", "rustc")
            .env("RUSTC_WRAPPER", "")
            .env("RUSTC_WORKSPACE_WRAPPER", "")
            .env("CARGO_TERM_COLOR", "never");
        // Only cargo's download caches are writable: never its `bin/` (a program written there
        // would run outside the sandbox later) nor rustup's home (a `rust-toolchain.toml` must
        // not install or replace the operator's toolchains; rustup is told not to try).
        if let Some(cargo_home) = &toolchains.cargo_home {
            for cache in ["registry", "git"] {
                let dir = cargo_home.join(cache);
                if std::fs::create_dir_all(&dir).is_ok() {
                    request = request.writable(dir);
                }
            }
        }
        request = request.env("RUSTUP_AUTO_INSTALL", "0");
        steps.push(Step {
            request,
            what: "cargo fetch",
        });
    }
    let lockfile = ["package-lock.json", "npm-shrinkwrap.json"]
        .iter()
        .any(|f| clone.join(f).is_file());
    if !clone.join("node_modules").exists() {
        if lockfile {
            steps.push(Step {
                request: Request::new("npm", clone).args([
                    "ci",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                ]),
                what: "npm ci --ignore-scripts",
            });
        } else if declares_npm_dependencies(clone) {
            // No lockfile: the versions the manifest allows, as the repository's own CI gets
            // them; no lockfile is written into the clone.
            steps.push(Step {
                request: Request::new("npm", clone).args([
                    "install",
                    "--ignore-scripts",
                    "--no-package-lock",
                    "--no-audit",
                    "--no-fund",
                ]),
                what: "npm install --ignore-scripts --no-package-lock",
            });
        }
    }
    if clone.join("go.mod").is_file() {
        let mut request = Request::new("go", clone).args(["mod", "download"]);
        if let Some(cache) = go_mod_cache(toolchains) {
            request = request.env("GOMODCACHE", &cache).writable(cache);
        }
        steps.push(Step {
            request,
            what: "go mod download",
        });
    }
    steps
}

/// Whether `package.json` names dependencies to install (a yarn or pnpm lockfile is left to
/// those tools, which the machine may not have: npm would resolve other versions).
fn declares_npm_dependencies(clone: &Path) -> bool {
    if ["yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock"]
        .iter()
        .any(|f| clone.join(f).exists())
    {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(clone.join("package.json")) else {
        return false;
    };
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    ["dependencies", "devDependencies"].iter().any(|key| {
        manifest
            .get(key)
            .and_then(serde_json::Value::as_object)
            .is_some_and(|deps| !deps.is_empty())
    })
}

/// Go's module cache, created if missing so it can be bound writable.
fn go_mod_cache(toolchains: &Toolchains) -> Option<PathBuf> {
    let cache = std::env::var_os("GOMODCACHE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| toolchains.gopath.as_ref().map(|g| g.join("pkg/mod")))?;
    std::fs::create_dir_all(&cache).ok()?;
    Some(cache)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetches_by_the_build_files_present_and_never_runs_scripts() {
        let clone = tempfile::tempdir().unwrap();
        assert!(steps(clone.path(), &Toolchains::default()).is_empty());
        std::fs::write(clone.path().join("Cargo.toml"), "[package]\n").unwrap();
        std::fs::write(clone.path().join("package-lock.json"), "{}").unwrap();
        let found = steps(clone.path(), &Toolchains::default());
        let whats: Vec<&str> = found.iter().map(|s| s.what).collect();
        assert_eq!(whats, ["cargo fetch", "npm ci --ignore-scripts"]);
        assert!(found[1]
            .request
            .args
            .iter()
            .any(|a| a == "--ignore-scripts"));
    }

    #[test]
    fn without_a_lockfile_npm_installs_what_the_manifest_allows_and_writes_no_lockfile() {
        let clone = tempfile::tempdir().unwrap();
        std::fs::write(clone.path().join("package.json"), r#"{"name":"x"}"#).unwrap();
        assert!(steps(clone.path(), &Toolchains::default()).is_empty());
        std::fs::write(
            clone.path().join("package.json"),
            r#"{"name":"x","devDependencies":{"xo":"^1"}}"#,
        )
        .unwrap();
        let found = steps(clone.path(), &Toolchains::default());
        assert_eq!(found.len(), 1);
        let args: Vec<_> = found[0]
            .request
            .args
            .iter()
            .map(|a| a.to_str().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "install",
                "--ignore-scripts",
                "--no-package-lock",
                "--no-audit",
                "--no-fund"
            ]
        );
        // A yarn repository is not resolved anew by npm.
        std::fs::write(clone.path().join("yarn.lock"), "").unwrap();
        assert!(steps(clone.path(), &Toolchains::default()).is_empty());
    }
}
