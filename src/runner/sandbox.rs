//! The bubblewrap sandbox. The view is the whole filesystem read-only (`--ro-bind / /`), so every
//! toolchain and system library is where it always is, with what must not be seen masked by an
//! empty tmpfs: the real home (the toolchains kept in it bound back read-only, cargo's
//! credentials blanked), the data directory with the store, the cache with the mirrors, the run
//! directory; then the clone and the other writable directories bound back read-write (the
//! clone's `.git` read-only again: no hook, config, remote or ref can be written); the run's
//! clone also at one fixed path (`super::seen_clone`), its `.git` read-only there too. Masking
//! is chosen over building the view from explicit binds because toolchains live in too many
//! places (`/usr`, `/opt`, `~/.cargo`, `~/.pyenv`, `~/.nvm`, ...) to list without breaking one.
//!
//! Also: a private `/tmp`, `/dev` and `/proc`; its own PID, IPC and UTS namespaces (so killing
//! bubblewrap ends everything inside), a new session, no network unless asked, and
//! `--die-with-parent`: if the phase dies, the sandbox and all in it die with it.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use super::env::Toolchains;
use super::error::RunError;
use super::mode::SandboxMode;
use super::policy::Policy;
use super::resolve;
use super::seen_clone::{SeenClone, SEEN_CLONE};

/// What one sandboxed command sees.
#[derive(Debug, Clone)]
pub(crate) struct View<'a> {
    pub(crate) toolchains: &'a Toolchains,
    /// PATH entries (toolchains under the real home are bound back from them).
    pub(crate) path: Option<&'a OsStr>,
    pub(crate) hidden: &'a [PathBuf],
    /// Bound read-write, in this order: the working directory first.
    pub(crate) writable: Vec<PathBuf>,
    pub(crate) dir: &'a Path,
    pub(crate) network: bool,
    /// The run's clone (resolved): when it is bound read-write, it is also shown at
    /// [`super::seen_clone::SEEN_CLONE`] and a command in it starts there.
    pub(crate) clone: Option<&'a Path>,
}

/// The writable directories as bound: resolved, each once, in order.
fn bound(view: &View<'_>) -> Vec<PathBuf> {
    let mut bound: Vec<PathBuf> = Vec::new();
    for dir in &view.writable {
        let real = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if !bound.contains(&real) {
            bound.push(real);
        }
    }
    bound
}

/// Where `view` shows the run's clone besides its own path: None when it does not bind the
/// clone read-write, or cannot show it at the seen path ([`SeenClone::new`]).
pub(crate) fn seen_clone(view: &View<'_>) -> Option<SeenClone> {
    let clone = view.clone?;
    let mut binds = bound(view);
    if !binds.iter().any(|b| b == clone) {
        return None;
    }
    if let Some(home) = real_home(view) {
        binds.extend(toolchain_dirs(&home, view));
    }
    SeenClone::new(clone, &binds)
}

/// The real home, resolved, when there is one to mask.
fn real_home(view: &View<'_>) -> Option<PathBuf> {
    view.toolchains
        .real_home
        .as_ref()
        .and_then(|h| h.canonicalize().ok())
        .filter(|h| h.parent().is_some())
}

/// The bubblewrap arguments for `view`, up to (not including) the program; `seen` is where
/// [`seen_clone`] said the view shows the clone.
pub(crate) fn arguments(view: &View<'_>, seen: Option<&SeenClone>) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    let mut push = |items: &[&OsStr]| args.extend(items.iter().map(|s| s.to_os_string()));
    push(&["--ro-bind".as_ref(), "/".as_ref(), "/".as_ref()]);
    push(&["--dev".as_ref(), "/dev".as_ref()]);
    push(&["--proc".as_ref(), "/proc".as_ref()]);
    push(&["--tmpfs".as_ref(), "/tmp".as_ref()]);
    if let Some(home) = &real_home(view) {
        push(&["--tmpfs".as_ref(), home.as_os_str()]);
        for dir in toolchain_dirs(home, view) {
            push(&["--ro-bind".as_ref(), dir.as_os_str(), dir.as_os_str()]);
        }
    }
    for dir in view.hidden {
        if dir.is_dir() && dir.parent().is_some() {
            push(&["--tmpfs".as_ref(), dir.as_os_str()]);
        }
    }
    let mut binds: Vec<(PathBuf, PathBuf)> =
        bound(view).into_iter().map(|r| (r.clone(), r)).collect();
    if let Some(seen) = seen {
        binds.push((seen.real().to_path_buf(), PathBuf::from(SEEN_CLONE)));
    }
    for (real, at) in &binds {
        // Bound at its resolved path: a symlink on the way to it is seen, read-only, as it is.
        push(&["--bind".as_ref(), real.as_os_str(), at.as_os_str()]);
        // The clone's git directory stays read-only: the repository's code can read its
        // history but not add a hook, rewrite the remote or the config, or move a ref.
        let git = real.join(".git");
        if git.exists() {
            let git_at = at.join(".git");
            push(&["--ro-bind".as_ref(), git.as_os_str(), git_at.as_os_str()]);
        }
    }
    if let Some(cargo_home) = &view.toolchains.cargo_home {
        for name in ["credentials", "credentials.toml"] {
            let file = cargo_home.join(name);
            if file.is_file() {
                push(&["--ro-bind".as_ref(), "/dev/null".as_ref(), file.as_os_str()]);
            }
        }
    }
    let dir = view
        .dir
        .canonicalize()
        .unwrap_or_else(|_| view.dir.to_path_buf());
    let dir = seen.and_then(|s| s.inside(&dir)).unwrap_or(dir);
    push(&["--chdir".as_ref(), dir.as_os_str()]);
    push(&[
        "--unshare-pid".as_ref(),
        "--unshare-ipc".as_ref(),
        "--unshare-uts".as_ref(),
        "--new-session".as_ref(),
        "--die-with-parent".as_ref(),
    ]);
    if !view.network {
        push(&["--unshare-net".as_ref()]);
    }
    push(&["--".as_ref()]);
    args
}

