//! A repository whose `build.rs`, Rust test, npm script and `conftest.py` dump their environment
//! (and try to write beside the clone), run through every phase that runs repository code:
//! am-context's linters, am-implement's fixers and checks, am-evaluate's linters and coverage.
//! The binaries are given planted secrets; none reaches the repository's code, and its `HOME` is
//! a throwaway.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::common::bin::Runner;
use crate::common::{git, tools};

const GITHUB_TOKEN: &str = "ghp_PlantedGithubToken0123456789abcdefABCD";
const ANTHROPIC_API_KEY: &str = "sk-ant-planted-anthropic-key-0123456789";
const OPENAI_API_KEY: &str = "sk-planted-openai-key-0123456789";

const BUILD_RS: &str = r#"fn main() {
    let env: String = std::env::vars().map(|(k, v)| format!("{k}={v}\n")).collect();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let dumps = manifest.join("envdumps");
    let _ = std::fs::create_dir_all(&dumps);
    let _ = std::fs::write(dumps.join(format!("envdump-build-{stamp}")), &env);
    let _ = std::fs::write(out.join(format!("envdump-build-{stamp}")), &env);
    let _ = std::fs::write(manifest.join("../escaped-build"), "x");
    println!("cargo:rerun-if-changed=build.rs");
}
"#;

const LIB_RS: &str = r#"//! A crate that dumps its environment.

/// Whether the list is empty.
pub fn nothing_in(v: &[i32]) -> bool {
    v.len() == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn dumps() {
        let env: String = std::env::vars().map(|(k, v)| format!("{k}={v}\n")).collect();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let manifest = env!("CARGO_MANIFEST_DIR");
        std::fs::create_dir_all(format!("{manifest}/envdumps")).unwrap();
        std::fs::write(format!("{manifest}/envdumps/envdump-test-{stamp}"), env).unwrap();
        let _ = std::fs::write(format!("{manifest}/../escaped-test"), "x");
        assert!(super::nothing_in(&[]));
    }
}
"#;

const DUMP_JS: &str = r#"const fs = require('fs');
const path = require('path');
const dir = path.join(__dirname, 'envdumps');
fs.mkdirSync(dir, { recursive: true });
const text = Object.entries(process.env).map(([k, v]) => `${k}=${v}\n`).join('');
fs.writeFileSync(path.join(dir, `envdump-npm-${process.hrtime.bigint()}`), text);
try { fs.writeFileSync(path.join(__dirname, '..', 'escaped-npm'), 'x'); } catch (e) {}
"#;

const CONFTEST: &str = r#"import os
import pathlib
import time

here = pathlib.Path(__file__).parent
(here / "envdumps").mkdir(exist_ok=True)
text = "".join(f"{k}={v}\n" for k, v in os.environ.items())
(here / "envdumps" / f"envdump-pytest-{time.time_ns()}").write_text(text)
try:
    (here.parent / "escaped-pytest").write_text("x")
except OSError:
    pass
"#;

fn fixture() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "Cargo.toml",
            "[package]\nname = \"dumper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("Cargo.lock", "version = 3\n\n[[package]]\nname = \"dumper\"\nversion = \"0.1.0\"\n"),
        ("build.rs", BUILD_RS),
        ("src/lib.rs", LIB_RS),
        (
            "package.json",
            "{\"name\": \"dumper\", \"version\": \"1.0.0\", \"private\": true, \"scripts\": {\"test\": \"node dump.js\"}}\n",
        ),
        ("dump.js", DUMP_JS),
        ("conftest.py", CONFTEST),
        ("test_dump.py", "def test_ok():\n    assert True\n"),
        (
            ".gitignore",
            "/target\n/envdumps/\n__pycache__/\n.pytest_cache/\n.coverage\nnode_modules/\n",
        ),
        (
            ".automaintainer.yml",
            "checks:\n  - cargo test -q\n  - npm test --silent\n  - python3 -m pytest -q -p no:cacheprovider\n",
        ),
    ]
}

