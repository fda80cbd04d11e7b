//! What the Python tools share: where Python is, which configuration files say what, and the
//! guards on removing imports — an import of the repository's own modules (first-party) is never
//! removed (it may be there for its side effects or re-exported), nor is any import in a script
//! outside the package or in an `__init__.py`.

use std::collections::BTreeSet;
use std::path::Path;

use super::spawn;
use super::tool::{Ctx, Failure, Tool};

/// Directories never walked for source files.
const SKIP: &[&str] = &[
    ".git",
    "node_modules",
    "vendor",
    "target",
    ".venv",
    "venv",
    ".tox",
    "build",
    "dist",
    "__pycache__",
    "testdata",
];

/// Source files with one of `extensions` under `root`, relative, sorted (at most `limit`).
pub fn files_with(root: &Path, extensions: &[&str], limit: usize) -> Vec<String> {
    let mut found = Vec::new();
    visit_sources(root, &mut |rel, extension| {
        if extensions.contains(&extension) {
            found.push(rel.to_string_lossy().into_owned());
        }
        found.len() < limit
    });
    found.sort();
    found
}

/// Calls `visit` with each source file under `root` (relative) and its extension, skipping the
/// directories no tool reads (hidden ones, dependencies, build output), until it returns false.
pub(crate) fn visit_sources(root: &Path, visit: &mut dyn FnMut(&Path, &str) -> bool) {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !SKIP.contains(&name.as_ref()) && !name.starts_with('.') {
                    stack.push(path);
                }
            } else if kind.is_file() {
                let Some(extension) = path.extension().and_then(|e| e.to_str()) else {
                    continue;
                };
                if let Ok(rel) = path.strip_prefix(root) {
                    if !visit(rel, extension) {
                        return;
                    }
                }
            }
        }
    }
}

pub fn has_python(root: &Path) -> bool {
    !files_with(root, &["py"], 1).is_empty()
}

/// The text of `name` at the root, empty when absent.
pub fn read(root: &Path, name: &str) -> String {
    std::fs::read_to_string(root.join(name)).unwrap_or_default()
}

/// Whether an INI-style file at the root has the section `[section]`.
pub fn has_section(root: &Path, file: &str, section: &str) -> bool {
    read(root, file)
        .lines()
        .any(|l| l.trim() == format!("[{section}]"))
}

/// The value of `key` (either spelling, `-` or `_`) in `[section]` of an INI-style file.
pub fn ini_value(root: &Path, file: &str, section: &str, key: &str) -> Option<String> {
    let text = read(root, file);
    let mut inside = false;
    let wanted = key.replace('-', "_");
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == format!("[{section}]");
            continue;
        }
        if !inside {
            continue;
        }
        if let Some((k, v)) = line.split_once(['=', ':']) {
            if k.trim().replace('-', "_") == wanted {
                return Some(v.trim().to_owned());
            }
        }
    }
    None
}

/// The repository's own top-level module names: packages and modules at the root, under `src/`,
/// and beside every script (a script imports its neighbours by their bare names).
pub fn first_party(root: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in files_with(root, &["py"], 20_000) {
        let parts: Vec<&str> = file.split('/').collect();
        let start = usize::from(parts.first() == Some(&"src") && parts.len() > 1);
        if let Some(first) = parts.get(start) {
            names.insert(first.trim_end_matches(".py").to_owned());
        }
        // A module beside a script is importable from it by its bare name.
        if let Some(name) = parts.last() {
            names.insert(name.trim_end_matches(".py").to_owned());
        }
    }
    names.retain(|n| {
        !n.is_empty() && n != "__init__" && n.chars().all(|c| c.is_alphanumeric() || c == '_')
    });
    names
}

/// Whether `file` is a script outside the package: its directory is no package (no
/// `__init__.py`) and it lies at the root, in a scripts-like directory, or runs as `__main__`.
pub fn is_script(root: &Path, file: &str) -> bool {
    let path = root.join(file);
    let Some(dir) = path.parent() else {
        return false;
    };
    if dir.join("__init__.py").is_file() {
        return false;
    }
    if super::paths::is_test_path(file) {
        return false;
    }
    let in_script_dir = file.split('/').any(|part| {
        matches!(
            part,
            "scripts"
                | "script"
                | "bin"
                | "tools"
                | "examples"
                | "example"
                | "demo"
                | "demos"
                | "docs"
        )
    });
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    in_script_dir
        || text.starts_with("#!")
        || text.contains("if __name__ == \"__main__\"")
        || text.contains("if __name__ == '__main__'")
}

