//! One build per run: every phase builds in the repository's cargo target directory, which
//! am-setup chooses in the cache and the next run of the same repository finds again; the clone
//! never gets a `target/`, and the evaluation takes the base's clippy counts from the context's
//! record instead of building the base again.

use std::path::{Path, PathBuf};

use automaintainer::artifacts::{lint_counts_path, BuildDirs, Evaluation};
use serde_json::{json, Value};

use crate::common::bin::{Ran, Runner};
use crate::common::git;
use crate::common::tools;

/// A crate whose library depends on a second package of the repository (built as a dependency,
/// `libnumbers-*.rmeta`) and has a needless `return` clippy fixes.
const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nnumbers = { path = \"numbers\" }\n",
    ),
    (
        "src/lib.rs",
        "//! The app.\n\n/// Two.\npub fn two() -> i32 {\n    return numbers::one() + 1;\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn two() {\n        assert_eq!(super::two(), 2);\n    }\n}\n",
    ),
    (
        "numbers/Cargo.toml",
        "[package]\nname = \"numbers\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    ),
    (
        "numbers/src/lib.rs",
        "//! Numbers.\n\n/// One.\npub fn one() -> i32 {\n    1\n}\n",
    ),
    (".gitignore", "target/\n"),
];

struct Fixture {
    root: tempfile::TempDir,
    database_url: String,
}

