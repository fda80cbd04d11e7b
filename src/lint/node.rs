//! What the JavaScript/TypeScript tools share: the repository's own copy of a tool
//! (`node_modules/.bin`), else one on the PATH; the development dependencies installed from the
//! lockfile when the repository declares the tool but has not installed it (`npm ci
//! --ignore-scripts`: no package script runs); the repository's package.json.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::spawn;
use super::tool::Ctx;

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

/// Installs the development dependencies from the lockfile when the repository declares `name`
/// but has not installed it; returns a note when it could not. Only `npm ci --ignore-scripts`
/// runs: exactly the locked versions, and no install script of any package.
pub async fn ensure(ctx: &Ctx, name: &str) -> Option<String> {
    if !declares(&ctx.root, name) || ctx.root.join("node_modules/.bin").join(name).is_file() {
        return None;
    }
    if !ctx.root.join("package-lock.json").is_file() {
        return Some(format!(
            "package.json declares {name} but there is no package-lock.json to install it from"
        ));
    }
    let install = Ctx {
        timeout: ctx.timeout.max(Duration::from_secs(300)),
        ..ctx.clone()
    };
    let args = spawn::args(&[
        "ci",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--silent",
    ]);
    match spawn::tool(&install, "npm", &args, &[], "npm ci").await {
        Ok(ran) if ran.success => {
            tracing::info!(
                "installed the development dependencies from package-lock.json for {name}"
            );
            None
        }
        Ok(ran) => Some(format!(
            "`npm ci --ignore-scripts` failed: {}",
            ran.first_error_line()
        )),
        Err(failure) => Some(format!("`npm ci --ignore-scripts` {failure}")),
    }
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