/// The directories under the real home the toolchains need: the top-level entry of the home
/// that holds each toolchain location and each PATH entry (`~/.cargo`, `~/.pyenv`, `~/.local`).
fn toolchain_dirs(home: &Path, view: &View<'_>) -> Vec<PathBuf> {
    let t = view.toolchains;
    let mut places: Vec<PathBuf> = [
        &t.cargo_home,
        &t.rustup_home,
        &t.gopath,
        &t.python_user_base,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    if let Some(path) = view.path {
        places.extend(std::env::split_paths(path));
    }
    let mut dirs: Vec<PathBuf> = places
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .filter_map(|p| {
            let first = p.strip_prefix(home).ok()?.components().next()?;
            Some(home.join(first))
        })
        .filter(|d| d.is_dir())
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Whether a working bubblewrap is on `path` (the phase's PATH when None).
pub fn bwrap_available(path: Option<&OsStr>) -> bool {
    find(path).is_ok()
}

/// The working bubblewrap on `path`, or why there is none. Probed once per binary and process.
fn find(path: Option<&OsStr>) -> Result<PathBuf, String> {
    let phase_path = std::env::var_os("PATH");
    let path = path.or(phase_path.as_deref());
    let bwrap = resolve::program(OsStr::new("bwrap"), Path::new("/"), path)
        .ok_or_else(|| "bubblewrap (bwrap) is not installed".to_owned())?;
    static PROBED: OnceLock<Mutex<HashMap<PathBuf, Result<(), String>>>> = OnceLock::new();
    let probed = PROBED.get_or_init(Default::default);
    let mut probed = match probed.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    probed
        .entry(bwrap.clone())
        .or_insert_with(|| probe(&bwrap))
        .clone()
        .map(|()| bwrap)
}

/// Runs `true` in a sandbox like the real ones.
fn probe(bwrap: &Path) -> Result<(), String> {
    let output = Command::new(bwrap)
        .args([
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--tmpfs",
            "/tmp",
        ])
        .args([
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-net",
        ])
        .args(["--new-session", "--die-with-parent", "--", "true"])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("bubblewrap ({}) could not start: {e}", bwrap.display()))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "bubblewrap ({}) cannot create its namespaces here: {}",
        bwrap.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    ))
}

/// The bubblewrap to run `program` in under `policy`, None to run it bare; Err when the policy
/// requires a sandbox there is none of.
pub(crate) fn choose(policy: &Policy, program: &str) -> Result<Option<PathBuf>, RunError> {
    if policy.mode == SandboxMode::Off {
        return Ok(None);
    }
    match find(policy.path.as_deref()) {
        Ok(bwrap) => Ok(Some(bwrap)),
        Err(reason) if policy.mode == SandboxMode::Required => Err(RunError::SandboxUnavailable {
            program: program.to_owned(),
            reason,
        }),
        Err(reason) => {
            static WARNED: AtomicBool = AtomicBool::new(false);
            if !WARNED.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "{reason}; the repository's code runs WITHOUT the sandbox: it can use the network and write outside the clone (its environment is still cleaned of secrets). Install bubblewrap, or set `sandbox: required` to refuse"
                );
            }
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_then_binds_back_in_that_order() {
        let home = tempfile::tempdir().unwrap();
        let home_path = home.path().canonicalize().unwrap();
        std::fs::create_dir_all(home_path.join(".cargo/bin")).unwrap();
        std::fs::write(home_path.join(".cargo/credentials.toml"), "token").unwrap();
        let data = home_path.join(".local/share/automaintainer");
        std::fs::create_dir_all(&data).unwrap();
        let clone = tempfile::tempdir().unwrap();
        let toolchains = Toolchains {
            real_home: Some(home_path.clone()),
            cargo_home: Some(home_path.join(".cargo")),
            python_user_base: Some(home_path.join(".local")),
            ..Toolchains::default()
        };
        let hidden = vec![data.clone()];
        let view = View {
            toolchains: &toolchains,
            path: None,
            hidden: &hidden,
            writable: vec![clone.path().to_path_buf()],
            dir: clone.path(),
            network: false,
            clone: None,
        };
        let args: Vec<String> = arguments(&view, None)
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let at = |flag: &str, path: &Path| {
            args.windows(2)
                .position(|w| w[0] == flag && w[1] == path.to_string_lossy())
                .unwrap_or_else(|| panic!("{flag} {} missing in {args:?}", path.display()))
        };
        let home_mask = at("--tmpfs", &home_path);
        let cargo = at("--ro-bind", &home_path.join(".cargo"));
        let local = at("--ro-bind", &home_path.join(".local"));
        let data_mask = at("--tmpfs", &data);
        let clone_bind = at("--bind", &clone.path().canonicalize().unwrap());
        assert!(
            home_mask < cargo && cargo < data_mask && local < data_mask && data_mask < clone_bind
        );
        assert!(args.contains(&"--unshare-net".to_owned()));
        assert!(args.contains(&"--die-with-parent".to_owned()));
        assert!(args.iter().any(|a| a.ends_with("credentials.toml")));
        assert_eq!(args.last().map(String::as_str), Some("--"));
    }
}
