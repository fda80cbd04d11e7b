//! A Python repository's own environment: a virtualenv in the run's build cache with what the
//! repository declares (`python_deps`), so its tests import what they need. Prepared in two halves
//! that keep the design's promise that the repository's code never runs with the network:
//! - with the network, pip only downloads wheels (`--only-binary=:all:`: no build backend, no
//!   `setup.py`, nothing of anyone's runs);
//! - without the network, pip installs those wheels and then the project itself in editable mode,
//!   which does run its build backend, sandboxed like the tests.
//!
//! Every later command of the run finds the environment's `bin/` first on its PATH
//! ([`venv_bin`]), so `pytest` and `coverage` are the environment's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::command::Request;
use super::execute::run;
use super::python_deps::{self, PythonNeeds};

/// The environment's directory inside the build cache.
const VENV: &str = "python";
/// The wheels downloaded for it.
const WHEELS: &str = "python-wheels";
/// Written last: the environment is complete and later phases reuse it.
const STAMP: &str = ".automaintainer-prepared";
/// Tools the checks and the evaluation run from the environment.
const TOOLS: &[&str] = &["pytest", "coverage"];
/// Requirements fetched one by one at most, when fetching them together failed.
const MAX_ONE_BY_ONE: usize = 60;

/// The `bin/` of the run's prepared Python environment, when there is one.
pub(crate) fn venv_bin(build_cache: &Path) -> Option<PathBuf> {
    let venv = build_cache.join(VENV);
    venv.join(STAMP)
        .is_file()
        .then(|| venv.join("bin"))
        .filter(|bin| bin.join("python").exists())
}

/// Prepares the environment of the Python repository at `clone` in `build_cache`, with `tools`
/// (pinned formatters) besides what it declares. None when the repository declares no
/// requirement and pins no tool (the machine's Python serves as before); else what was done, for
/// the log.
pub(crate) fn prepare(
    clone: &Path,
    build_cache: &Path,
    timeout: Duration,
    tools: &[String],
) -> Option<String> {
    let mut needs = python_deps::read(clone);
    if !needs.any() && tools.is_empty() {
        return None;
    }
    needs.requirements.extend(tools.iter().cloned());
    let venv = build_cache.join(VENV);
    if venv.join(STAMP).is_file() {
        return Some("the Python environment (already prepared)".to_owned());
    }
    let step = |request: Request| {
        request
            .timeout(timeout)
            .writable(build_cache)
            .output_cap(64 * 1024)
    };
    let _ = std::fs::remove_dir_all(&venv);
    if let Err(why) = ok(step(Request::new("python3", clone).args([
        "-m".as_ref(),
        "venv".as_ref(),
        venv.as_os_str(),
    ]))) {
        tracing::warn!(
            "creating a Python environment failed; the checks use the machine's Python: {why}"
        );
        return None;
    }
    let python = venv.join("bin/python");
    let wheels = build_cache.join(WHEELS);
    let specs = specs(&needs);
    let list = build_cache.join("python-requirements.txt");
    if let Err(e) = std::fs::write(&list, specs.join("\n") + "\n") {
        tracing::warn!("writing the Python requirements failed: {e}");
        return None;
    }
    let pip = |args: &[&std::ffi::OsStr]| {
        step(
            Request::new(&python, clone)
                .args(["-m", "pip", "--disable-pip-version-check"])
                .args(args),
        )
    };
    // With the network: wheels only, so nothing is built and no code runs.
    let download = |what: &[&std::ffi::OsStr]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "download".as_ref(),
            "--only-binary=:all:".as_ref(),
            "--dest".as_ref(),
            wheels.as_os_str(),
        ];
        args.extend_from_slice(what);
        ok(pip(&args).network())
    };
    let mut missing = Vec::new();
    if let Err(why) = download(&["-r".as_ref(), list.as_os_str()]) {
        tracing::debug!("fetching the Python requirements together failed, one by one now: {why}");
        for spec in specs.iter().take(MAX_ONE_BY_ONE) {
            if download(&[spec.as_ref()]).is_err() {
                missing.push(spec.clone());
            }
        }
    }
    // Without the network, from those wheels only.
    let install = |what: &[&std::ffi::OsStr]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "install".as_ref(),
            "--no-index".as_ref(),
            "--find-links".as_ref(),
            wheels.as_os_str(),
        ];
        args.extend_from_slice(what);
        ok(pip(&args))
    };
    if install(&["-r".as_ref(), list.as_os_str()]).is_err() {
        let fetched: Vec<&String> = specs.iter().filter(|s| !missing.contains(s)).collect();
        for spec in fetched {
            if let Err(why) = install(&[spec.as_ref()]) {
                tracing::debug!("installing {spec} failed: {why}");
                missing.push(spec.clone());
            }
        }
    }
    let mut done = format!(
        "a Python environment with {} of {} requirement(s)",
        specs.len() - missing.len(),
        specs.len()
    );
    if !missing.is_empty() {
        tracing::warn!(
            "no wheel could be fetched or installed for {}; the tests that need them will fail",
            missing.join(", ")
        );
    }
    if needs.installable {
        // The project itself, editable, so the tests import the clone's code: its build backend
        // runs here, sandboxed and offline.
        match install(&[
            "--no-deps".as_ref(),
            "--no-build-isolation".as_ref(),
            "-e".as_ref(),
            ".".as_ref(),
        ]) {
            Ok(()) => done.push_str(" and the project installed in editable mode"),
            Err(why) => tracing::warn!(
                "installing the project itself failed; its tests import it from the clone: {why}"
            ),
        }
    }
    let _ = std::fs::write(venv.join(STAMP), "");
    Some(done)
}

