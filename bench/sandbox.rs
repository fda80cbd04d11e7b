//! The sandbox's cost per check run (bench/sandbox.sh): the same commands through the runner with
//! `sandbox: required` (bubblewrap) and `off`, interleaved so drift hits both alike; the median
//! and spread of each. Commands: `true` (the fixed cost of a run) and `cargo test` on the
//! examples/demo-repo crate (a real check, warm build).

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use automaintainer::runner::{self, Policy, Request, SandboxMode};

fn policy(mode: SandboxMode) -> Arc<Policy> {
    Arc::new(Policy {
        mode,
        ..Policy::default()
    })
}

fn time(request: &Request) -> Duration {
    let ran = runner::run(request).expect("the command runs");
    assert!(ran.success(), "{}{}", ran.stdout, ran.stderr);
    ran.duration
}

fn summary(label: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let median = samples[samples.len() / 2];
    println!(
        "{label:<34} median {:>8.2} ms   min {:>8.2} ms   max {:>8.2} ms   (n={})",
        median.as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3,
        samples.len()
    );
    median
}

fn compare(name: &str, request: impl Fn(Arc<Policy>) -> Request, rounds: usize) {
    let (sandboxed, bare) = (policy(SandboxMode::Required), policy(SandboxMode::Off));
    // Warm up both (cargo builds once; the bwrap probe runs once).
    time(&request(Arc::clone(&sandboxed)));
    time(&request(Arc::clone(&bare)));
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        with.push(time(&request(Arc::clone(&sandboxed))));
        without.push(time(&request(Arc::clone(&bare))));
    }
    let a = summary(&format!("{name} (bwrap)"), with);
    let b = summary(&format!("{name} (off)"), without);
    println!(
        "{name}: the sandbox adds {:.2} ms per run (median)\n",
        (a.as_secs_f64() - b.as_secs_f64()) * 1e3
    );
}

fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let scratch = tempfile::tempdir().unwrap();
    compare(
        "true",
        |p| Request::new("true", scratch.path()).policy(p),
        rounds,
    );
    // A copy of the demo crate, so its target directory stays out of the repository.
    let demo = scratch.path().join("demo-repo");
    copy(Path::new("examples/demo-repo"), &demo);
    compare(
        "cargo test (demo-repo)",
        |p| {
            Request::new("cargo", &demo)
                .args(["test", "-q"])
                .env("CARGO_TERM_COLOR", "never")
                .policy(p)
        },
        rounds.div_ceil(3),
    );
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() != "target" {
                copy(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
