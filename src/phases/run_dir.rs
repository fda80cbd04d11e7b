//! The run directory's boundary (DESIGN.md, "Rules that keep it safe"): am-setup marks the
//! directory it makes for a run, the phases that change or delete files there require the mark,
//! and every path an input names for a phase to write (or a clone to change) lies inside it.
//! A directory the run did not create is never changed, whatever the input says.

use std::path::{Component, Path, PathBuf};

use crate::contract::InputError;
use crate::error::Error;

/// The file am-setup writes into the run directory it creates; it holds the run id.
pub const MARKER: &str = ".automaintainer-run";

/// Makes `run_dir` the run's directory: created when missing, marked when empty, accepted when
/// already marked (a retried setup). A directory holding anything else is bad input, as is one
/// that holds the store or the cache.
pub(crate) fn prepare(run_dir: &Path, run_id: &str, keep: &[&Path]) -> Result<(), Error> {
    let refuse = |why: String| -> Error {
        InputError::field(
            "run_dir",
            format!(
                "a new or empty directory, or one am-setup made ({} {why}; refusing to touch it)",
                run_dir.display()
            ),
        )
        .into()
    };
    match std::fs::symlink_metadata(run_dir) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(refuse("is a symbolic link".to_owned()))
        }
        Ok(meta) if !meta.is_dir() => return Err(refuse("is not a directory".to_owned())),
        Ok(_) => {}
        Err(_) => {
            std::fs::create_dir_all(run_dir).map_err(|e| {
                Error::io(format!("create the run directory {}", run_dir.display()), e)
            })?;
        }
    }
    let resolved = run_dir.canonicalize().map_err(|e| {
        Error::io(
            format!("resolve the run directory {}", run_dir.display()),
            e,
        )
    })?;
    for kept in keep {
        let kept = kept.canonicalize().unwrap_or_else(|_| kept.to_path_buf());
        if kept.starts_with(&resolved) {
            return Err(refuse(format!(
                "overlaps {}, which the run must not change",
                kept.display()
            )));
        }
    }
    if is_marked(run_dir) {
        return Ok(());
    }
    let empty = std::fs::read_dir(run_dir)
        .map_err(|e| Error::io(format!("read the run directory {}", run_dir.display()), e))?
        .next()
        .is_none();
    if !empty {
        return Err(refuse(format!("holds files and no {MARKER} marker")));
    }
    std::fs::write(run_dir.join(MARKER), format!("{run_id}\n"))
        .map_err(|e| Error::io(format!("mark the run directory {}", run_dir.display()), e))
}

/// The directories a run directory must never be or hold: the cache (mirrors, tags) and the
/// data directory with the embedded store (or the directory of a `sqlite:` store).
pub(crate) fn kept_dirs(
    cache: &Path,
    database_url: Option<&crate::secrets::Secret>,
) -> Vec<PathBuf> {
    let mut kept = vec![cache.to_path_buf()];
    let store_file = match database_url.map(crate::secrets::Secret::expose) {
        Some(url) if url.starts_with("sqlite:") => {
            let path = url
                .trim_start_matches("sqlite:")
                .trim_start_matches("//")
                .split('?')
                .next()
                .unwrap_or_default();
            (!path.is_empty() && !path.starts_with(':')).then(|| PathBuf::from(path))
        }
        Some(_) => None,
        None => crate::store::default_sqlite_path().ok(),
    };
    if let Some(dir) = store_file.as_deref().and_then(Path::parent) {
        if !dir.as_os_str().is_empty() {
            kept.push(dir.to_path_buf());
        }
    }
    kept
}

/// The run id in `run_dir`'s marker, when it carries one (a regular file).
pub(crate) fn marked_by(run_dir: &Path) -> Option<String> {
    if !is_marked(run_dir) {
        return None;
    }
    std::fs::read_to_string(run_dir.join(MARKER))
        .ok()
        .map(|text| text.trim().to_owned())
}

/// Whether `run_dir` carries am-setup's marker (a regular file, not a link to one).
pub(crate) fn is_marked(run_dir: &Path) -> bool {
    std::fs::symlink_metadata(run_dir.join(MARKER)).is_ok_and(|m| m.file_type().is_file())
}