/// `after` with every run of blank lines longer than the longest run `before` had (and at least
/// two, PEP 8's top-level spacing) cut to that length: what removing an import between blank
/// lines leaves behind. None when nothing needs cutting.
pub fn collapse_blank_runs(before: &str, after: &str) -> Option<String> {
    let longest = |text: &str| {
        let (mut run, mut longest) = (0, 0);
        for line in text.lines() {
            run = if line.trim().is_empty() { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        longest
    };
    let allowed = longest(before).max(2);
    if longest(after) <= allowed {
        return None;
    }
    let mut out = String::with_capacity(after.len());
    let mut run = 0;
    for line in after.split_inclusive('\n') {
        run = if line.trim().is_empty() { run + 1 } else { 0 };
        if run <= allowed {
            out.push_str(line);
        }
    }
    Some(out)
}

/// The module an unused-import message names (`` `shapes.plugins` imported but unused``,
/// `'os' imported but unused`).
fn imported_module(message: &str) -> Option<&str> {
    let start = message.find(['`', '\''])?;
    let quote = message[start..].chars().next()?;
    let rest = &message[start + 1..];
    Some(&rest[..rest.find(quote)?])
}

/// Marks unused-import findings the guards keep as not fixable: in scripts and `__init__.py`,
/// and of first-party modules.
pub fn guard_findings(root: &Path, findings: &mut [crate::artifacts::Finding]) {
    let own = first_party(root);
    for finding in findings.iter_mut() {
        if !finding.fixable || !finding.message.starts_with("F401") {
            continue;
        }
        let first_party_module = imported_module(&finding.message)
            .and_then(|m| m.split('.').next())
            .is_some_and(|m| own.contains(m));
        if first_party_module
            || finding.path.ends_with("__init__.py")
            || is_script(root, &finding.path)
        {
            finding.fixable = false;
        }
    }
}

/// Runs `ruff check --fix` with `base` arguments on `files`, under the import guards: first-party
/// imports are kept everywhere, and unused-import removal is off in scripts and `__init__.py`.
pub async fn guarded_ruff_fix(ctx: &Ctx, base: &[String], files: &[String]) -> Result<(), Failure> {
    let files: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".py") || f.ends_with(".pyi"))
        .cloned()
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    let own: Vec<String> = first_party(&ctx.root)
        .into_iter()
        .map(|n| format!("\"{n}\""))
        .collect();
    let guard = format!(
        "lint.pyflakes.allowed-unused-imports = [{}]",
        own.join(", ")
    );
    let (keep_imports, others): (Vec<String>, Vec<String>) = files
        .into_iter()
        .partition(|f| f.ends_with("__init__.py") || is_script(&ctx.root, f));
    for (group, extra) in [(others, None), (keep_imports, Some("F401"))] {
        if group.is_empty() {
            continue;
        }
        let mut args = spawn::args(&["check", "--fix", "--exit-zero", "--no-cache", "--quiet"]);
        args.extend(base.iter().cloned());
        args.extend(["--config".to_owned(), guard.clone()]);
        if let Some(rule) = extra {
            args.extend(["--unfixable".to_owned(), rule.to_owned()]);
        }
        args.extend(super::avoid::ruff_flags(&ctx.avoided_for(Tool::Ruff)));
        args.push("--".to_owned());
        args.extend(group);
        let ran = spawn::tool(ctx, "ruff", &args, &[], "ruff check --fix").await?;
        if !ran.success {
            return Err(Failure::Crashed(ran.first_error_line()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_party_names_and_scripts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            ("src/shapes/__init__.py", ""),
            ("src/shapes/area.py", ""),
            ("scripts/demo.py", "import fixpath\n"),
            ("scripts/fixpath.py", ""),
            ("tests/test_area.py", ""),
        ] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), text).unwrap();
        }
        let names = first_party(root);
        for name in ["shapes", "fixpath", "area", "demo"] {
            assert!(names.contains(name), "{name} in {names:?}");
        }
        assert!(is_script(root, "scripts/demo.py"));
        assert_eq!(
            collapse_blank_runs(
                "\"\"\"D.\"\"\"\n\nimport os\n\n\ndef f():\n    pass\n",
                "\"\"\"D.\"\"\"\n\n\n\ndef f():\n    pass\n"
            )
            .as_deref(),
            Some("\"\"\"D.\"\"\"\n\n\ndef f():\n    pass\n")
        );
        assert_eq!(collapse_blank_runs("a\n\n\n\nb\n", "a\n\n\n\nb\n"), None);
        let finding = |path: &str, message: &str| crate::artifacts::Finding {
            kind: crate::artifacts::FindingKind::Lint,
            path: path.into(),
            line: Some(1),
            message: message.into(),
            tool: "ruff".into(),
            fixable: true,
            score: None,
        };
        let mut found = vec![
            finding("src/shapes/area.py", "F401: `os` imported but unused"),
            finding(
                "src/shapes/area.py",
                "F401: `shapes.plugins` imported but unused",
            ),
            finding("scripts/demo.py", "F401: `json` imported but unused"),
            finding("src/shapes/__init__.py", "F401 'os' imported but unused"),
        ];
        guard_findings(root, &mut found);
        let fixable: Vec<bool> = found.iter().map(|f| f.fixable).collect();
        assert_eq!(fixable, [true, false, false, false]);
        assert!(!is_script(root, "src/shapes/area.py"));
        assert!(!is_script(root, "tests/test_area.py"));
        std::fs::write(root.join("setup.cfg"), "[flake8]\nmax-line-length = 100\n").unwrap();
        assert!(has_section(root, "setup.cfg", "flake8"));
        assert_eq!(
            ini_value(root, "setup.cfg", "flake8", "max_line_length").as_deref(),
            Some("100")
        );
    }
}
