//! Whether a program the offline provider relies on is installed: it must run, not merely be on
//! the PATH (a pyenv shim for a tool not installed in the active Python is on the PATH too).

use std::time::Duration;

use crate::runner::{self, Request};

/// Runs `program args` (a version query) through the runner and says whether it succeeded.
pub fn available(program: &str, args: &[&str]) -> bool {
    let request = Request::new(program, "/")
        .read_only_dir()
        .args(args)
        .timeout(Duration::from_secs(60))
        .output_cap(4096);
    runner::run(&request).is_ok_and(|ran| ran.success())
}

/// A fixer or formatter the offline provider can run, and how to tell it is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Clippy,
    Rustfmt,
    Ruff,
    Black,
    Gofmt,
    Eslint,
}

impl Tool {
    pub fn installed(self) -> bool {
        match self {
            Self::Clippy => available("cargo", &["clippy", "--version"]),
            Self::Rustfmt => available("cargo", &["fmt", "--version"]),
            Self::Ruff => available("ruff", &["--version"]),
            Self::Black => available("black", &["--version"]),
            Self::Gofmt => available("go", &["version"]),
            Self::Eslint => available("eslint", &["--version"]),
        }
    }

    /// The tool a finding's `tool` field names, if it is one we can run.
    pub fn from_finding(tool: &str) -> Option<Self> {
        match tool.to_ascii_lowercase().as_str() {
            "clippy" | "cargo clippy" => Some(Self::Clippy),
            "rustfmt" | "cargo fmt" | "cargo-fmt" => Some(Self::Rustfmt),
            "ruff" => Some(Self::Ruff),
            "black" => Some(Self::Black),
            "gofmt" => Some(Self::Gofmt),
            "eslint" => Some(Self::Eslint),
            _ => None,
        }
    }

    /// The fixed command lines that apply the tool's fixes to the whole repository.
    pub fn fix_commands(self) -> &'static [&'static [&'static str]] {
        match self {
            Self::Clippy => &[&[
                "cargo",
                "clippy",
                "--fix",
                "--allow-dirty",
                "--allow-staged",
                "--allow-no-vcs",
                "--all-targets",
                "--quiet",
            ]],
            Self::Rustfmt => &[&["cargo", "fmt", "--all"]],
            // Findings ruff cannot fix are not a failure of the fixes it made.
            Self::Ruff => &[&["ruff", "check", "--fix", "--exit-zero", "--quiet", "."]],
            Self::Black => &[&["black", "--quiet", "."]],
            Self::Gofmt => &[&["gofmt", "-w", "."]],
            Self::Eslint => &[&["eslint", "--fix", "."]],
        }
    }

    /// Whether a fix command's exit code means it did its work. eslint exits 1 when problems it
    /// cannot fix remain, after applying the fixes it can; 2 is eslint failing.
    pub fn fix_succeeded(self, exit_code: Option<i32>) -> bool {
        match self {
            Self::Eslint => matches!(exit_code, Some(0 | 1)),
            _ => exit_code == Some(0),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Clippy => "clippy",
            Self::Rustfmt => "rustfmt",
            Self::Ruff => "ruff",
            Self::Black => "black",
            Self::Gofmt => "gofmt",
            Self::Eslint => "eslint",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eslint_leaving_unfixable_problems_has_still_done_its_work() {
        assert!(Tool::Eslint.fix_succeeded(Some(1)));
        assert!(!Tool::Eslint.fix_succeeded(Some(2)), "2 is eslint failing");
        assert!(!Tool::Ruff.fix_succeeded(Some(1)));
        assert!(!Tool::Clippy.fix_succeeded(None), "killed or never started");
        assert_eq!(Tool::from_finding("eslint"), Some(Tool::Eslint));
    }
}
