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
        self.resolve(relative).map(|checked| checked.absolute)
    }

    /// `relative` normalised (`./`, `//` and `a/..` folded, symlinks on the way followed), checked
    /// against every rule, as the path to stage and the path to write.
    pub fn resolve(&self, relative: &str) -> Result<Checked, Refusal> {
        let refuse = |reason: &str| Refusal {
            path: relative.to_owned(),
            reason: reason.to_owned(),
        };
        let normalized = lexical(relative).map_err(|reason| refuse(&reason))?;
        self.rules(&normalized).map_err(|reason| refuse(&reason))?;
        let resolved = self
            .through_symlinks(&normalized)
            .map_err(|reason| refuse(&reason))?;
        if resolved != normalized {
            // What a symlink leads to is held to the same rules as a path given directly.
            self.rules(&resolved).map_err(|reason| {
                refuse(&format!(
                    "resolves through a symlink to `{}`, and {reason}",
                    slashed(&resolved)
                ))
            })?;
        }
        Ok(Checked {
            relative: slashed(&resolved),
            absolute: self.root.join(&resolved),
        })
    }

    /// The absolute path of `relative` for reading (a file or a directory; `.` or an empty path
    /// is the root): inside the clone after every symlink, never under `.git/`. The write rules
    /// (allowed and denied globs, workflows, the configuration) do not apply to reading.
    pub fn readable(&self, relative: &str) -> Result<PathBuf, Refusal> {
        let refuse = |reason: &str| Refusal {
            path: relative.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = relative.trim();
        let normalized = if trimmed.is_empty() || trimmed == "." || trimmed == "./" {
            PathBuf::new()
        } else {
            match lexical(relative) {
                Ok(path) => path,
                Err(reason) if reason.contains("names the repository root") => PathBuf::new(),
                Err(reason) => return Err(refuse(&reason)),
            }
        };
        let canonical = self
            .root
            .join(&normalized)
            .canonicalize()
            .map_err(|_| refuse("does not exist"))?;
        let inside = canonical
            .strip_prefix(&self.canonical_root)
            .map_err(|_| refuse("leads outside the repository"))?;
        if inside
            .components()
            .any(|c| is_git_dir_name(&c.as_os_str().to_string_lossy()))
        {
            return Err(refuse("nothing under .git/ is shown"));
        }
        Ok(canonical)
    }

    /// The clone's root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The rules on a clean relative path, as one reason.
    fn rules(&self, normalized: &Path) -> Result<(), String> {
        let text = slashed(normalized);
        if normalized
            .components()
            .any(|c| is_git_dir_name(&c.as_os_str().to_string_lossy()))
        {
            return Err("nothing under .git/ may be changed".to_owned());
        }
        if text.eq_ignore_ascii_case(FILE_NAME) {
            return Err(
                "the repository's AutoMaintainer configuration is not changed by AutoMaintainer"
                    .to_owned(),
            );
        }
        if text.to_ascii_lowercase().starts_with(".github/workflows/") && !self.allow_workflows {
            return Err(
                "workflow files are not edited unless `allow_workflow_edits` is set".to_owned(),
            );
        }
        if self
            .denied
            .matched_path_or_any_parents(normalized, false)
            .is_ignore()
        {
            return Err("denied by `denied_paths`".to_owned());
        }
        if let Some(allowed) = &self.allowed {
            if !allowed
                .matched_path_or_any_parents(normalized, false)
                .is_ignore()
            {
                return Err("outside `allowed_paths`".to_owned());
            }
        }
        Ok(())
    }

    /// The path relative to the clone after following every symlink on the way (the last
    /// component too): a symlinked directory or file pointing elsewhere would carry the write
    /// out, and one pointing at `.git` would carry it into the repository's own machinery.
    fn through_symlinks(&self, relative: &Path) -> Result<PathBuf, String> {
        let mut existing = self.canonical_root.clone();
        let mut rest = Vec::new();
        let mut prefix = self.root.clone();
        let mut went_through_symlink = false;
        for component in relative.components() {
            if !rest.is_empty() {
                rest.push(component.as_os_str().to_owned());
                continue;
            }
            prefix.push(component);
            match std::fs::symlink_metadata(&prefix) {
                Ok(meta) => {
                    if meta.file_type().is_symlink() {
                        went_through_symlink = true;
                    }
                    existing = prefix
                        .canonicalize()
                        .map_err(|_| "goes through a dangling symlink".to_owned())?;
                }
                Err(_) => rest.push(component.as_os_str().to_owned()),
            }
        }
        let Ok(inside) = existing.strip_prefix(&self.canonical_root) else {
            return Err(if went_through_symlink {
                "goes through a symlink that leads outside the repository".to_owned()
            } else {
                "leads outside the repository".to_owned()
            });
        };
        let mut resolved = inside.to_path_buf();
        resolved.extend(rest);
        if resolved.as_os_str().is_empty() {
            return Err("resolves to the repository root, not a file".to_owned());
        }
        Ok(resolved)
    }
}

