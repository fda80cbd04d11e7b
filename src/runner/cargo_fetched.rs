//! Whether `cargo fetch` has nothing to do, across runs of a repository: it ran to a clean end
//! on the same manifests, lock and cargo configuration (the files' contents), leaving the lock
//! as it was, and every crate the lock names from a registry is still unpacked in cargo's home
//! (`registry/src/*/<name>-<version>/.cargo-ok`, what cargo writes when a crate is whole). Then
//! the fetch would download nothing and change nothing, and the run's commands build offline
//! from what is there, as after the fetch. A git dependency, or a registry crate gone from the
//! home (a cleaned cache), and the fetch runs.
//!
//! The record lives where the lint memo does (beside the repository's kept build, hidden from
//! the sandbox); outside a kept build only the run's own phases share it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::env::Toolchains;

/// The record's file in the memo directory.
const RECORD: &str = "cargo-fetch.json";
/// The lock at the root, the only one cargo reads.
const LOCK: &str = "Cargo.lock";
/// Keys kept: a branch switched back and forth stays known.
const KEPT: usize = 8;

/// The cargo files of `clone` as a key, with what the lock names from a registry; None when
/// the fetch must run (no lock at the root, a dependency from git, a file unreadable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manifests {
    key: String,
    /// `name-version` of every registry crate the lock names.
    crates: Vec<String>,
}

impl Manifests {
    pub(crate) fn of(clone: &Path, toolchains: &Toolchains) -> Option<Self> {
        let lock = std::fs::read_to_string(clone.join(LOCK)).ok()?;
        let crates = registry_crates(&lock)?;
        let mut hasher = Sha256::new();
        for path in cargo_files(clone)? {
            let digest = if path == LOCK {
                Sha256::digest(lock.as_bytes())
            } else {
                Sha256::digest(std::fs::read(clone.join(&path)).ok()?)
            };
            hasher.update(path.as_bytes());
            hasher.update([0]);
            hasher.update(digest);
        }
        hasher.update(toolchains.cargo_home_config());
        Some(Self {
            key: hex::encode(hasher.finalize()),
            crates,
        })
    }

    /// Whether a fetch on these files ran before (recorded in `dir`) and everything it brought
    /// is still unpacked in cargo's home.
    pub(crate) fn fetched(&self, dir: &Path, toolchains: &Toolchains) -> bool {
        read(dir).contains(&self.key) && self.unpacked(toolchains)
    }

    /// Notes that a fetch on these files ran to a clean end and left the lock as it was.
    pub(crate) fn record(&self, dir: &Path) {
        let mut keys = read(dir);
        keys.retain(|k| k != &self.key);
        keys.push(self.key.clone());
        let from = keys.len().saturating_sub(KEPT);
        if let Err(e) = super::whole_file::write_json(&dir.join(RECORD), &keys[from..]) {
            tracing::debug!("could not note that cargo fetch ran: {e}");
        }
    }

    fn unpacked(&self, toolchains: &Toolchains) -> bool {
        let Some(home) = &toolchains.cargo_home else {
            return false;
        };
        let Ok(registries) = std::fs::read_dir(home.join("registry/src")) else {
            return self.crates.is_empty();
        };
        let registries: Vec<PathBuf> = registries.flatten().map(|e| e.path()).collect();
        self.crates.iter().all(|name| {
            registries
                .iter()
                .any(|dir| dir.join(name).join(".cargo-ok").is_file())
        })
    }
}

/// `name-version` of every package the lock takes from a registry; None when one comes from
/// elsewhere than a registry or the lock cannot be read.
fn registry_crates(lock: &str) -> Option<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<Package>,
    }
    #[derive(serde::Deserialize)]
    struct Package {
        name: String,
        version: String,
        source: Option<String>,
    }
    let lock: Lock = toml::from_str(lock).ok()?;
    let mut crates = Vec::new();
    for package in lock.package {
        match package.source.as_deref() {
            None => {}
            Some(source) if source.starts_with("registry+") || source.starts_with("sparse+") => {
                crates.push(format!("{}-{}", package.name, package.version));
            }
            Some(_) => return None,
        }
    }
    Some(crates)
}

