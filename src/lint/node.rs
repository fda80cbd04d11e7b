//! What the JavaScript/TypeScript tools share: the repository's own copy of a tool
//! (`node_modules/.bin`, installed from the lockfile by the runner's preparation), else one on
//! the PATH; the repository's package.json.

use super::tool::Ctx;
use std::path::{Path, PathBuf};

/// The repository's own `name` when installed, else `name` from the PATH.
pub fn program(root: &Path, name: &str) -> PathBuf {
    let local = root.join("node_modules/.bin").join(name);
    if local.is_file() {
        local
    } else {
        PathBuf::from(name)
    }
}

/// The repository's package.json, parsed.
pub fn package(root: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(root.join("package.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Whether package.json declares `name` as a (development) dependency.
pub fn declares(root: &Path, name: &str) -> bool {
    package(root).is_some_and(|p| {
        ["devDependencies", "dependencies"]
            .iter()
            .any(|key| p[key].get(name).is_some())
    })
}

/// A note when the repository declares `name` but it is not installed: the runner prepares the
/// development dependencies from the lockfile (`npm ci --ignore-scripts`) before any tool runs,
/// so this means there was no lockfile or the install failed.
pub async fn ensure(ctx: &Ctx, name: &str) -> Option<String> {
    let bin = name
        .rsplit('/')
        .next()
        .unwrap_or(name)
        .trim_start_matches('@');
    let bin = if name == "@biomejs/biome" {
        "biome"
    } else {
        bin
    };
    if !declares(&ctx.root, name) || ctx.root.join("node_modules/.bin").join(bin).is_file() {
        return None;
    }
    Some(if ctx.root.join("package-lock.json").is_file() {
        format!("package.json declares {name}, but installing it from package-lock.json failed")
    } else {
        format!(
            "package.json declares {name}, but there is no package-lock.json to install it from"
        )
    })
}

/// The major version of a node tool's `--version` ("v8.57.0", "10.1.0").
pub fn major(version: &str) -> Option<u32> {
    version
        .split_whitespace()
        .last()?
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}
