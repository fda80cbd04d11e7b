//! A Python repository with no linter configured gets only the conservative pyflakes-class
//! checks (through ruff, isolated from any configuration): unused imports, f-strings without
//! placeholders, `is` with a literal, redefinitions and unused variables — never import sorting
//! or style rules nobody asked for. Only ruff's safe fixes are applied, under the import guards.

use std::path::Path;

use super::tool::{Ctx, Failure, Use};
use super::{flake8, python, ruff};
use crate::artifacts::Finding;

pub const RULES: &str = "F401,F541,F632,F811,F841";

fn isolated() -> Vec<String> {
    vec![
        "--isolated".to_owned(),
        "--select".to_owned(),
        RULES.to_owned(),
    ]
}

pub fn detect(root: &Path) -> Use {
    if !python::has_python(root) {
        return Use::Absent;
    }
    if let Some(config) = ruff::config(root).or_else(|| flake8::config(root)) {
        return Use::NotUsed(format!(
            "the repository configures its own linter ({config})"
        ));
    }
    if let Some(config) = other_linter(root) {
        return Use::NotUsed(format!(
            "the repository configures {config}, which is not run here"
        ));
    }
    Use::Used(format!(
        "no Python linter configured: pyflakes-class rules only ({RULES}), no import sorting or style"
    ))
}

/// A Python linter configuration we do not run (pylint).
fn other_linter(root: &Path) -> Option<String> {
    if root.join(".pylintrc").is_file() || root.join("pylintrc").is_file() {
        return Some("pylint (.pylintrc)".to_owned());
    }
    python::read(root, "pyproject.toml")
        .contains("[tool.pylint")
        .then(|| "pylint ([tool.pylint])".to_owned())
}

pub async fn findings(ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
    ruff::check(ctx, &isolated(), "pyflakes").await
}

pub async fn fix(ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
    python::guarded_ruff_fix(ctx, &isolated(), files).await
}
