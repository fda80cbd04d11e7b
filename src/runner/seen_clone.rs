//! Where the sandbox shows the run's clone: besides its own path, at one fixed path
//! ([`SEEN_CLONE`]) whatever the run directory, and commands in the clone start there. Every run
//! clones into a new run directory, and what a build keeps is keyed by where the sources lie:
//! rustc's incremental cache (in the repository's kept target directory) holds every source
//! file's path, so a clone at a new path compiled the crate again from nothing (semver:
//! `cargo clippy --fix` 0.76 s against 0.57 s, `cargo test` 0.43 s against 0.25 s,
//! bench/whole_run.md). Seen at one path, a warm run builds only what changed, as a developer's
//! checkout does.
//!
//! What the phases give and read back stays the clone's real path: arguments naming a path in
//! the clone are given as the sandbox sees it, and the seen path in the command's output is put
//! back to the real one, so the parsers of tools' output (which strip the clone's path) and the
//! lint memo see what they saw before. Only the sandbox uses it: bare, a command runs where the
//! clone is.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The clone's path inside the sandbox. Under the sandbox's private `/tmp` (an empty tmpfs), so
/// bubblewrap creates it there and nothing of the host's `/tmp` is touched.
pub(crate) const SEEN_CLONE: &str = "/tmp/automaintainer/repo";

/// The clone of a run (its resolved path), as one sandboxed command sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SeenClone {
    real: PathBuf,
}

impl SeenClone {
    /// The clone at `real` (resolved) seen at [`SEEN_CLONE`] by a command bound with `binds`
    /// (every path the sandbox binds from the host): None when the clone already lies there, or
    /// when a bind would cover the seen path or lie under it (bubblewrap would then create its
    /// mount point in a host directory).
    pub(crate) fn new(real: &Path, binds: &[PathBuf]) -> Option<Self> {
        let seen = Path::new(SEEN_CLONE);
        if real == seen || real.parent().is_none() {
            return None;
        }
        let clash = binds
            .iter()
            .any(|bind| bind != real && (seen.starts_with(bind) || bind.starts_with(seen)));
        (!clash).then(|| Self {
            real: real.to_path_buf(),
        })
    }

    /// The clone's real path.
    pub(crate) fn real(&self) -> &Path {
        &self.real
    }

    /// Where the sandbox shows `path`: under the seen path when it is in the clone.
    pub(crate) fn inside(&self, path: &Path) -> Option<PathBuf> {
        let rest = path.strip_prefix(&self.real).ok()?;
        let seen = Path::new(SEEN_CLONE);
        Some(if rest.as_os_str().is_empty() {
            seen.to_path_buf()
        } else {
            seen.join(rest)
        })
    }

    /// `arg` as the sandbox sees it: a path in the clone (the whole argument) moved to the seen
    /// path, anything else as it is.
    pub(crate) fn argument(&self, arg: &OsStr) -> OsString {
        let path = Path::new(arg);
        if path.is_absolute() {
            if let Some(inside) = self.inside(path) {
                return inside.into_os_string();
            }
        }
        arg.to_os_string()
    }

    /// `text` (a command's output) with the seen path put back to the clone's real one, where it
    /// stands as a path: followed by `/`, the end, or a character no file name continues with.
    pub(crate) fn output(&self, text: String) -> String {
        if !text.contains(SEEN_CLONE) {
            return text;
        }
        let real = self.real.as_os_str().as_bytes();
        let Ok(real) = std::str::from_utf8(real) else {
            return text;
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(SEEN_CLONE) {
            let after = &rest[at + SEEN_CLONE.len()..];
            out.push_str(&rest[..at]);
            let continues = after
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
            out.push_str(if continues { SEEN_CLONE } else { real });
            rest = after;
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen() -> SeenClone {
        SeenClone::new(Path::new("/var/runs/r1/repo"), &[]).unwrap()
    }

    #[test]
    fn paths_in_the_clone_are_given_where_the_sandbox_shows_them() {
        let seen = seen();
        assert_eq!(
            seen.argument(OsStr::new("/var/runs/r1/repo/Cargo.toml")),
            OsString::from("/tmp/automaintainer/repo/Cargo.toml")
        );
        assert_eq!(
            seen.argument(OsStr::new("/var/runs/r1/repo")),
            OsString::from(SEEN_CLONE)
        );
        for other in ["--all-targets", "src/lib.rs", "/var/runs/r1/repository/x"] {
            assert_eq!(seen.argument(OsStr::new(other)), OsString::from(other));
        }
        assert_eq!(
            seen.inside(Path::new("/var/runs/r1/repo/crates/a")),
            Some(PathBuf::from("/tmp/automaintainer/repo/crates/a"))
        );
        assert_eq!(seen.inside(Path::new("/var/runs/r1")), None);
    }

    #[test]
    fn the_output_names_the_clone_where_it_really_is() {
        let seen = seen();
        let printed = "Diff in /tmp/automaintainer/repo/src/lib.rs:3:\n\
             {\"filename\":\"/tmp/automaintainer/repo/a.py\"} at /tmp/automaintainer/repo\n\
             /tmp/automaintainer/repository/x /tmp/automaintainer/repo.old";
        assert_eq!(
            seen.output(printed.to_owned()),
            "Diff in /var/runs/r1/repo/src/lib.rs:3:\n\
             {\"filename\":\"/var/runs/r1/repo/a.py\"} at /var/runs/r1/repo\n\
             /tmp/automaintainer/repository/x /tmp/automaintainer/repo.old"
        );
        assert_eq!(seen.output("nothing".to_owned()), "nothing");
    }

    #[test]
    fn not_used_where_a_bind_would_cover_the_seen_path_or_lie_in_it() {
        let real = Path::new("/var/runs/r1/repo");
        assert!(
            SeenClone::new(real, &[real.to_path_buf(), PathBuf::from("/srv/target")]).is_some()
        );
        for bind in ["/tmp", "/tmp/automaintainer", "/tmp/automaintainer/repo/x"] {
            assert!(
                SeenClone::new(real, &[PathBuf::from(bind)]).is_none(),
                "{bind}"
            );
        }
        assert!(SeenClone::new(Path::new(SEEN_CLONE), &[]).is_none());
    }
}
