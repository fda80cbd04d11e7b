//! Tool versions asked once per run. Every phase wants the versions of the tools it uses (the
//! context lists them, the offline fixer checks a tool is installed and names its version in the
//! pull request, pinned formatters are compared with it), and each `--version` is a process
//! start, some through rustup's proxies: tens of milliseconds apiece. The answers are kept in
//! this process and in the run directory (`tool-versions.json`, hidden from the repository's
//! code like the rest of the run directory), keyed by the executable the runner resolves, its
//! modification time, size and inode, and the arguments: a later phase of the run asks nothing
//! again, and a tool replaced in between is asked afresh.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::runner::{self, Request};

/// The cache's file in the run directory.
pub const FILE: &str = "tool-versions.json";

/// One executable, as it is on disk, and how it was asked. Where it was asked counts only
/// through a rustup toolchain file: rustup's proxies (`cargo`, `rustfmt`) answer for the
/// toolchain the nearest `rust-toolchain.toml` names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Key {
    program: PathBuf,
    args: Vec<String>,
    toolchain_file: Option<PathBuf>,
    modified_ns: i64,
    size: u64,
    inode: u64,
}

impl Key {
    fn of(program: &Path, args: &[&str], dir: &Path) -> Option<Self> {
        let meta = std::fs::metadata(program).ok()?;
        Some(Self {
            program: program.to_path_buf(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            toolchain_file: toolchain_file(dir),
            modified_ns: meta
                .mtime()
                .saturating_mul(1_000_000_000)
                .saturating_add(meta.mtime_nsec()),
            size: meta.size(),
            inode: meta.ino(),
        })
    }
}

/// The rustup toolchain file that governs `dir`, if any.
fn toolchain_file(dir: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().ok()?;
    dir.ancestors()
        .flat_map(|d| [d.join("rust-toolchain.toml"), d.join("rust-toolchain")])
        .find(|f| f.is_file())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    key: Key,
    /// The first line it printed; None when it did not run successfully.
    version: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    entries: Vec<Entry>,
}

type Cell = Arc<OnceLock<Option<String>>>;

/// The answers of this process, each computed once even when asked from several threads.
fn memory() -> &'static Mutex<HashMap<Key, Cell>> {
    static MEMORY: OnceLock<Mutex<HashMap<Key, Cell>>> = OnceLock::new();
    MEMORY.get_or_init(Default::default)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The first line `program args` prints (run in `dir` through the runner), from the run's cache
/// when it was asked before; `ask` runs it otherwise. None when the program is not there or
/// does not succeed.
pub fn cached(
    program: &Path,
    args: &[&str],
    dir: &Path,
    ask: impl FnOnce() -> Option<String>,
) -> Option<String> {
    let request = Request::new(program, dir);
    let resolved = runner::resolved_program(&request)?;
    let Some(key) = Key::of(&resolved, args, dir) else {
        return ask();
    };
    let cell = lock(memory()).entry(key.clone()).or_default().clone();
    cell.get_or_init(|| {
        let file = runner::run_dir().map(|dir| dir.join(FILE));
        if let Some(found) = file.as_deref().and_then(|f| stored(f, &key)) {
            return found;
        }
        let version = ask();
        if let Some(file) = &file {
            store(
                file,
                Entry {
                    key,
                    version: version.clone(),
                },
            );
        }
        version
    })
    .clone()
}

/// The answer `file` holds for `key`, if any.
fn stored(file: &Path, key: &Key) -> Option<Option<String>> {
    let text = std::fs::read_to_string(file).ok()?;
    let stored: Stored = serde_json::from_str(&text).ok()?;
    stored
        .entries
        .into_iter()
        .find(|e| &e.key == key)
        .map(|e| e.version)
}

/// Adds `entry` to `file` (written whole, then renamed into place); a failure only costs a
/// later phase one more question.
fn store(file: &Path, entry: Entry) {
    static WRITING: Mutex<()> = Mutex::new(());
    let _writing = lock(&WRITING);
    let mut stored: Stored = std::fs::read_to_string(file)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    stored.entries.retain(|e| e.key != entry.key);
    stored.entries.push(entry);
    // Only into a run directory that is there: never one made up.
    if !file.parent().is_some_and(Path::is_dir) {
        return;
    }
    if let Err(e) = crate::runner::write_json(file, &stored) {
        tracing::debug!(
            "could not keep the tool versions in {}: {e}",
            file.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn a_changed_executable_is_another_key() {
        let dir = tempfile::tempdir().unwrap();
        let tool = script(dir.path(), "tool", "echo 1.0");
        let before = Key::of(&tool, &["--version"], dir.path()).unwrap();
        assert_eq!(
            Key::of(&tool, &["--version"], dir.path()),
            Some(before.clone())
        );
        assert_ne!(
            Key::of(&tool, &["version"], dir.path()),
            Some(before.clone())
        );
        // Asked elsewhere, the same answer; under a toolchain file, another question.
        assert_eq!(
            Key::of(&tool, &["--version"], Path::new("/")),
            Some(before.clone())
        );
        std::fs::write(dir.path().join("rust-toolchain.toml"), "[toolchain]\n").unwrap();
        assert_ne!(
            Key::of(&tool, &["--version"], dir.path()),
            Some(before.clone())
        );
        std::fs::remove_file(dir.path().join("rust-toolchain.toml")).unwrap();
        std::fs::remove_file(&tool).unwrap();
        script(dir.path(), "tool", "echo 2.0.0");
        assert_ne!(Key::of(&tool, &["--version"], dir.path()), Some(before));
    }

    #[test]
    fn the_file_answers_what_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let tool = script(dir.path(), "tool", "echo 1.0");
        let file = dir.path().join(FILE);
        let key = Key::of(&tool, &["--version"], dir.path()).unwrap();
        assert_eq!(stored(&file, &key), None);
        store(
            &file,
            Entry {
                key: key.clone(),
                version: Some("tool 1.0".into()),
            },
        );
        let other = Key::of(&tool, &["-V"], dir.path()).unwrap();
        store(
            &file,
            Entry {
                key: other.clone(),
                version: None,
            },
        );
        assert_eq!(stored(&file, &key), Some(Some("tool 1.0".into())));
        assert_eq!(stored(&file, &other), Some(None));
    }
}
