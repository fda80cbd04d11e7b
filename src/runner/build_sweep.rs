//! Kept build directories are removed once no run has used them for a while
//! (`AM_BUILD_KEEP_DAYS`, 14 by default), so a repository that is no longer run, or whose
//! dependencies moved on, does not keep its gigabytes in the cache for ever.
//!
//! A run marks its repository's directory as used by a stamp beside it (`<hash>.used` in
//! `builds/cargo`), never inside it: the directory is writable by the repository's code, which
//! could have left a link there for the stamp to follow. The sweep never follows links either:
//! it removes only real directories of the builds root (the sandbox masks that root, so their
//! names and stamps are the product's own), and `remove_dir_all` does not follow the links the
//! repository's code may have left inside them.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How long a kept build directory outlives its last use, by default.
const DEFAULT_KEEP_DAYS: u64 = 14;

/// `AM_BUILD_KEEP_DAYS`, else two weeks; at least a day.
pub(crate) fn keep_for() -> Duration {
    let days = match std::env::var("AM_BUILD_KEEP_DAYS") {
        Ok(value) => value.trim().parse::<u64>().unwrap_or_else(|_| {
            tracing::warn!(
                "AM_BUILD_KEEP_DAYS is not a number of days ({value:?}); keeping kept builds {DEFAULT_KEEP_DAYS} days"
            );
            DEFAULT_KEEP_DAYS
        }),
        Err(_) => DEFAULT_KEEP_DAYS,
    };
    Duration::from_secs(days.clamp(1, 3650) * 86_400)
}

/// The stamp that says when `kept` was last used.
fn stamp(kept: &Path) -> PathBuf {
    let mut name = kept.file_name().unwrap_or_default().to_os_string();
    name.push(".used");
    kept.with_file_name(name)
}

/// The memo directory of `kept` (`super::build_dir::lint_memo`).
fn memo(kept: &Path) -> PathBuf {
    let mut name = kept.file_name().unwrap_or_default().to_os_string();
    name.push(super::build_dir::MEMO_SUFFIX);
    kept.with_file_name(name)
}

/// Marks `kept` as used now.
pub(crate) fn mark_used(kept: &Path) -> std::io::Result<()> {
    std::fs::write(stamp(kept), b"")
}

/// Removes the kept directories beside `kept` (not `kept` itself) last used more than `max_age`
/// ago, with their stamps; returns what was removed. A directory without a stamp counts from its
/// own modification time.
pub(crate) fn sweep(kept: &Path, max_age: Duration) -> Vec<PathBuf> {
    let Some(root) = kept.parent() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        // The running build, and every build's memo (it goes with its build).
        if path == kept
            || path
                .to_string_lossy()
                .ends_with(super::build_dir::MEMO_SUFFIX)
        {
            continue;
        }
        // Real directories only: a link is neither followed nor removed.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_dir() {
            continue;
        }
        let used = std::fs::symlink_metadata(stamp(&path))
            .and_then(|m| m.modified())
            .or_else(|_| meta.modified());
        let stale = used
            .ok()
            .and_then(|used| now.duration_since(used).ok())
            .is_some_and(|age| age > max_age);
        if !stale {
            continue;
        }
        match std::fs::remove_dir_all(&path) {
            Ok(()) => {
                let _ = std::fs::remove_file(stamp(&path));
                let _ = std::fs::remove_dir_all(memo(&path));
                removed.push(path);
            }
            Err(e) => tracing::warn!("could not remove the stale build {}: {e}", path.display()),
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    fn used(dir: &Path, ago: Duration) {
        std::fs::create_dir_all(dir.join("debug/deps")).unwrap();
        std::fs::write(dir.join("debug/deps/libx.rlib"), b"x").unwrap();
        mark_used(dir).unwrap();
        std::fs::File::options()
            .write(true)
            .open(stamp(dir))
            .unwrap()
            .set_modified(SystemTime::now() - ago)
            .unwrap();
    }

    #[test]
    fn builds_unused_for_longer_than_kept_go_and_the_running_one_stays() {
        let builds = tempfile::tempdir().unwrap();
        let root = builds.path().join("cargo");
        let (stale, fresh, running) = (root.join("aa"), root.join("bb"), root.join("cc"));
        used(&stale, 20 * DAY);
        used(&fresh, 3 * DAY);
        used(&running, 30 * DAY);
        // Each build's memo, old: it goes with its build, never on its own.
        for build in [&stale, &fresh, &running] {
            std::fs::create_dir_all(memo(build)).unwrap();
            std::fs::write(memo(build).join("clippy-1.json"), b"{}").unwrap();
            std::fs::File::open(memo(build))
                .unwrap()
                .set_modified(SystemTime::now() - 40 * DAY)
                .unwrap();
        }
        // A link beside them, to a directory outside, is neither followed nor removed.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("keep-me"), b"x").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("dd")).unwrap();

        let removed = sweep(&running, 14 * DAY);

        assert_eq!(removed, std::slice::from_ref(&stale));
        assert!(!stale.exists() && !stamp(&stale).exists() && !memo(&stale).exists());
        assert!(memo(&fresh).join("clippy-1.json").exists());
        assert!(memo(&running).join("clippy-1.json").exists());
        assert!(fresh.join("debug/deps/libx.rlib").exists());
        assert!(running.join("debug/deps/libx.rlib").exists());
        assert!(outside.path().join("keep-me").exists());
        assert!(root.join("dd").symlink_metadata().is_ok());
    }

    #[test]
    fn the_stamp_lies_beside_the_directory_not_in_it() {
        let builds = tempfile::tempdir().unwrap();
        let kept = builds.path().join("cargo").join("ab12");
        std::fs::create_dir_all(&kept).unwrap();
        mark_used(&kept).unwrap();
        assert!(builds.path().join("cargo/ab12.used").is_file());
        assert_eq!(std::fs::read_dir(&kept).unwrap().count(), 0);
    }
}