/// The files that decide what cargo fetches, repository-relative, sorted: every tracked
/// `Cargo.toml`, the root's `Cargo.lock`, `.cargo/config(.toml)` and the toolchain files.
fn cargo_files(clone: &Path) -> Option<Vec<String>> {
    let index = git2::Repository::open(clone).ok()?.index().ok()?;
    let mut files: Vec<String> = index
        .iter()
        .filter_map(|entry| String::from_utf8(entry.path).ok())
        .filter(|path| {
            let name = path.rsplit('/').next().unwrap_or(path);
            name == "Cargo.toml"
                || path.ends_with(".cargo/config")
                || path.ends_with(".cargo/config.toml")
                || path == "rust-toolchain"
                || path == "rust-toolchain.toml"
        })
        .collect();
    files.push(LOCK.to_owned());
    files.sort();
    files.dedup();
    Some(files)
}

fn read(dir: &Path) -> Vec<String> {
    std::fs::read(dir.join(RECORD))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["itoa"]

[[package]]
name = "itoa"
version = "1.0.15"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "4a5f13b858c8d314ee3e8f639011f7ccefe71f97f96e50151fb991f267928e2c"
"#;

    fn clone_with(lock: &str) -> tempfile::TempDir {
        let clone = tempfile::tempdir().unwrap();
        for (path, text) in [
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nitoa = \"1\"\n",
            ),
            ("Cargo.lock", lock),
            ("src/lib.rs", "pub fn f() {}\n"),
        ] {
            let file = clone.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let git = |args: &[&str]| crate::repo::test_git::git(clone.path(), args);
        git(&["init", "-q"]);
        git(&["add", "-A"]);
        git(&["commit", "-qm", "init"]);
        clone
    }

    fn home_with(crates: &[&str]) -> (tempfile::TempDir, Toolchains) {
        let home = tempfile::tempdir().unwrap();
        for name in crates {
            let dir = home
                .path()
                .join("registry/src/index.crates.io-1949cf8c6b5b557f")
                .join(name);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(".cargo-ok"), "{\"v\":1}").unwrap();
        }
        let toolchains = Toolchains {
            cargo_home: Some(home.path().to_path_buf()),
            ..Toolchains::default()
        };
        (home, toolchains)
    }

    #[test]
    fn a_fetch_on_the_same_files_with_its_crates_unpacked_is_not_needed_again() {
        let clone = clone_with(LOCK);
        let (_home, toolchains) = home_with(&["itoa-1.0.15"]);
        let memo = tempfile::tempdir().unwrap();
        let manifests = Manifests::of(clone.path(), &toolchains).unwrap();
        assert!(
            !manifests.fetched(memo.path(), &toolchains),
            "never fetched"
        );
        manifests.record(memo.path());
        assert!(manifests.fetched(memo.path(), &toolchains));

        // Source files do not count; a manifest does.
        std::fs::write(clone.path().join("src/lib.rs"), "pub fn g() {}\n").unwrap();
        assert_eq!(
            Manifests::of(clone.path(), &toolchains).as_ref(),
            Some(&manifests)
        );
        let toml = clone.path().join("Cargo.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(&toml, text.replace("itoa = \"1\"", "itoa = \"1.0.15\"")).unwrap();
        let changed = Manifests::of(clone.path(), &toolchains).unwrap();
        assert!(!changed.fetched(memo.path(), &toolchains));
    }

    #[test]
    fn a_crate_gone_from_cargos_home_needs_the_fetch() {
        let clone = clone_with(LOCK);
        let (home, toolchains) = home_with(&["itoa-1.0.15"]);
        let memo = tempfile::tempdir().unwrap();
        let manifests = Manifests::of(clone.path(), &toolchains).unwrap();
        manifests.record(memo.path());
        std::fs::remove_dir_all(home.path().join("registry")).unwrap();
        assert!(!manifests.fetched(memo.path(), &toolchains));
        // Unpacking half-done (no `.cargo-ok`) is not unpacked.
        let (half, toolchains) = home_with(&[]);
        std::fs::create_dir_all(half.path().join("registry/src/x/itoa-1.0.15")).unwrap();
        assert!(!manifests.fetched(memo.path(), &toolchains));
    }

    #[test]
    fn a_git_dependency_or_no_lock_always_fetches() {
        let git = LOCK.replace(
            "registry+https://github.com/rust-lang/crates.io-index",
            "git+https://github.com/dtolnay/itoa#abc",
        );
        let (_home, toolchains) = home_with(&["itoa-1.0.15"]);
        assert_eq!(Manifests::of(clone_with(&git).path(), &toolchains), None);
        let clone = clone_with(LOCK);
        std::fs::remove_file(clone.path().join("Cargo.lock")).unwrap();
        assert_eq!(Manifests::of(clone.path(), &toolchains), None);
    }
}
