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

use super::cargo_fetched::Manifests;
use super::command::Request;
use super::env::Toolchains;
use super::execute::run;

/// One preparation step and what it may write besides the clone.
#[derive(Debug)]
struct Step {
    request: Request,
    what: &'static str,
    /// Whether all it fetches lands outside the clone (cargo's and Go's caches), so that once
    /// done in a run it stays done for the same files; `node_modules` lives in the clone and
    /// goes with it.
    outside_the_clone: bool,
}

/// The steps done earlier in the run (`prepared.json` in the run directory), each with the
/// working tree it left (`crate::repo::worktree_id`).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Earlier {
    #[serde(skip)]
    file: PathBuf,
    #[serde(skip)]
    worktree: Option<String>,
    steps: Vec<(String, String)>,
    /// The content id of the `Cargo.lock` cargo fetch left at the root, when the repository
    /// commits none (`cargo_lock`).
    #[serde(default)]
    cargo_lock: Option<String>,
}

impl Earlier {
    /// The run's record and the working tree at `clone` now; None outside a run.
    fn read(clone: &Path) -> Option<Self> {
        let file = super::execute::run_dir()?.join(PREPARED);
        let mut earlier: Self = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        earlier.file = file;
        earlier.worktree = crate::repo::worktree_id::of_assuming(clone, &earlier.absent()).ok();
        Some(earlier)
    }

    /// What the clone's reset may have removed that cargo writes again, the same, on its next
    /// command: the `Cargo.lock` cargo fetch left, counted as there.
    fn absent(&self) -> Vec<(&'static str, git2::Oid)> {
        self.cargo_lock
            .as_deref()
            .and_then(|id| git2::Oid::from_str(id).ok())
            .map(|id| ("Cargo.lock", id))
            .into_iter()
            .collect()
    }

    fn done(&self, what: &str) -> bool {
        let Some(worktree) = &self.worktree else {
            return false;
        };
        self.steps.iter().any(|(w, t)| w == what && t == worktree)
    }

    /// Notes `what` as done on the working tree at `clone` as it is now.
    fn record(&mut self, clone: &Path, what: &str) {
        if what == CARGO_FETCH {
            self.cargo_lock = untracked_lock(clone).map(|id| id.to_string());
        }
        let Ok(worktree) = crate::repo::worktree_id::of_assuming(clone, &self.absent()) else {
            return;
        };
        self.steps.retain(|(w, _)| w != what);
        self.steps.push((what.to_owned(), worktree));
        let written = serde_json::to_vec(self)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&self.file, bytes));
        if let Err(e) = written {
            tracing::debug!("could not note that {what} ran: {e}");
        }
    }
}

/// The content id of the untracked `Cargo.lock` at the root of `clone`, if there is one.
fn untracked_lock(clone: &Path) -> Option<git2::Oid> {
    let repo = git2::Repository::open(clone).ok()?;
    let tracked = repo
        .index()
        .ok()?
        .get_path(Path::new("Cargo.lock"), 0)
        .is_some();
    let file = clone.join("Cargo.lock");
    (!tracked && file.is_file())
        .then(|| git2::Oid::hash_file(git2::ObjectType::Blob, &file).ok())
        .flatten()
}

/// The id of the working tree at `clone` as the run's commands see it
/// (`crate::repo::worktree_id`): a `Cargo.lock` cargo fetch left earlier in the run and the
/// clone's reset removed counts as there, since cargo writes it again, the same, on its next
/// command. None when the tree cannot be read.
pub(crate) fn worktree_id(clone: &Path) -> Option<String> {
    let absent = Earlier::read(clone).map(|e| e.absent()).unwrap_or_default();
    crate::repo::worktree_id::of_assuming(clone, &absent)
        .map_err(|e| tracing::debug!("the working tree cannot be read: {e}"))
        .ok()
}

/// The step that fetches cargo's dependencies.
const CARGO_FETCH: &str = "cargo fetch";

/// The record of [`Earlier`] in the run directory.
const PREPARED: &str = "prepared.json";

/// Fetches the dependencies of the repository at `clone`; each step at most `timeout`. Returns
/// what was prepared, for the log.
///
/// `python_tools` are requirement specifiers of the tools a Python repository pins
/// (`black==24.8.0`), installed into its environment so the pinned version runs.
pub fn prepare(clone: &Path, timeout: Duration, python_tools: &[String]) -> Vec<String> {
    let mut done = Vec::new();
    let mut earlier = Earlier::read(clone);
    let toolchains = Toolchains::from_env();
    let kept = super::execute::lint_memo_dir();
    for step in steps(clone, &toolchains) {
        if earlier.as_ref().is_some_and(|e| e.done(step.what)) {
            tracing::debug!("{} ran earlier in the run on the same files", step.what);
            done.push(step.what.to_owned());
            continue;
        }
        let manifests = (step.what == CARGO_FETCH)
            .then(|| Manifests::of(clone, &toolchains))
            .flatten();
        if let (Some(manifests), Some(kept)) = (&manifests, &kept) {
            if manifests.fetched(kept, &toolchains) {
                tracing::debug!("cargo fetch ran before on the same manifests and lock, and all it brought is there");
                done.push(step.what.to_owned());
                continue;
            }
        }
        let request = step
            .request
            .timeout(timeout)
            .network()
            .output_cap(64 * 1024);
        match run(&request) {
            Ok(ran) if ran.success() => {
                tracing::info!("prepared the dependencies: {}", step.what);
                done.push(step.what.to_owned());
                // Kept across runs only when the fetch left the lock as it was.
                if let (Some(before), Some(kept)) = (&manifests, &kept) {
                    if Manifests::of(clone, &toolchains).as_ref() == Some(before) {
                        before.record(kept);
                    }
                }
                if step.outside_the_clone {
                    if let Some(earlier) = earlier.as_mut() {
                        earlier.record(clone, step.what);
                    }
                }
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
            what: CARGO_FETCH,
            outside_the_clone: true,
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
                outside_the_clone: false,
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
                outside_the_clone: false,
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
            outside_the_clone: true,
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