impl Fixture {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("data")).unwrap();
        let database_url = automaintainer::store::sqlite_url(&root.path().join("data/am.db"));
        Self { root, database_url }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// A repository of FILES (with the Cargo.lock cargo writes for it) as a bare remote.
    fn remote(&self, name: &str) -> PathBuf {
        let work = git::init_repo(&self.path(&format!("{name}-work")), FILES);
        let lock = std::process::Command::new("cargo")
            .args(["generate-lockfile", "--offline", "--quiet"])
            .current_dir(&work)
            .status()
            .unwrap();
        assert!(lock.success());
        git::git(&work, &["add", "Cargo.lock"]);
        git::git(&work, &["commit", "-qm", "Lock"]);
        git::bare_clone(&work, &self.path(&format!("{name}.git")))
    }

    fn phase(&self, binary: &str, run: &str, extra: Value) -> Ran {
        let mut input = json!({"run_id": run, "run_dir": self.path(run)});
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        Runner::new(binary)
            .env("DATABASE_URL", &self.database_url)
            .env("AM_LLM", "offline")
            .input_json(&input)
            .run()
    }

    fn setup(&self, run: &str, remote: &Path) -> BuildDirs {
        let cache = self.path("cache");
        self.phase(
            "am-setup",
            run,
            json!({"repository": remote, "cache_dir": cache}),
        )
        .assert_ok();
        read(&self.path(run).join("build-dirs.json"))
    }
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The names of the files in the target directory's `debug/deps`.
fn deps(target: &Path) -> Vec<String> {
    std::fs::read_dir(target.join("debug/deps"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_runs_phases_build_once_in_the_repositorys_kept_target_directory() {
    tools::assert_installed("bwrap", &["--version"]);
    tools::assert_installed("cargo", &["clippy", "--version"]);
    let f = Fixture::new();
    let remote = f.remote("app");
    let dirs = f.setup("run-1", &remote);
    assert!(dirs.kept, "{dirs:?}");
    assert!(
        dirs.cargo_target_dir.starts_with(f.path("cache/builds")),
        "{dirs:?}"
    );
    let clone = f.path("run-1/repo");
    let base = git::git(&clone, &["rev-parse", "HEAD"]);

    let sandboxed = json!({"sandbox": "required"});
    let mut context = json!({"cache_dir": f.path("cache"), "lint": true});
    context
        .as_object_mut()
        .unwrap()
        .extend(sandboxed.as_object().unwrap().clone());
    f.phase("am-context", "run-1", context).assert_ok();
    // Context's clippy built the dependency in the kept directory, not in the clone, and
    // recorded its counts of the base for the evaluation.
    assert!(
        deps(&dirs.cargo_target_dir)
            .iter()
            .any(|n| n.starts_with("libnumbers-") && n.ends_with(".rmeta")),
        "{:?}",
        deps(&dirs.cargo_target_dir)
    );
    assert!(!clone.join("target").exists());
    assert!(lint_counts_path(&f.path("run-1"), "clippy", &base).is_file());

    std::fs::write(
        f.path("run-1/task.json"),
        json!({"selection": {"status": "selected", "task": {
            "kind": "lint", "title": "Fix the clippy warning", "rationale": "clippy says so",
            "target_files": ["src/lib.rs"], "acceptance_criteria": ["the checks pass"]}}})
        .to_string(),
    )
    .unwrap();
    let implemented = f.phase(
        "am-implement",
        "run-1",
        json!({"llm": "offline", "sandbox": "required"}),
    );
    implemented.assert_ok();
    assert_eq!(
        implemented.outputs()["status"],
        "committed",
        "{}",
        implemented.stderr
    );
    // clippy --fix and the checks (cargo test) built there too.
    assert!(!clone.join("target").exists());
    assert!(
        deps(&dirs.cargo_target_dir)
            .iter()
            .any(|n| n.starts_with("libnumbers-") && n.ends_with(".rlib")),
        "{:?}",
        deps(&dirs.cargo_target_dir)
    );

    f.phase(
        "am-evaluate",
        "run-1",
        json!({"llm": "offline", "sandbox": "required", "coverage": false}),
    )
    .assert_ok();
    let evaluation: Evaluation = read(&f.path("run-1/evaluation.json"));
    assert!(
        evaluation.code_quality.evidence.contains(
            "1 finding(s) before, 0 after (0 introduced, 1 fixed; before: reused from context)"
        ),
        "{}",
        evaluation.code_quality.evidence
    );
    assert!(!clone.join("target").exists());
    assert!(!f.path("run-1/cargo-target").exists());

    f.phase("am-cleanup", "run-1", json!({"cache_dir": f.path("cache")}))
        .assert_ok();
    assert!(!f.path("run-1").exists());
    // The next run of the repository builds where this one did, the build still there; another
    // repository gets a directory of its own.
    let next = f.setup("run-2", &remote);
    assert_eq!(next, dirs);
    assert!(!deps(&next.cargo_target_dir).is_empty());
    let other = f.setup("run-3", &f.remote("other"));
    assert!(other.kept);
    assert_ne!(other.cargo_target_dir, dirs.cargo_target_dir);
}

#[test]
fn the_sandbox_sees_its_repositorys_kept_build_and_no_other() {
    tools::assert_installed("bwrap", &["--version"]);
    let root = super::scratch();
    let builds = root.path().join("cache/builds");
    let own = automaintainer::runner::build_dir::kept_cargo_target(&builds, "repo-a");
    let other = automaintainer::runner::build_dir::kept_cargo_target(&builds, "repo-b");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("libplanted.rlib"), "another repository's build").unwrap();
    let run_dir = root.path().join("run");
    let clone = run_dir.join("repo");
    std::fs::create_dir_all(&clone).unwrap();
    crate::common::artifacts::write(
        &run_dir.join("build-dirs.json"),
        &BuildDirs {
            cargo_target_dir: own.clone(),
            kept: true,
        },
    );
    let policy = std::sync::Arc::new(automaintainer::runner::Policy::for_run(
        &run_dir,
        automaintainer::runner::SandboxMode::Required,
    ));
    let script = format!(
        "echo \"target=$CARGO_TARGET_DIR\"; test -e '{}' && echo saw-the-other; \
         echo built > \"$CARGO_TARGET_DIR/libown.rlib\" && echo wrote",
        other.join("libplanted.rlib").display()
    );
    let ran = super::sh(&script, &clone, &policy);
    assert!(ran.success(), "{}", ran.stdout);
    assert!(
        ran.stdout.contains(&format!("target={}", own.display())),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("wrote"), "{}", ran.stdout);
    assert!(!ran.stdout.contains("saw-the-other"), "{}", ran.stdout);
    assert!(own.join("libown.rlib").is_file());
}