/// A path that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Relative to the clone, `/`-separated, every symlink followed: what is staged.
    pub relative: String,
    /// Where the content is written.
    pub absolute: PathBuf,
}

/// `.git` in any letter case, and the spellings some filesystems treat as it (trailing dots
/// and spaces, as on Windows).
fn is_git_dir_name(part: &str) -> bool {
    part.trim_end_matches(['.', ' '])
        .eq_ignore_ascii_case(".git")
}

fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `relative` as a clean relative path: not empty, not absolute; `.` and empty components
/// dropped and `a/..` folded, refused when `..` would leave the repository.
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
            Component::ParentDir => {
                if !clean.pop() {
                    return Err(
                        "`..` is not allowed where it leads outside the repository".to_owned()
                    );
                }
            }
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
pub(crate) mod tests {
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
            (".GIT/config", ".git/"),
            ("src/.Git/x", ".git/"),
            (".git./config", ".git/"),
            ("src/../.git/config", ".git/"),
            (".//.git//hooks/x", ".git/"),
            (".AutoMaintainer.yml", "configuration"),
            (".GitHub/Workflows/ci.yml", "workflow"),
            ("src/..", "root"),
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
        for spelled in [
            ".//src/lib.rs",
            "src//lib.rs",
            "docs/../src/lib.rs",
            "./src/./lib.rs",
        ] {
            let checked = p.resolve(spelled).unwrap();
            assert_eq!(checked.relative, "src/lib.rs", "{spelled}");
            assert_eq!(checked.absolute, dir.path().join("src/lib.rs"));
        }
    }

    /// A repository whose committed symlinks lead into `.git` (`hooks -> .git/hooks`,
    /// `gitdir -> .git`, a file link to `.git/config`, an absolute link to the clone's `.git`),
    /// as a clone of an attacker's repository would hold them.
    pub(crate) fn repo_with_git_symlinks() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(root)
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
        };
        git(&["init", "-q", "-b", "main"]);
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/lib.rs"), "fn a() {}\n").unwrap();
        std::os::unix::fs::symlink(".git/hooks", root.join("hooks")).unwrap();
        std::os::unix::fs::symlink(".git", root.join("gitdir")).unwrap();
        std::os::unix::fs::symlink("../.git/config", root.join("src/config")).unwrap();
        std::os::unix::fs::symlink(root.join(".git"), root.join("absolute")).unwrap();
        std::os::unix::fs::symlink("gitdir", root.join("chain")).unwrap();
        std::os::unix::fs::symlink("src", root.join("code")).unwrap();
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "symlinks"]);
        dir
    }

    #[test]
    fn refuses_committed_symlinks_into_git() {
        let dir = repo_with_git_symlinks();
        let p = policy(dir.path(), RepoConfig::default());
        for path in [
            "hooks/pre-commit",
            "gitdir/config",
            "./gitdir//hooks/post-checkout",
            "src/config",
            "absolute/config",
            "chain/HEAD",
            "code/../gitdir/config",
        ] {
            let e = p.check(path).unwrap_err();
            assert!(e.reason.contains(".git/"), "{path}: {e}");
        }
        let through_alias = p.resolve("code/lib.rs").unwrap();
        assert_eq!(
            through_alias.relative, "src/lib.rs",
            "a symlink inside the clone is followed to the file git knows"
        );
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
    fn reading_stays_inside_the_clone_and_out_of_git() {
        let dir = repo_with_git_symlinks();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("escape")).unwrap();
        let p = policy(dir.path(), RepoConfig::default());
        assert!(p.readable("src/lib.rs").is_ok());
        assert!(p.readable(".").is_ok() && p.readable("").is_ok());
        for path in [
            "../x",
            "/etc/passwd",
            ".git/config",
            "gitdir",
            "hooks",
            "escape",
            "nope.rs",
        ] {
            assert!(p.readable(path).is_err(), "{path}");
        }
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
