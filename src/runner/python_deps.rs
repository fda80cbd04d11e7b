//! What a Python repository says it needs to run its tests, read from its files without running
//! any of its code: `pyproject.toml` (`[project]` dependencies, the test and dev extras, PEP 735
//! dependency groups, the build backend), `setup.cfg` (`install_requires`, the test extras) and
//! the usual requirements files (following `-r` inside the clone). Only plain requirement
//! specifiers are kept: local paths, URLs, VCS references, editable installs and index options are
//! dropped, because fetching them could run the repository's or a stranger's code with the network,
//! or send pip to another index.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;

/// Extras and dependency groups that hold what the tests need.
const TEST_GROUPS: &[&str] = &["test", "tests", "testing", "dev", "develop", "development"];

/// Requirements files read at the clone's root, besides every `.txt` under `requirements/`.
const REQUIREMENTS_FILES: &[&str] = &[
    "requirements.txt",
    "requirements-dev.txt",
    "requirements_dev.txt",
    "requirements-test.txt",
    "requirements_test.txt",
    "requirements-tests.txt",
    "requirements_tests.txt",
    "test-requirements.txt",
    "test_requirements.txt",
    "dev-requirements.txt",
    "dev_requirements.txt",
];

/// How deep `-r` is followed, and how many files are read at most.
const MAX_DEPTH: usize = 4;
const MAX_FILES: usize = 20;

/// A Python repository's declared needs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct PythonNeeds {
    /// Requirement specifiers of the project and its tests (`wcwidth`, `pytest>=7`).
    pub(crate) requirements: BTreeSet<String>,
    /// The build backend's requirements (`hatchling`, `setuptools>=61`).
    pub(crate) build: BTreeSet<String>,
    /// Whether the project itself can be installed (it has a `pyproject.toml` with a `[project]`
    /// or build system, or a `setup.py`/`setup.cfg`).
    pub(crate) installable: bool,
}

impl PythonNeeds {
    /// Whether the repository declares any third-party requirement of its own.
    pub(crate) fn any(&self) -> bool {
        !self.requirements.is_empty()
    }
}

/// Reads what the repository at `clone` declares; nothing when it is no Python project.
pub(crate) fn read(clone: &Path) -> PythonNeeds {
    let mut needs = PythonNeeds::default();
    if let Some(pyproject) = read_text(clone, "pyproject.toml") {
        from_pyproject(&pyproject, &mut needs);
    }
    if let Some(setup_cfg) = read_text(clone, "setup.cfg") {
        from_setup_cfg(&setup_cfg, &mut needs);
    }
    if clone.join("setup.py").is_file() {
        needs.installable = true;
        if needs.build.is_empty() {
            needs
                .build
                .extend(["setuptools".to_owned(), "wheel".to_owned()]);
        }
    }
    let mut seen = BTreeSet::new();
    let mut files: Vec<PathBuf> = REQUIREMENTS_FILES.iter().map(|f| clone.join(f)).collect();
    if let Ok(entries) = std::fs::read_dir(clone.join("requirements")) {
        let mut more: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        more.sort();
        files.extend(more);
    }
    for file in files {
        from_requirements_file(clone, &file, 0, &mut seen, &mut needs.requirements);
    }
    needs
}

/// A file of the clone, when it is a regular file inside it.
fn read_text(clone: &Path, name: &str) -> Option<String> {
    let path = inside(clone, &clone.join(name))?;
    std::fs::read_to_string(path).ok()
}

/// `path` resolved, when it is a regular file that stays inside `clone` (symlinks too).
fn inside(clone: &Path, path: &Path) -> Option<PathBuf> {
    let root = clone.canonicalize().ok()?;
    let real = path.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
}

