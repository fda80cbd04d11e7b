//! An exclusive lock on one mirror while a run fetches into it and clones from it. Two runs of
//! the same repository at once (a manual trigger beside the schedule, or two flows sharing a
//! cache) would otherwise race on the mirror's refs, and a run whose first fetch failed could
//! remove a mirror another run is filling. The lock is the operating system's advisory file lock
//! on `<mirror>.lock`, so a run that dies releases it with its process.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::RepoError;

/// How often a waiting run tries the lock again.
const RETRY: Duration = Duration::from_millis(100);

/// Held while the mirror is in use; dropping it releases the lock.
#[derive(Debug)]
pub struct MirrorLock {
    _file: File,
}

impl MirrorLock {
    /// Takes the lock of the mirror at `mirror` (a file in `locks`), waiting up to `wait` for a
    /// run that holds it.
    pub fn acquire(locks: &Path, mirror: &Path, wait: Duration) -> Result<Self, RepoError> {
        let path = lock_path(locks, mirror);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| RepoError::io(format!("create {}", parent.display()), e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| RepoError::io(format!("open the mirror lock {}", path.display()), e))?;
        let started = Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                    if !told {
                        tracing::info!(
                            "another run is using the mirror {}; waiting up to {wait:?}",
                            mirror.display()
                        );
                        told = true;
                    }
                    std::thread::sleep(RETRY);
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(RepoError::MirrorBusy {
                        mirror: mirror.to_path_buf(),
                        waited: wait,
                    })
                }
                Err(TryLockError::Error(e)) => {
                    return Err(RepoError::io(
                        format!("lock the mirror {}", mirror.display()),
                        e,
                    ))
                }
            }
        }
    }
}

fn lock_path(locks: &Path, mirror: &Path) -> PathBuf {
    let mut name = mirror.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    locks.join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gives_up_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let locks = dir.path().join("locks");
        let mirror = dir.path().join("mirrors/demo-0011.git");
        let held = MirrorLock::acquire(&locks, &mirror, Duration::ZERO).unwrap();
        let busy = MirrorLock::acquire(&locks, &mirror, Duration::from_millis(300)).unwrap_err();
        assert!(matches!(busy, RepoError::MirrorBusy { .. }), "{busy:?}");
        assert!(busy.to_string().contains("demo-0011.git"), "{busy}");
        drop(held);
        MirrorLock::acquire(&locks, &mirror, Duration::ZERO).unwrap();
        assert!(locks.join("demo-0011.git.lock").is_file());
        assert!(!mirror.exists(), "the lock never makes the mirror");
    }
}
