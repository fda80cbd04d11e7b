//! Preparing dependencies before the repository's code runs: in the same sandbox and with the same
//! clean environment, but with the network, and only by commands that run none of the
//! repository's code (`cargo fetch`, `npm ci --ignore-scripts`, `go mod download`). The checks
//! then run with no network at all. Best effort: a step that fails is logged, and the checks
//! that needed it will say what is missing.
//!
//! Python has no such command (installing a package runs its build backend), so a Python
//! repository's dependencies are whatever the machine has.

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
pub fn prepare(clone: &Path, timeout: Duration) -> Vec<String> {
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
    done
}

fn last_line(stderr: &str, stdout: &str) -> String {
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
        if let Some(cargo_home) = &toolchains.cargo_home {
            request = request.writable(cargo_home);
        }
        // rustup installs the toolchain or components a `rust-toolchain.toml` asks for here,
        // where the network is; the checks then find them installed.
        if let Some(rustup_home) = &toolchains.rustup_home {
            request = request.writable(rustup_home);
        }
        steps.push(Step {
            request,
            what: "cargo fetch",
        });
    }
    let lockfile = ["package-lock.json", "npm-shrinkwrap.json"]
        .iter()
        .any(|f| clone.join(f).is_file());
    if lockfile && !clone.join("node_modules").exists() {
        steps.push(Step {
            request: Request::new("npm", clone).args([
                "ci",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
            ]),
            what: "npm ci --ignore-scripts",
        });
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
}
