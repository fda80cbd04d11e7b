//! The linters and formatters the project knows, what each is for, and the calls every tool
//! module answers: is it the repository's tool (and with which configuration), its findings, its
//! fixes on given files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::artifacts::Finding;

/// A linter or formatter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tool {
    Clippy,
    Rustfmt,
    Ruff,
    /// No Python linter configured: the conservative pyflakes-class rules only (through ruff).
    Pyflakes,
    Flake8,
    Black,
    RuffFormat,
    Eslint,
    Biome,
    Xo,
    Prettier,
    Gofmt,
    GoVet,
}

/// What a tool is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Rust,
    Python,
    JavaScript,
    Go,
}

impl Language {
    /// The language of a file, by its extension.
    pub fn of_path(path: &str) -> Option<Self> {
        match Path::new(path).extension().and_then(|e| e.to_str())? {
            "rs" => Some(Self::Rust),
            "py" | "pyi" => Some(Self::Python),
            "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => Some(Self::JavaScript),
            "go" => Some(Self::Go),
            _ => None,
        }
    }
}

pub const ALL: &[Tool] = &[
    Tool::Clippy,
    Tool::Rustfmt,
    Tool::Ruff,
    Tool::Flake8,
    Tool::Pyflakes,
    Tool::Black,
    Tool::RuffFormat,
    Tool::Eslint,
    Tool::Biome,
    Tool::Xo,
    Tool::Prettier,
    Tool::Gofmt,
    Tool::GoVet,
];

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Self::Clippy => "clippy",
            Self::Rustfmt => "rustfmt",
            Self::Ruff => "ruff",
            Self::Pyflakes => "pyflakes",
            Self::Flake8 => "flake8",
            Self::Black => "black",
            Self::RuffFormat => "ruff format",
            Self::Eslint => "eslint",
            Self::Biome => "biome",
            Self::Xo => "xo",
            Self::Prettier => "prettier",
            Self::Gofmt => "gofmt",
            Self::GoVet => "go vet",
        }
    }

    /// The tool a finding's `tool` field names.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "clippy" | "cargo clippy" => Some(Self::Clippy),
            "rustfmt" | "cargo fmt" | "cargo-fmt" => Some(Self::Rustfmt),
            "ruff" => Some(Self::Ruff),
            "pyflakes" => Some(Self::Pyflakes),
            "flake8" => Some(Self::Flake8),
            "black" => Some(Self::Black),
            "ruff format" | "ruff-format" => Some(Self::RuffFormat),
            "eslint" => Some(Self::Eslint),
            "biome" => Some(Self::Biome),
            "xo" => Some(Self::Xo),
            "prettier" => Some(Self::Prettier),
            "gofmt" => Some(Self::Gofmt),
            "go vet" | "govet" => Some(Self::GoVet),
            _ => None,
        }
    }

    pub fn language(self) -> Language {
        match self {
            Self::Clippy | Self::Rustfmt => Language::Rust,
            Self::Ruff | Self::Pyflakes | Self::Flake8 | Self::Black | Self::RuffFormat => {
                Language::Python
            }
            Self::Eslint | Self::Biome | Self::Xo | Self::Prettier => Language::JavaScript,
            Self::Gofmt | Self::GoVet => Language::Go,
        }
    }

    /// Whether the tool formats (its findings are files that differ from its formatting).
    pub fn formats(self) -> bool {
        matches!(
            self,
            Self::Rustfmt | Self::Black | Self::RuffFormat | Self::Prettier | Self::Gofmt
        )
    }

    /// Whether the tool can change files (go vet only reports).
    pub fn fixes(self) -> bool {
        self != Self::GoVet
    }
}

/// The tool's name and version as a reader wants them ("biome 2.6.9", "go vet go1.22.1") from
/// the first line its version query printed.
fn version_label(name: &str, raw: &str) -> String {
    // "flake8 --version" names its plugins after the number; "7.1.0 (mccabe ...)".
    let v = raw
        .split(" (")
        .next()
        .unwrap_or(raw)
        .trim()
        .replace(", ", " ");
    // `go version go1.22.1 linux/amd64`: the Go release is gofmt's and go vet's version.
    if let Some(rest) = v.strip_prefix("go version ") {
        let release = rest.split_whitespace().next().unwrap_or(rest);
        return format!("{name} {release}");
    }
    // Biome says "Version: 2.6.9".
    let v = v.strip_prefix("Version: ").unwrap_or(&v);
    let bare_number = v
        .trim_start_matches('v')
        .starts_with(|c: char| c.is_ascii_digit());
    if v.to_ascii_lowercase()
        .starts_with(name.split(' ').next().unwrap_or(name))
    {
        v.to_owned()
    } else if bare_number {
        format!("{name} {v}")
    } else {
        // Another tool does the work ("pyflakes" checks run by ruff).
        format!("{name} ({v})")
    }
}

