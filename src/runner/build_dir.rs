//! One cargo target directory per run, shared by every phase (context's clippy, the offline
//! fixes, the checks, the review's clippy, the evaluation), and kept between runs of the same
//! repository, so a run builds the dependencies once and a warm run not at all.
//!
//! am-setup chooses it and records it in the run directory (`build-dirs.json`); each phase's
//! sandbox policy reads the record and every command the runner starts gets it as
//! `CARGO_TARGET_DIR`, bound read-write in the sandbox. Where no directory is kept (a phase run
//! alone, without setup's record) the run's own `cargo-target` is used.
//!
//! Why keeping it is safe. The repository's code (build scripts, proc macros, tests) writes into
//! the target directory, so whatever it holds is as trusted as that code, and no more:
//! - it is keyed by the repository (a hash of the name the store locks runs on), so only later
//!   runs of the same repository read it, and those run the same repository's code anyway: a
//!   poisoned artifact can do nothing there the repository's `build.rs` could not do directly;
//! - it is only ever read by cargo inside the sandbox, under the same policy; the phases read
//!   cargo's output, which that code already controls (a proc macro can emit any diagnostic),
//!   and never follow paths inside the directory themselves;
//! - every other repository's kept directory is masked in the sandbox (the builds root is
//!   hidden, only this repository's directory is bound back), so nothing crosses repositories;
//! - it never holds a secret: the commands that write it get no secret in their environment, and
//!   the phases write nothing into it (the lint records live in the run directory);
//! - it lies in the cache (`<cache>/builds`, by default the data directory beside the store),
//!   never inside the run directory; the sandbox masks the data and cache directories whole and
//!   binds back only this directory, so neither the store nor the run's artifacts are ever
//!   reachable with it;
//! - one run per repository at a time (the store's lock), so two runs never share it at once.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::artifacts::BuildDirs;

/// The directory under `builds` kept for `repository`.
pub fn kept_cargo_target(builds: &Path, repository: &str) -> PathBuf {
    let digest = Sha256::digest(repository.as_bytes());
    builds.join("cargo").join(hex::encode(&digest[..12]))
}

/// The build directories of a run in `run_dir` of `repository`: the repository's kept target
/// directory under `builds` (from `crate::repo::cache::builds_dir`), else the run's own.
pub fn choose(run_dir: &Path, builds: Option<&Path>, repository: &str) -> BuildDirs {
    match builds {
        Some(builds) => BuildDirs {
            cargo_target_dir: kept_cargo_target(builds, repository),
            kept: true,
        },
        None => own(run_dir),
    }
}

fn own(run_dir: &Path) -> BuildDirs {
    BuildDirs {
        cargo_target_dir: std::path::absolute(run_dir)
            .unwrap_or_else(|_| run_dir.to_path_buf())
            .join(crate::artifacts::CARGO_TARGET_DIR),
        kept: false,
    }
}

/// Where the run keeps linters' answers (`crate::lint::memo`): beside a kept build
/// (`<hash>.memo`, under the builds root the sandbox masks, swept with the build), else in the
/// run directory.
pub(crate) fn lint_memo(dirs: &BuildDirs, run_dir: &Path) -> PathBuf {
    if dirs.kept {
        let mut name = dirs
            .cargo_target_dir
            .file_name()
            .unwrap_or_default()
            .to_os_string();
        name.push(MEMO_SUFFIX);
        dirs.cargo_target_dir.with_file_name(name)
    } else {
        run_dir.join("lint-memo")
    }
}

/// The suffix of a kept build's memo directory.
pub(crate) const MEMO_SUFFIX: &str = ".memo";

/// The run's build directories as am-setup recorded them, else the run's own.
pub fn for_run(run_dir: &Path) -> BuildDirs {
    let record = run_dir.join(crate::artifacts::BUILD_DIRS);
    match crate::artifacts::read::<BuildDirs>(&record) {
        Ok(dirs) if dirs.cargo_target_dir.is_absolute() => dirs,
        _ => own(run_dir),
    }
}

/// The cargo target directory of the policy in force, else `fallback`.
pub fn cargo_target_dir(fallback: &Path) -> PathBuf {
    super::policy::current()
        .cargo_target_dir
        .clone()
        .unwrap_or_else(|| fallback.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_repository_keeps_its_own_directory() {
        let builds = Path::new("/c/builds");
        let a = kept_cargo_target(builds, "https://example.com/a.git");
        assert_eq!(a, kept_cargo_target(builds, "https://example.com/a.git"));
        assert_ne!(a, kept_cargo_target(builds, "https://example.com/b.git"));
        assert!(a.starts_with("/c/builds/cargo"));
    }

    #[test]
    fn a_run_without_a_record_builds_in_its_own_directory() {
        let run = tempfile::tempdir().unwrap();
        let dirs = for_run(run.path());
        assert!(!dirs.kept);
        assert!(dirs.cargo_target_dir.starts_with(run.path()));
    }
}
