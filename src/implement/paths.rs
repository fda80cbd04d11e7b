//! Which paths a change may write (DESIGN.md, "Rules that keep it safe"): relative paths inside
//! the clone only, no `..`, nothing under `.git/`, no way out through a symlink, the repository's
//! allowed and denied globs, workflows only when allowed, and never the configuration itself.

use std::path::{Component, Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::repo_config::{RepoConfig, FILE_NAME};

/// Why a path may not be written; read as "`<path>`: <reason>".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{path}`: {reason}")]
pub struct Refusal {
    pub path: String,
    pub reason: String,
}

/// The rules for one clone.
#[derive(Debug)]
pub struct PathPolicy {
    root: PathBuf,
    canonical_root: PathBuf,
    allowed: Option<Gitignore>,
    denied: Gitignore,
    allow_workflows: bool,
}

impl PathPolicy {
    pub fn new(root: &Path, config: &RepoConfig) -> Result<Self, std::io::Error> {
        let canonical_root = root.canonicalize()?;
        let globs = |patterns: &[String]| {
            let mut builder = GitignoreBuilder::new(root);
            for pattern in patterns {
                // Patterns were validated when the config was read.
                let _ = builder.add_line(None, pattern);
            }
            builder.build().unwrap_or_else(|_| Gitignore::empty())
        };
        Ok(Self {
            root: root.to_path_buf(),
            canonical_root,
            allowed: (!config.allowed_paths.is_empty()).then(|| globs(&config.allowed_paths)),
            denied: globs(&config.denied_paths),
            allow_workflows: config.allow_workflow_edits,
        })
    }

    /// The absolute path to write for `relative`, or why it may not be written.
    pub fn check(&self, relative: &str) -> Result<PathBuf, Refusal> {
        let refuse = |reason: &str| Refusal {
            path: relative.to_owned(),
            reason: reason.to_owned(),
        };
        let normalized = lexical(relative).map_err(|reason| refuse(&reason))?;
        let text = normalized.to_string_lossy().replace('\\', "/");
        if normalized.components().any(|c| c.as_os_str() == ".git") {
            return Err(refuse("nothing under .git/ may be changed"));
        }
        if text == FILE_NAME {
            return Err(refuse(
                "the repository's AutoMaintainer configuration is not changed by AutoMaintainer",
            ));
        }
        if text.starts_with(".github/workflows/") && !self.allow_workflows {
            return Err(refuse(
                "workflow files are not edited unless `allow_workflow_edits` is set",
            ));
        }
        if self
            .denied
            .matched_path_or_any_parents(&normalized, false)
            .is_ignore()
        {
            return Err(refuse("denied by `denied_paths`"));
        }
        if let Some(allowed) = &self.allowed {
            if !allowed
                .matched_path_or_any_parents(&normalized, false)
                .is_ignore()
            {
                return Err(refuse("outside `allowed_paths`"));
            }
        }
        let absolute = self.root.join(&normalized);
        self.inside_after_symlinks(&normalized)
            .map_err(|reason| refuse(&reason))?;
        Ok(absolute)
    }

    /// Every prefix of the path that exists must resolve inside the clone: a symlinked directory
    /// or file pointing elsewhere would carry the write out.
    fn inside_after_symlinks(&self, relative: &Path) -> Result<(), String> {
        let mut prefix = self.root.clone();
        for component in relative.components() {
            prefix.push(component);
            match std::fs::symlink_metadata(&prefix) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    let target = prefix
                        .canonicalize()
                        .map_err(|_| "goes through a dangling symlink".to_owned())?;
                    if !target.starts_with(&self.canonical_root) {
                        return Err(
                            "goes through a symlink that leads outside the repository".to_owned()
                        );
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        Ok(())
    }
}

/// `relative` as a clean relative path: not empty, not absolute, no `..`.
fn lexical(relative: &str) -> Result<PathBuf, String> {
    if relative.trim().is_empty() {
        return Err("the path is empty".to_owned());
    }
    if relative.contains('\0') {
        return Err("the path contains a NUL byte".to_owned());
    }
    let path = Path::new(relative);
    let looks_absolute = relative.starts_with('/')
        || relative.starts_with('\\')
        || relative.chars().nth(1) == Some(':');
    if path.is_absolute() || looks_absolute {
        return Err(
            "absolute paths are not allowed; give a path relative to the repository root"
                .to_owned(),
        );
    }
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err("`..` is not allowed in paths".to_owned()),
            Component::RootDir | Component::Prefix(_) => {
                return Err("absolute paths are not allowed".to_owned())
            }
        }
    }
    if clean.as_os_str().is_empty() {
        return Err("the path names the repository root, not a file".to_owned());
    }
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(dir: &Path, config: RepoConfig) -> PathPolicy {
        PathPolicy::new(dir, &config).unwrap()
    }

    #[test]
    fn refuses_escapes_and_protected_places() {
        let dir = tempfile::tempdir().unwrap();
        let p = policy(dir.path(), RepoConfig::default());
        for (path, reason) in [
            ("../outside.rs", "`..`"),
            ("src/../../x", "`..`"),
            ("/etc/passwd", "absolute"),
            ("C:\\x", "absolute"),
            (".git/config", ".git/"),
            ("sub/.git/hooks/pre-commit", ".git/"),
            (".github/workflows/ci.yml", "workflow"),
            (".automaintainer.yml", "configuration"),
            ("", "empty"),
            (".", "root"),
        ] {
            let e = p.check(path).unwrap_err();
            assert!(e.reason.contains(reason), "{path}: {e}");
        }
        assert_eq!(
            p.check("./src/lib.rs").unwrap(),
            dir.path().join("src/lib.rs")
        );
        assert!(p.check(".github/dependabot.yml").is_ok());
    }

    #[test]
    fn follows_config_globs_and_workflow_permission() {
        let dir = tempfile::tempdir().unwrap();
        let config = RepoConfig {
            allowed_paths: vec!["src/**".into(), ".github/**".into()],
            denied_paths: vec!["src/generated/".into()],
            allow_workflow_edits: true,
            ..RepoConfig::default()
        };
        let p = policy(dir.path(), config);
        assert!(p.check("src/a.rs").is_ok());
        assert!(p.check(".github/workflows/ci.yml").is_ok());
        assert!(p
            .check("README.md")
            .unwrap_err()
            .reason
            .contains("allowed_paths"));
        assert!(p
            .check("src/generated/x.rs")
            .unwrap_err()
            .reason
            .contains("denied_paths"));
    }

    #[test]
    fn refuses_symlinks_that_lead_outside() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("escape")).unwrap();
        std::fs::create_dir(dir.path().join("inner")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("inner"), dir.path().join("alias")).unwrap();
        let p = policy(dir.path(), RepoConfig::default());
        assert!(p
            .check("escape/file.txt")
            .unwrap_err()
            .reason
            .contains("symlink"));
        assert!(
            p.check("alias/file.txt").is_ok(),
            "a symlink inside the clone is fine"
        );
    }
}