/// Refuses a run directory am-setup did not make: nothing in it is changed or deleted.
pub(crate) fn require(run_dir: &Path) -> Result<(), InputError> {
    if std::fs::symlink_metadata(run_dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(InputError::field(
            "run_dir",
            format!(
                "a run directory made by am-setup ({} is a symbolic link)",
                run_dir.display()
            ),
        ));
    }
    if !is_marked(run_dir) {
        return Err(InputError::field(
            "run_dir",
            format!(
                "a run directory made by am-setup ({} has no {MARKER} marker; refusing to change anything in it)",
                run_dir.display()
            ),
        ));
    }
    Ok(())
}

/// `path` (relative ones taken from the working directory) when it lies inside `run_dir` after
/// resolving `.`, `..` and every symlink of its existing part, and, when it exists, is a regular
/// file or a directory: never a device, a FIFO or a link out.
pub(crate) fn inside(run_dir: &Path, field: &str, path: &Path) -> Result<PathBuf, InputError> {
    let refuse = |why: &str| {
        InputError::field(
            field,
            format!(
                "a path inside the run directory {} ({} {why})",
                run_dir.display(),
                path.display()
            ),
        )
    };
    let absolute = absolute(path).ok_or_else(|| refuse("cannot be resolved"))?;
    let root = absolute_dir(run_dir).ok_or_else(|| refuse("has no run directory to be in"))?;
    let resolved = resolve(&absolute);
    if !resolved.starts_with(&root) || resolved == root {
        return Err(refuse("is outside it"));
    }
    if let Ok(meta) = std::fs::metadata(&resolved) {
        if !meta.is_file() && !meta.is_dir() {
            return Err(refuse("is not a regular file"));
        }
    }
    Ok(absolute)
}

/// `inside` for an optional output path, defaulting to `name` in the run directory.
pub(crate) fn output(
    run_dir: &Path,
    field: &str,
    given: Option<&PathBuf>,
    name: &str,
) -> Result<PathBuf, InputError> {
    inside(
        run_dir,
        field,
        &given.cloned().unwrap_or_else(|| run_dir.join(name)),
    )
}

fn absolute(path: &Path) -> Option<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut clean = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    Some(clean)
}

fn absolute_dir(run_dir: &Path) -> Option<PathBuf> {
    let absolute = absolute(run_dir)?;
    Some(absolute.canonicalize().unwrap_or(absolute))
}

/// The longest existing prefix canonicalized (symlinks followed), the rest appended.
fn resolve(absolute: &Path) -> PathBuf {
    let mut existing = absolute.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            out.extend(rest.iter().rev());
            return out;
        }
        match (
            existing.file_name().map(ToOwned::to_owned),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return absolute.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_marks_new_and_empty_directories_and_refuses_others() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("a/run");
        prepare(&fresh, "r1", &[]).unwrap();
        assert_eq!(std::fs::read_to_string(fresh.join(MARKER)).unwrap(), "r1\n");
        prepare(&fresh, "r1", &[]).unwrap();
        require(&fresh).unwrap();

        let someone_elses = dir.path().join("mine");
        std::fs::create_dir(&someone_elses).unwrap();
        std::fs::write(someone_elses.join("notes.txt"), "keep me").unwrap();
        let e = prepare(&someone_elses, "r1", &[]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string().contains("no .automaintainer-run marker"),
            "{e}"
        );
        assert!(require(&someone_elses).is_err());
        assert!(!someone_elses.join(MARKER).exists());

        let store = dir.path().join("data");
        std::fs::create_dir(&store).unwrap();
        assert!(prepare(&store, "r1", &[&store]).is_err());
        assert!(prepare(dir.path(), "r1", &[&store]).is_err());
    }

    #[test]
    fn outputs_stay_inside_the_run_directory() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        prepare(&run, "r", &[]).unwrap();
        assert_eq!(
            output(&run, "output", None, "task.json").unwrap(),
            run.join("task.json")
        );
        assert!(inside(&run, "output", &run.join("sub/x.json")).is_ok());
        for bad in [
            dir.path().join("x.json"),
            run.join("../x.json"),
            PathBuf::from("/dev/null"),
            run.clone(),
        ] {
            assert!(inside(&run, "output", &bad).is_err(), "{}", bad.display());
        }
        std::os::unix::fs::symlink(dir.path(), run.join("out")).unwrap();
        assert!(inside(&run, "output", &run.join("out/x.json")).is_err());
        std::os::unix::fs::symlink("/dev/null", run.join("null.json")).unwrap();
        assert!(inside(&run, "output", &run.join("null.json")).is_err());
    }
}