/// Where and how long a tool runs.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub root: PathBuf,
    /// Where cargo builds, outside the clone.
    pub cargo_target_dir: PathBuf,
    pub timeout: Duration,
    /// Rules a learning says to leave alone in this repository (`clippy::len_zero`, `F401`,
    /// `no-unused-vars`, `style/useConst`): the fixers are told not to fix them.
    pub avoided_rules: Vec<String>,
    /// Where a linter that lints a whole clean commit (clippy) records its counts for the
    /// evaluation; None records nothing.
    pub recording: Option<Recording>,
}

/// The run directory a phase records lint counts in, and the phase's name.
#[derive(Debug, Clone)]
pub struct Recording {
    pub run_dir: PathBuf,
    pub phase: &'static str,
}

impl Ctx {
    /// The avoided rules that look like `tool`'s rule names.
    pub fn avoided_for(&self, tool: Tool) -> Vec<&str> {
        self.avoided_rules
            .iter()
            .map(String::as_str)
            .filter(|rule| super::avoid::is_rule_of(tool, rule))
            .collect()
    }
}

/// Why a tool gave nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Not installed (or not runnable here); what is missing.
    Missing(String),
    /// It ran and failed; the first error line.
    Crashed(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing(what) => write!(f, "missing: {what}"),
            Self::Crashed(line) => write!(f, "crashed: {line}"),
        }
    }
}

/// Whether the repository uses a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Use {
    /// Yes, with this configuration (a file, a section, or why defaults apply).
    Used(String),
    /// The language is there but the repository does not use the tool, and why.
    NotUsed(String),
    /// Nothing of the tool's language here.
    Absent,
}

impl Tool {
    /// Whether the repository at `ctx.root` uses this tool: configured for it, and, where the
    /// repository pins the tool's version, one that formats as the pinned one.
    pub async fn detect(self, ctx: &Ctx) -> Use {
        let used = self.configured(ctx).await;
        let (Use::Used(_), Some(pin)) = (&used, super::pinned::pin(&ctx.root, self)) else {
            return used;
        };
        match self.version(ctx).await {
            Some(version) => match super::pinned::mismatch(self, &version, &pin) {
                Some(why) => Use::NotUsed(why),
                None => used,
            },
            None => used,
        }
    }

    /// Whether the repository's configuration asks for this tool.
    async fn configured(self, ctx: &Ctx) -> Use {
        match self {
            Self::Clippy => super::clippy::detect(&ctx.root),
            Self::Rustfmt => super::rustfmt::detect(ctx).await,
            Self::Ruff => super::ruff::detect(&ctx.root),
            Self::Pyflakes => super::pyflakes::detect(&ctx.root),
            Self::Flake8 => super::flake8::detect(&ctx.root),
            Self::Black => super::black::detect(&ctx.root),
            Self::RuffFormat => super::ruff_format::detect(&ctx.root),
            Self::Eslint => super::eslint::detect(&ctx.root),
            Self::Biome => super::biome::detect(&ctx.root),
            Self::Xo => super::xo::detect(&ctx.root),
            Self::Prettier => super::prettier::detect(&ctx.root),
            Self::Gofmt => super::gofmt::detect(&ctx.root),
            Self::GoVet => super::govet::detect(&ctx.root),
        }
    }

    /// The tool's version as it reports it; None when it does not run.
    pub async fn version(self, ctx: &Ctx) -> Option<String> {
        let (program, args): (PathBuf, Vec<&str>) = match self {
            Self::Clippy => ("cargo".into(), vec!["clippy", "--version"]),
            Self::Rustfmt => ("rustfmt".into(), vec!["--version"]),
            Self::Ruff | Self::Pyflakes | Self::RuffFormat => ("ruff".into(), vec!["--version"]),
            Self::Flake8 => ("flake8".into(), vec!["--version"]),
            Self::Black => ("black".into(), vec!["--version"]),
            Self::Eslint => (super::node::program(&ctx.root, "eslint"), vec!["--version"]),
            Self::Biome => (super::node::program(&ctx.root, "biome"), vec!["--version"]),
            Self::Xo => (super::node::program(&ctx.root, "xo"), vec!["--version"]),
            Self::Prettier => (
                super::node::program(&ctx.root, "prettier"),
                vec!["--version"],
            ),
            Self::Gofmt | Self::GoVet => ("go".into(), vec!["version"]),
        };
        let root = ctx.root.clone();
        let name = self.name();
        tokio::task::spawn_blocking(move || {
            super::spawn::version(&program, &args, &root).map(|v| version_label(name, &v))
        })
        .await
        .ok()
        .flatten()
    }

