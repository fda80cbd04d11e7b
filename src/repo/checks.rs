//! Check commands detected from a repository's build files, for when `.automaintainer.yml`
//! names none. Only these (or the configured ones) are ever run.

use std::path::Path;

/// The test commands the repository's build files imply, in a stable order.
pub fn detect(root: &Path) -> Vec<String> {
    let has = |name: &str| root.join(name).is_file();
    let mut commands = Vec::new();
    if has("Cargo.toml") {
        commands.push("cargo test".to_owned());
    }
    if has("package.json") && package_has_test_script(&root.join("package.json")) {
        commands.push("npm test".to_owned());
    }
    if has("go.mod") {
        commands.push("go test ./...".to_owned());
    }
    let python_tests = root.join("tests").is_dir() && has("requirements.txt");
    if python_tests
        || ["pyproject.toml", "setup.py", "pytest.ini", "tox.ini"]
            .iter()
            .any(|f| has(f))
    {
        commands.push("pytest".to_owned());
    }
    if commands.is_empty() && makefile_has_test_target(root) {
        commands.push("make test".to_owned());
    }
    commands
}

/// npm's placeholder script ("no test specified") fails on purpose, so it does not count.
fn package_has_test_script(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    json["scripts"]["test"]
        .as_str()
        .is_some_and(|script| !script.contains("no test specified"))
}

fn makefile_has_test_target(root: &Path) -> bool {
    ["Makefile", "makefile", "GNUmakefile"].iter().any(|name| {
        std::fs::read_to_string(root.join(name))
            .map(|text| text.lines().any(|line| line.starts_with("test:")))
            .unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_with(files: &[(&str, &str)]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        detect(dir.path())
    }

    #[test]
    fn detects_each_ecosystem() {
        assert_eq!(detect_with(&[("Cargo.toml", "")]), vec!["cargo test"]);
        assert_eq!(
            detect_with(&[("go.mod", "module x")]),
            vec!["go test ./..."]
        );
        assert_eq!(detect_with(&[("pyproject.toml", "")]), vec!["pytest"]);
        assert_eq!(
            detect_with(&[("package.json", r#"{"scripts":{"test":"jest"}}"#)]),
            vec!["npm test"]
        );
        assert_eq!(
            detect_with(&[("Makefile", "all:\n\ntest:\n\techo ok\n")]),
            vec!["make test"]
        );
    }

    #[test]
    fn ignores_placeholders_and_bare_trees() {
        let npm_default = r#"{"scripts":{"test":"echo \"Error: no test specified\" && exit 1"}}"#;
        assert!(detect_with(&[("package.json", npm_default)]).is_empty());
        assert!(detect_with(&[("README.md", "hi")]).is_empty());
    }
}