fn from_pyproject(text: &str, needs: &mut PythonNeeds) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        tracing::warn!("pyproject.toml does not parse; its dependencies are not prepared");
        return;
    };
    let strings = |value: Option<&toml::Value>| -> Vec<String> {
        value
            .and_then(toml::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(project) = doc.get("project").and_then(toml::Value::as_table) {
        needs.installable = true;
        add_all(
            &mut needs.requirements,
            strings(project.get("dependencies")),
        );
        if let Some(extras) = project
            .get("optional-dependencies")
            .and_then(toml::Value::as_table)
        {
            for (name, specs) in extras {
                if TEST_GROUPS.contains(&name.to_ascii_lowercase().as_str()) {
                    add_all(&mut needs.requirements, strings(Some(specs)));
                }
            }
        }
    }
    if let Some(groups) = doc.get("dependency-groups").and_then(toml::Value::as_table) {
        for (name, specs) in groups {
            if TEST_GROUPS.contains(&name.to_ascii_lowercase().as_str()) {
                // `{include-group = ...}` entries are tables and are skipped by `strings`.
                add_all(&mut needs.requirements, strings(Some(specs)));
            }
        }
    }
    if let Some(build) = doc.get("build-system").and_then(toml::Value::as_table) {
        needs.installable = true;
        add_all(&mut needs.build, strings(build.get("requires")));
    }
}

/// `install_requires` and the test extras of a `setup.cfg`'s `[options]` sections.
fn from_setup_cfg(text: &str, needs: &mut PythonNeeds) {
    let mut section = String::new();
    let mut key: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            section = trimmed[1..trimmed.len() - 1].trim().to_ascii_lowercase();
            key = None;
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let continued = line.starts_with([' ', '\t']);
        let value = if continued {
            trimmed
        } else {
            let Some((k, v)) = trimmed.split_once('=') else {
                key = None;
                continue;
            };
            key = Some(k.trim().to_ascii_lowercase());
            v.trim()
        };
        let wanted = match (section.as_str(), key.as_deref()) {
            ("options", Some("install_requires")) => true,
            ("options.extras_require", Some(k)) => TEST_GROUPS.contains(&k),
            _ => false,
        };
        if section == "options" || section == "metadata" {
            needs.installable = true;
        }
        if wanted {
            add_all(
                &mut needs.requirements,
                value.split(';').take(1).map(str::to_owned),
            );
        }
    }
}

fn from_requirements_file(
    clone: &Path,
    file: &Path,
    depth: usize,
    seen: &mut BTreeSet<PathBuf>,
    into: &mut BTreeSet<String>,
) {
    let Some(real) = inside(clone, file) else {
        return;
    };
    if depth > MAX_DEPTH || seen.len() >= MAX_FILES || !seen.insert(real.clone()) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(&real) else {
        return;
    };
    let dir = real.parent().map(Path::to_path_buf).unwrap_or_default();
    for line in text.lines() {
        let line = strip_comment(line);
        let mut words = line.split_whitespace();
        match words.next() {
            None => {}
            Some("-r" | "--requirement") => {
                if let Some(next) = words.next() {
                    from_requirements_file(clone, &dir.join(next), depth + 1, seen, into);
                }
            }
            Some(first) if first.starts_with("-r") || first.starts_with("--requirement=") => {
                let next = first
                    .trim_start_matches("--requirement=")
                    .trim_start_matches("-r");
                from_requirements_file(clone, &dir.join(next), depth + 1, seen, into);
            }
            // Options (-e, -c, -i, --index-url, --find-links, ...) are never followed.
            Some(first) if first.starts_with('-') => {}
            Some(_) => {
                // Hash-pinned lines carry `--hash=...` after the specifier.
                let spec = line.split(" --").next().unwrap_or(line);
                add_all(into, [spec.to_owned()]);
            }
        }
    }
}

fn strip_comment(line: &str) -> &str {
    let line = match line.find(" #") {
        Some(at) => &line[..at],
        None => line,
    };
    if line.trim_start().starts_with('#') {
        ""
    } else {
        line.trim()
    }
}

/// Adds the plain specifiers of `specs` (name, extras, versions, markers), dropping the rest.
fn add_all(into: &mut BTreeSet<String>, specs: impl IntoIterator<Item = String>) {
    for spec in specs {
        if let Some(spec) = plain(&spec) {
            into.insert(spec);
        }
    }
}

