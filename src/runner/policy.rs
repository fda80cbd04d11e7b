//! The process's sandbox policy: the mode, and what the repository's code must never see (the
//! data directory with the store, the cache with the mirrors, the run directory with its
//! artifacts). Each phase that runs repository code sets it once, from its input; until then
//! the default hides the data and cache directories the environment names.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::error::RunError;
use super::mode::SandboxMode;

/// The build caches' directory inside the run directory.
pub const BUILD_CACHE: &str = "build-cache";

/// How commands are confined.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub mode: SandboxMode,
    /// Directories masked (an empty tmpfs over each) before the writable ones are bound back.
    pub hidden: Vec<PathBuf>,
    /// The PATH commands get, and bubblewrap is looked for on; the phase's when None.
    pub path: Option<OsString>,
    /// A directory of the run's for build caches that would otherwise start cold in every
    /// throwaway home (Go's build cache, golangci-lint's): shared by the run's commands, removed
    /// with the run.
    pub build_cache: Option<PathBuf>,
    /// The cargo target directory every command of the run builds in (`CARGO_TARGET_DIR`, bound
    /// read-write), chosen by am-setup: see [`super::build_dir`].
    pub cargo_target_dir: Option<PathBuf>,
    /// The run directory, hidden from the repository's code: where the run's phases keep what
    /// they share with each other (the tool versions they asked), out of the sandbox's reach.
    pub run_dir: Option<PathBuf>,
    /// Where linters' answers are kept (`crate::lint::memo`): beside the kept build, else in the
    /// run directory; both out of the sandbox's reach.
    pub lint_memo: Option<PathBuf>,
    /// The run's clone (resolved): the sandbox also shows it at one path whatever the run
    /// directory, see [`super::seen_clone`]. Set by [`configure`].
    pub clone: Option<PathBuf>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            mode: SandboxMode::Auto,
            hidden: private_dirs(None, None),
            path: None,
            build_cache: None,
            cargo_target_dir: None,
            run_dir: None,
            lint_memo: None,
            clone: None,
        }
    }
}

impl Policy {
    /// The policy of a phase working in `run_dir`.
    pub fn for_run(run_dir: &Path, mode: SandboxMode) -> Self {
        let build = super::build_dir::for_run(run_dir);
        // Every repository's kept directory is masked; the run's own is bound back.
        let builds_root = build
            .kept
            .then(|| build.cargo_target_dir.parent().map(Path::to_path_buf))
            .flatten();
        let absolute = std::path::absolute(run_dir).unwrap_or_else(|_| run_dir.to_path_buf());
        Self {
            mode,
            hidden: private_dirs(Some(run_dir), builds_root),
            path: None,
            build_cache: Some(absolute.join(BUILD_CACHE)),
            lint_memo: Some(super::build_dir::lint_memo(&build, &absolute)),
            cargo_target_dir: Some(build.cargo_target_dir),
            run_dir: Some(absolute),
            clone: None,
        }
    }
}

/// The data directory (and the store's SQLite file's directory), the cache directory, the run
/// directory and the kept build directories, each as given and resolved.
fn private_dirs(run_dir: Option<&Path>, builds: Option<PathBuf>) -> Vec<PathBuf> {
    let mut dirs = vec![crate::repo::cache::cache_dir(None)];
    if let Ok(store) = crate::store::default_sqlite_path() {
        dirs.extend(store.parent().map(Path::to_path_buf));
    }
    if let Some(path) = std::env::var("DATABASE_URL")
        .ok()
        .and_then(|url| sqlite_file(&url))
    {
        dirs.extend(path.parent().map(Path::to_path_buf));
    }
    dirs.extend(run_dir.map(Path::to_path_buf));
    dirs.extend(builds);
    let mut resolved: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        let absolute = std::path::absolute(&dir).unwrap_or(dir);
        if let Ok(real) = absolute.canonicalize() {
            resolved.push(real);
        }
        resolved.push(absolute);
    }
    resolved.retain(|d| d.parent().is_some());
    resolved.sort();
    resolved.dedup();
    resolved
}

/// The file of a `sqlite:` URL.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Sets the policy of a phase working in `run_dir` on the clone at `clone`: the mode of the run
/// options (`operator`) and the clone's `.automaintainer.yml`, combined as
/// [`SandboxMode::effective`] says. Returns the mode in force.
/// Err when the mode is `required` and there is no working bubblewrap: said before anything
/// runs.
pub fn configure(
    run_dir: &Path,
    clone: &Path,
    operator: Option<SandboxMode>,
) -> Result<SandboxMode, RunError> {
    let repository = crate::repo_config::RepoConfig::load(clone)
        .ok()
        .and_then(|config| config.sandbox);
    let mode = SandboxMode::effective(operator, repository);
    let policy = Policy {
        clone: clone.canonicalize().ok(),
        ..Policy::for_run(run_dir, mode)
    };
    super::sandbox::choose(&policy, "the repository's code")?;
    set_policy(policy);
    Ok(mode)
}

static CURRENT: RwLock<Option<Arc<Policy>>> = RwLock::new(None);

/// Sets the policy of every command this process runs from now on.
pub fn set_policy(policy: Policy) {
    tracing::debug!(mode = policy.mode.as_str(), hidden = ?policy.hidden, "sandbox policy");
    match CURRENT.write() {
        Ok(mut current) => *current = Some(Arc::new(policy)),
        Err(poisoned) => *poisoned.into_inner() = Some(Arc::new(policy)),
    }
}

/// The policy in force.
pub(crate) fn current() -> Arc<Policy> {
    let current = match CURRENT.read() {
        Ok(current) => current.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    current.unwrap_or_else(|| Arc::new(Policy::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/am/am.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/am/am.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://h/db"), None);
    }

    #[test]
    fn a_run_hides_its_run_directory() {
        let run = tempfile::tempdir().unwrap();
        let policy = Policy::for_run(run.path(), SandboxMode::Required);
        let real = run.path().canonicalize().unwrap();
        assert!(policy.hidden.contains(&real), "{:?}", policy.hidden);
    }
}
