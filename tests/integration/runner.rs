//! The runner every call site runs the target repository's code through: what the sandbox
//! denies (network, writes outside the clone, the data and run directories), what it kills
//! (the whole group, on timeout and when the command ends), what it caps, and the modes.
//! The sandbox tests need bubblewrap and fail, never skip, without it (.ci/run installs it).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use automaintainer::runner::{self, Policy, Request, SandboxMode};

use crate::common::tools::assert_installed;

/// A policy of `mode` hiding `hidden`, on the test's own PATH.
fn policy(mode: SandboxMode, hidden: &[&Path]) -> Arc<Policy> {
    Arc::new(Policy {
        mode,
        hidden: hidden.iter().map(|p| p.canonicalize().unwrap()).collect(),
        path: None,
        build_cache: None,
        cargo_target_dir: None,
        run_dir: None,
        lint_memo: None,
        clone: None,
    })
}

fn sandboxed(hidden: &[&Path]) -> Arc<Policy> {
    assert_installed("bwrap", &["--version"]);
    policy(SandboxMode::Required, hidden)
}

/// A directory outside /tmp (the sandbox's /tmp is its own), under cargo's per-test scratch.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

fn sh(script: &str, dir: &Path, policy: &Arc<Policy>) -> runner::Ran {
    runner::run(
        &Request::shell(script, dir)
            .merge_stderr()
            .timeout(Duration::from_secs(60))
            .policy(Arc::clone(policy)),
    )
    .unwrap()
}

mod kept_build;
mod lint_memo;
mod modes;
mod phases;
mod sandbox;
