//! Finding a program the way the shell would, on the PATH the command gets, so "not installed"
//! is known before anything starts (inside the sandbox it would only be an exit status).

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The executable `program` names: a path (relative to `dir`) when it has a slash, else the
/// first match on `path`.
pub(crate) fn program(program: &OsStr, dir: &Path, path: Option<&OsStr>) -> Option<PathBuf> {
    let given = Path::new(program);
    if given.components().count() > 1 || program.to_string_lossy().contains('/') {
        let full = if given.is_absolute() {
            given.to_path_buf()
        } else {
            dir.join(given)
        };
        return executable(&full).then_some(full);
    }
    std::env::split_paths(path?)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(given))
        .find(|candidate| executable(candidate))
}

fn executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_on_the_path_and_by_relative_path() {
        let found = program(
            OsStr::new("sh"),
            Path::new("/"),
            Some(OsStr::new("/nowhere:/bin:/usr/bin")),
        );
        assert!(found.is_some_and(|p| p.ends_with("sh")));
        assert_eq!(
            program(
                OsStr::new("sh"),
                Path::new("/"),
                Some(OsStr::new("/nowhere"))
            ),
            None
        );
        assert_eq!(
            program(OsStr::new("bin/sh"), Path::new("/"), None),
            Some(PathBuf::from("/bin/sh"))
        );
    }
}