/// What a build backend needs besides itself for an editable install without build isolation
/// (what it would otherwise ask for through `get_requires_for_build_editable`).
const EDITABLE_NEEDS: &[(&str, &str)] = &[("hatchling", "editables"), ("setuptools", "wheel")];

/// The requirements, the build backend's and the tools', in a stable order.
fn specs(needs: &PythonNeeds) -> Vec<String> {
    let mut all: Vec<String> = needs
        .requirements
        .iter()
        .chain(&needs.build)
        .cloned()
        .collect();
    let named = |all: &[String], wanted: &str| {
        all.iter().any(|s| {
            s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case(wanted))
        })
    };
    let mut more: Vec<&str> = EDITABLE_NEEDS
        .iter()
        .filter(|(backend, _)| named(&all, backend))
        .map(|(_, need)| *need)
        .collect();
    more.extend(TOOLS);
    for tool in more {
        if !named(&all, tool) {
            all.push(tool.to_owned());
        }
    }
    all.dedup();
    all
}

/// Runs `request`; Err with its last output line when it failed.
fn ok(request: Request) -> Result<(), String> {
    match run(&request) {
        Ok(ran) if ran.success() => Ok(()),
        Ok(ran) => Err(first_error(&ran.stderr)
            .unwrap_or_else(|| super::prepare::last_line(&ran.stderr, &ran.stdout))),
        Err(e) => Err(e.to_string()),
    }
}

/// The last line of pip's output that names an error (`ModuleNotFoundError: ...`), rather than
/// its closing hint.
fn first_error(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.contains("Error:") || (l.starts_with("ERROR:") && !l.contains("See above")))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tools_are_added_once_whatever_the_spelling() {
        let mut needs = PythonNeeds::default();
        needs.requirements.insert("pytest>=7".to_owned());
        needs.requirements.insert("wcwidth".to_owned());
        needs.build.insert("hatchling".to_owned());
        assert_eq!(
            specs(&needs),
            ["pytest>=7", "wcwidth", "hatchling", "editables", "coverage"]
        );
    }

    #[test]
    fn an_unstamped_environment_is_not_used() {
        let cache = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(cache.path().join("python/bin")).unwrap();
        std::fs::write(cache.path().join("python/bin/python"), "").unwrap();
        assert_eq!(venv_bin(cache.path()), None);
        std::fs::write(cache.path().join("python").join(STAMP), "").unwrap();
        assert_eq!(
            venv_bin(cache.path()),
            Some(cache.path().join("python/bin"))
        );
    }
}
