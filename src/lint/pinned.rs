//! The version of a formatter the repository pins (a `.pre-commit-config.yaml` hook's `rev`, or
//! `tool==X` in its requirements), and whether the installed one formats the same way. A black of
//! another year, or a ruff formatter of another minor release, restyles files the repository's own
//! pinned formatter leaves alone: a pull request made with it would be reverted by the
//! repository's next pre-commit run, so such a formatter is not used.

use std::path::Path;

use super::python;
use super::tool::Tool;

/// Where a pin was found, and the version it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pin {
    pub(crate) version: String,
    pub(crate) source: String,
}

/// The pre-commit hook repositories of the formatters that are pinned.
fn hook_repository(tool: Tool) -> Option<&'static [&'static str]> {
    match tool {
        Tool::Black => Some(&["psf/black"]),
        Tool::Ruff | Tool::RuffFormat => Some(&["astral-sh/ruff-pre-commit"]),
        _ => None,
    }
}

/// The version of `tool` the repository at `root` pins, if any.
pub(crate) fn pin(root: &Path, tool: Tool) -> Option<Pin> {
    let repos = hook_repository(tool)?;
    from_pre_commit(&python::read(root, ".pre-commit-config.yaml"), repos)
}

/// Pins of the known formatters in a pre-commit configuration, as requirement specifiers
/// (`black==24.8.0`), for the repository's Python environment.
pub(crate) fn requirements(root: &Path) -> Vec<String> {
    let text = python::read(root, ".pre-commit-config.yaml");
    [("black", Tool::Black), ("ruff", Tool::Ruff)]
        .iter()
        .filter_map(|(name, tool)| {
            let pin = from_pre_commit(&text, hook_repository(*tool)?)?;
            Some(format!("{name}=={}", pin.version))
        })
        .collect()
}

fn from_pre_commit(text: &str, repos: &[&str]) -> Option<Pin> {
    #[derive(serde::Deserialize)]
    struct Config {
        #[serde(default)]
        repos: Vec<Repo>,
    }
    #[derive(serde::Deserialize)]
    struct Repo {
        repo: String,
        #[serde(default)]
        rev: Option<String>,
    }
    if text.is_empty() {
        return None;
    }
    let config: Config = serde_yaml::from_str(text).ok()?;
    config.repos.into_iter().find_map(|repo| {
        let name = repo.repo.trim_end_matches(".git").to_ascii_lowercase();
        if !repos
            .iter()
            .any(|r| name.ends_with(r) || name.contains(&format!("{r}-")))
        {
            return None;
        }
        let version = repo.rev?.trim_start_matches('v').to_owned();
        let numeric = !version.is_empty()
            && version
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        numeric.then(|| Pin {
            version,
            source: ".pre-commit-config.yaml".to_owned(),
        })
    })
}

/// Why the installed `version` (as `Tool::version` reports it) does not format as the pinned
/// one; None when it does or when either cannot be read. black keeps its style within a year
/// (its major version); ruff's formatter changes style only in minor releases.
pub(crate) fn mismatch(tool: Tool, version: &str, pin: &Pin) -> Option<String> {
    let installed = version
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    let parts = |v: &str| -> Vec<u64> { v.split('.').map_while(|p| p.parse().ok()).collect() };
    let (have, want) = (parts(installed), parts(&pin.version));
    let significant = match tool {
        Tool::Black => 1,
        Tool::RuffFormat => 2,
        _ => return None,
    };
    if have.len() < significant || want.len() < significant {
        return None;
    }
    (have[..significant] != want[..significant]).then(|| {
        format!(
            "the installed {} {installed} is not the repository's pinned {} ({}), whose formatting differs",
            tool.name(),
            pin.version,
            pin.source
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.9\n    hooks:\n      - id: ruff\n  - repo: https://github.com/psf/black-pre-commit-mirror\n    rev: 24.8.0\n    hooks:\n      - id: black\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n";

    #[test]
    fn reads_the_pins_of_the_formatters_hooks() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join(".pre-commit-config.yaml"), CONFIG).unwrap();
        assert_eq!(pin(root.path(), Tool::Black).unwrap().version, "24.8.0");
        assert_eq!(pin(root.path(), Tool::RuffFormat).unwrap().version, "0.6.9");
        assert_eq!(pin(root.path(), Tool::Eslint), None);
        assert_eq!(requirements(root.path()), ["black==24.8.0", "ruff==0.6.9"]);
    }

    #[test]
    fn a_branch_name_is_no_pin() {
        let text = "repos:\n  - repo: https://github.com/psf/black\n    rev: stable\n";
        assert_eq!(from_pre_commit(text, &["psf/black"]), None);
    }

    #[test]
    fn another_black_year_or_ruff_minor_formats_differently() {
        let pin = |v: &str| Pin {
            version: v.to_owned(),
            source: ".pre-commit-config.yaml".to_owned(),
        };
        assert!(mismatch(Tool::Black, "black 26.10.1", &pin("24.8.0")).is_some());
        assert_eq!(mismatch(Tool::Black, "black 24.10.0", &pin("24.8.0")), None);
        assert!(mismatch(Tool::RuffFormat, "ruff 0.17.6", &pin("0.6.9")).is_some());
        assert_eq!(
            mismatch(Tool::RuffFormat, "ruff 0.6.3", &pin("0.6.9")),
            None
        );
        assert_eq!(mismatch(Tool::Ruff, "ruff 0.17.6", &pin("0.6.9")), None);
    }
}