/// `spec` when it names a package from the index, normalised in spacing; None for paths, URLs,
/// direct references and anything that could be read as a pip option.
fn plain(spec: &str) -> Option<String> {
    static PLAIN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r#"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\s*\[[A-Za-z0-9._,\s-]*\])?\s*(?:[<>=!~]=?\s*[A-Za-z0-9.*+!_-]+(?:\s*,\s*[<>=!~]=?\s*[A-Za-z0-9.*+!_-]+)*)?\s*(?:;[^@]*)?$"#)
            .expect("the specifier pattern compiles")
    });
    let spec = spec.trim();
    (!spec.is_empty() && !spec.contains("://") && !spec.contains('@') && PLAIN.is_match(spec))
        .then(|| spec.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn reads_the_project_its_test_extras_groups_and_build_backend() {
        let clone = tempfile::tempdir().unwrap();
        write(
            clone.path(),
            "pyproject.toml",
            r#"
[build-system]
requires = ["hatchling", "hatch-vcs"]
[project]
name = "demo"
dependencies = ["wcwidth", "attrs >= 22"]
optional-dependencies.tests = ["pytest", "pytest-lazy-fixtures"]
optional-dependencies.docs = ["sphinx"]
[dependency-groups]
dev = ["ruff", {include-group = "tests"}]
"#,
        );
        let needs = read(clone.path());
        let got: Vec<&str> = needs.requirements.iter().map(String::as_str).collect();
        assert_eq!(
            got,
            [
                "attrs >= 22",
                "pytest",
                "pytest-lazy-fixtures",
                "ruff",
                "wcwidth"
            ]
        );
        assert!(needs.build.contains("hatch-vcs"));
        assert!(needs.installable);
    }

    #[test]
    fn drops_paths_urls_editables_and_index_options() {
        let clone = tempfile::tempdir().unwrap();
        write(
            clone.path(),
            "requirements-dev.txt",
            "# tools\n-r requirements/base.txt\n-e .\n--index-url https://evil.example/simple\n\
             git+https://example.com/x.git#egg=x\nlocal @ file:///tmp/x\n./vendor/pkg\n\
             requests==2.31.0 --hash=sha256:abc\nflask>=2 ; python_version >= \"3.8\"  # web\n",
        );
        write(
            clone.path(),
            "requirements/base.txt",
            "-r ../requirements-dev.txt\nclick\n",
        );
        let needs = read(clone.path());
        let got: Vec<&str> = needs.requirements.iter().map(String::as_str).collect();
        assert_eq!(
            got,
            [
                "click",
                "flask>=2 ; python_version >= \"3.8\"",
                "requests==2.31.0"
            ]
        );
        assert!(!needs.installable);
    }

    #[test]
    fn a_requirements_file_outside_the_clone_is_not_read() {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "secret.txt", "leaked-name\n");
        let clone = tempfile::tempdir().unwrap();
        write(
            clone.path(),
            "requirements.txt",
            &format!("-r {}\nok\n", outside.path().join("secret.txt").display()),
        );
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            clone.path().join("requirements-test.txt"),
        )
        .unwrap();
        let needs = read(clone.path());
        let got: Vec<&str> = needs.requirements.iter().map(String::as_str).collect();
        assert_eq!(got, ["ok"]);
    }

    #[test]
    fn reads_setup_cfg_and_a_bare_setup_py() {
        let clone = tempfile::tempdir().unwrap();
        write(
            clone.path(),
            "setup.cfg",
            "[metadata]\nname = demo\n[options]\ninstall_requires =\n    six\n    idna>=3\n\
             [options.extras_require]\ntesting =\n    pytest\ndocs =\n    sphinx\n",
        );
        write(
            clone.path(),
            "setup.py",
            "from setuptools import setup\nsetup()\n",
        );
        let needs = read(clone.path());
        let got: Vec<&str> = needs.requirements.iter().map(String::as_str).collect();
        assert_eq!(got, ["idna>=3", "pytest", "six"]);
        assert!(needs.installable);
        assert!(needs.build.contains("setuptools"));
    }

    #[test]
    fn no_python_project_needs_nothing() {
        let clone = tempfile::tempdir().unwrap();
        write(clone.path(), "Cargo.toml", "[package]\n");
        assert!(!read(clone.path()).any());
    }
}