    /// The tool's findings on the whole repository.
    pub async fn findings(self, ctx: &Ctx) -> Result<Vec<Finding>, Failure> {
        match self {
            Self::Clippy => super::clippy::findings(ctx).await,
            Self::Rustfmt => super::rustfmt::findings(ctx).await,
            Self::Ruff => super::ruff::findings(ctx).await,
            Self::Pyflakes => super::pyflakes::findings(ctx).await,
            Self::Flake8 => super::flake8::findings(ctx).await,
            Self::Black => super::black::findings(ctx).await,
            Self::RuffFormat => super::ruff_format::findings(ctx).await,
            Self::Eslint => super::eslint::findings(ctx).await,
            Self::Biome => super::biome::findings(ctx).await,
            Self::Xo => super::xo::findings(ctx).await,
            Self::Prettier => super::prettier::findings(ctx).await,
            Self::Gofmt => super::gofmt::findings(ctx).await,
            Self::GoVet => super::govet::findings(ctx).await,
        }
    }

    /// Applies the tool's own safe fixes (or formatting) to `files` (repository-relative).
    pub async fn fix(self, ctx: &Ctx, files: &[String]) -> Result<(), Failure> {
        if files.is_empty() {
            return Ok(());
        }
        match self {
            Self::Clippy => super::clippy::fix(ctx).await,
            Self::Rustfmt => super::rustfmt::fix(ctx, files).await,
            Self::Ruff => super::ruff::fix(ctx, files).await,
            Self::Pyflakes => super::pyflakes::fix(ctx, files).await,
            Self::Flake8 => super::flake8::fix(ctx, files).await,
            Self::Black => super::black::fix(ctx, files).await,
            Self::RuffFormat => super::ruff_format::fix(ctx, files).await,
            Self::Eslint => super::eslint::fix(ctx, files).await,
            Self::Biome => super::biome::fix(ctx, files).await,
            Self::Xo => super::xo::fix(ctx, files).await,
            Self::Prettier => super::prettier::fix(ctx, files).await,
            Self::Gofmt => super::gofmt::fix(ctx, files).await,
            Self::GoVet => Ok(()),
        }
    }
}

/// `path` (as a tool printed it: absolute, or relative to `root`) relative to `root`; None for a
/// file outside it.
pub fn relative(root: &Path, path: &str) -> Option<String> {
    let file = Path::new(path);
    if file.is_relative() {
        let clean = path.trim_start_matches("./");
        return (!clean.split('/').any(|p| p == "..")).then(|| clean.to_owned());
    }
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    file.strip_prefix(&canonical)
        .or_else(|_| file.strip_prefix(root))
        .ok()
        .map(|p| p.to_string_lossy().into_owned())
}

/// Whether `tool` runs on this machine (its version query succeeds), for contexts that carry no
/// tool statuses.
pub fn installed(tool: Tool) -> bool {
    let here = Path::new(".");
    let check =
        |program: &str, args: &[&str]| super::spawn::succeeds(Path::new(program), args, here);
    match tool {
        Tool::Clippy => check("cargo", &["clippy", "--version"]),
        Tool::Rustfmt => check("rustfmt", &["--version"]),
        Tool::Ruff | Tool::Pyflakes | Tool::RuffFormat => check("ruff", &["--version"]),
        Tool::Flake8 => check("flake8", &["--version"]) && check("ruff", &["--version"]),
        Tool::Black => check("black", &["--version"]),
        Tool::Eslint => check("eslint", &["--version"]),
        Tool::Biome => check("biome", &["--version"]),
        Tool::Xo => check("xo", &["--version"]),
        Tool::Prettier => check("prettier", &["--version"]),
        Tool::Gofmt | Tool::GoVet => check("go", &["version"]),
    }
}

#[cfg(test)]
mod tests {
    use super::version_label;

    #[test]
    fn versions_read_as_the_tool_and_its_number() {
        for (name, raw, label) in [
            (
                "go vet",
                "go version go1.19.8 linux/amd64",
                "go vet go1.19.8",
            ),
            ("gofmt", "go version go1.19.8 linux/amd64", "gofmt go1.19.8"),
            ("biome", "Version: 2.6.9", "biome 2.6.9"),
            ("black", "black, 26.10.1 (compiled: yes)", "black 26.10.1"),
            ("prettier", "3.10.2", "prettier 3.10.2"),
            ("ruff", "ruff 0.17.6", "ruff 0.17.6"),
            ("flake8", "7.5.0 (mccabe: 0.7.0)", "flake8 7.5.0"),
            ("eslint", "v10.16.0", "eslint v10.16.0"),
            ("pyflakes", "ruff 0.17.6", "pyflakes (ruff 0.17.6)"),
            ("ruff format", "ruff 0.17.6", "ruff 0.17.6"),
        ] {
            assert_eq!(version_label(name, raw), label);
        }
    }
}