/// Every environment dump under `root`: (file, its text).
fn dumps(root: &Path) -> Vec<(PathBuf, String)> {
    git::files_under(root)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("envdump-"))
        })
        .map(|p| {
            let text = std::fs::read_to_string(root.join(&p)).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn no_phase_hands_a_secret_or_the_real_home_to_the_repositorys_code() {
    tools::assert_installed("bwrap", &["--version"]);
    tools::assert_installed("npm", &["--version"]);
    tools::assert_installed("python3", &["-m", "pytest", "--version"]);
    tools::assert_installed("cargo", &["clippy", "--version"]);
    let root = tempfile::tempdir().unwrap();
    let work = git::init_repo(&root.path().join("work"), &fixture());
    let remote = git::bare_clone(&work, &root.path().join("remote.git"));
    let run_dir = root.path().join("run");
    let database_url =
        automaintainer::store::sqlite_url(&root.path().join("planted-database-file.db"));
    let phase = |binary: &str, input: Value| {
        Runner::new(binary)
            .env("DATABASE_URL", &database_url)
            .env("GITHUB_TOKEN", GITHUB_TOKEN)
            .env("ANTHROPIC_API_KEY", ANTHROPIC_API_KEY)
            .env("OPENAI_API_KEY", OPENAI_API_KEY)
            .env("AM_LLM", "offline")
            .input_json(&input)
            .run()
    };
    let base = json!({"run_id": "leak", "run_dir": run_dir});
    let with = |extra: Value| {
        let mut input = base.clone();
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    phase(
        "am-setup",
        with(json!({"repository": remote, "cache_dir": root.path().join("cache")})),
    )
    .assert_ok();
    phase(
        "am-context",
        with(json!({"cache_dir": root.path().join("cache"), "lint": true, "sandbox": "required"})),
    )
    .assert_ok();
    std::fs::write(
        run_dir.join("task.json"),
        json!({"selection": {"status": "selected", "task": {
            "kind": "lint", "title": "Fix the clippy warning", "rationale": "clippy says so",
            "target_files": ["src/lib.rs"], "acceptance_criteria": ["the checks pass"]}}})
        .to_string(),
    )
    .unwrap();
    let implemented = phase(
        "am-implement",
        with(json!({"llm": "offline", "sandbox": "required"})),
    );
    implemented.assert_ok();
    assert_eq!(
        implemented.outputs()["status"],
        "committed",
        "{}",
        implemented.stderr
    );
    phase(
        "am-evaluate",
        with(json!({"llm": "offline", "sandbox": "required"})),
    )
    .assert_ok();

    let found = dumps(root.path());
    let kinds = |kind: &str| {
        found
            .iter()
            .filter(|(p, _)| p.to_string_lossy().contains(&format!("envdump-{kind}-")))
            .count()
    };
    // Each kind of repository code ran: the build script (context's clippy, the fixers, the
    // checks, evaluation's clippy), the Rust test and npm script (checks), conftest.py (the
    // checks; a lint task changes no behaviour, so the evaluation runs no coverage).
    for kind in ["build", "test", "npm", "pytest"] {
        assert!(kinds(kind) > 0, "no {kind} dump in {found:?}");
    }
    assert!(kinds("build") >= 2, "{found:?}");
    let real_home = std::env::var("HOME").unwrap();
    for (path, text) in &found {
        for planted in [
            GITHUB_TOKEN,
            ANTHROPIC_API_KEY,
            OPENAI_API_KEY,
            "planted-database-file",
        ] {
            assert!(
                !text.contains(planted),
                "{} holds {planted}:\n{text}",
                path.display()
            );
        }
        for variable in [
            "GITHUB_TOKEN=",
            "ANTHROPIC_API_KEY=",
            "DATABASE_URL=",
            "AM_DATA_DIR=",
        ] {
            assert!(
                !text.lines().any(|l| l.starts_with(variable)),
                "{} has {variable}",
                path.display()
            );
        }
        let home = text
            .lines()
            .find_map(|l| l.strip_prefix("HOME="))
            .unwrap_or_else(|| panic!("no HOME in {}", path.display()));
        assert_ne!(home, real_home, "{}", path.display());
        assert!(home.contains("am-home-"), "{home}");
    }
    // Nothing was written beside the clone.
    let escaped: Vec<PathBuf> = git::files_under(root.path())
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("escaped-"))
        })
        .collect();
    assert!(escaped.is_empty(), "{escaped:?}");
}
