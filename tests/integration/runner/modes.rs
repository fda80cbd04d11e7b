//! Killing, capping and the sandbox modes.

use super::*;

/// Whether a process whose command line holds `marker` is running.
fn running(marker: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
        std::fs::read(entry.path().join("cmdline"))
            .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(marker))
    })
}

/// Waits (up to a minute) for a process to be gone; the kernel reaps killed orphans promptly.
fn gone(marker: &str) -> bool {
    for _ in 0..600 {
        if !running(marker) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn kills_the_whole_group(policy: &Arc<Policy>, marker: &str) {
    let clone = scratch();
    // A child that outlives its parent: the shell is killed at the timeout, the sleep is not its
    // direct concern.
    let script = format!("sleep {marker} & echo started; sleep 600");
    let ran = runner::run(
        &Request::shell(&script, clone.path())
            .timeout(Duration::from_millis(500))
            .policy(Arc::clone(policy)),
    )
    .unwrap();
    assert!(ran.timed_out && !ran.success());
    assert_eq!(ran.stdout, "started\n");
    assert!(gone(marker), "the background sleep outlived the timeout");

    // And one left behind by a command that ended on its own.
    let script = format!("(sleep {marker} &); echo done");
    let ran =
        runner::run(&Request::shell(&script, clone.path()).policy(Arc::clone(policy))).unwrap();
    assert!(ran.success(), "{ran:?}");
    assert!(gone(marker), "the orphaned sleep outlived the command");
}

#[test]
fn a_timeout_kills_the_whole_group_without_the_sandbox() {
    kills_the_whole_group(&policy(SandboxMode::Off, &[]), "4321.0123");
}

#[test]
fn a_timeout_kills_the_whole_group_in_the_sandbox() {
    kills_the_whole_group(&sandboxed(&[]), "4321.0456");
}

#[test]
fn output_is_capped_to_its_end() {
    let clone = scratch();
    let ran = runner::run(
        &Request::shell("seq 1 200000; echo last", clone.path())
            .output_cap(1000)
            .policy(policy(SandboxMode::Off, &[])),
    )
    .unwrap();
    assert!(ran.success());
    assert!(ran.truncated);
    assert_eq!(ran.stdout.len(), 1000);
    assert!(ran.stdout.ends_with("200000\nlast\n"), "{}", ran.stdout);
}

#[test]
fn a_huge_timeout_is_clamped_not_a_panic() {
    let clone = scratch();
    let ran = runner::run(
        &Request::shell("echo ok", clone.path())
            .timeout(Duration::MAX)
            .policy(policy(SandboxMode::Off, &[])),
    )
    .unwrap();
    assert_eq!(ran.stdout, "ok\n");
}

/// A PATH with `sh` and nothing else: no bubblewrap on it.
fn path_without_bwrap(dir: &Path) -> std::ffi::OsString {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink("/bin/sh", bin.join("sh")).unwrap();
    bin.into_os_string()
}

#[test]
fn required_without_bubblewrap_fails_clearly_and_off_runs_without_it() {
    let clone = scratch();
    let path = path_without_bwrap(clone.path());
    let with = |mode| {
        Arc::new(Policy {
            mode,
            hidden: Vec::new(),
            path: Some(path.clone()),
            build_cache: None,
            cargo_target_dir: None,
            run_dir: None,
            lint_memo: None,
            clone: None,
        })
    };
    let error =
        runner::run(&Request::shell("echo ran", clone.path()).policy(with(SandboxMode::Required)))
            .unwrap_err()
            .to_string();
    assert!(
        error.contains("sandbox: required")
            && error.contains("bubblewrap (bwrap) is not installed"),
        "{error}"
    );
    for mode in [SandboxMode::Off, SandboxMode::Auto] {
        let ran =
            runner::run(&Request::shell("echo ran", clone.path()).policy(with(mode))).unwrap();
        assert_eq!(ran.stdout, "ran\n");
        assert!(!ran.sandboxed);
    }
}

#[test]
fn a_missing_program_is_not_found() {
    let clone = scratch();
    let error = runner::run(
        &Request::new("no-such-linter-here", clone.path()).policy(policy(SandboxMode::Off, &[])),
    )
    .unwrap_err();
    assert!(error.is_not_found(), "{error}");
}

#[test]
fn cargo_runs_offline_where_there_is_no_network() {
    let clone = scratch();
    for policy in [policy(SandboxMode::Off, &[]), sandboxed(&[])] {
        let ran = sh("echo \"offline=$CARGO_NET_OFFLINE\"", clone.path(), &policy);
        assert_eq!(ran.stdout.trim(), "offline=true");
    }
}

#[test]
fn the_runs_prepared_python_environment_comes_first_on_the_path() {
    let clone = scratch();
    let cache = scratch();
    let bin = cache.path().join("python/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("python"), "").unwrap();
    let pytest = bin.join("pytest");
    std::fs::write(
        &pytest,
        "#!/bin/sh\necho \"the environment's pytest in $VIRTUAL_ENV\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&pytest, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let with_cache = |stamped: bool| {
        if stamped {
            std::fs::write(cache.path().join("python/.automaintainer-prepared"), "").unwrap();
        }
        Arc::new(Policy {
            mode: SandboxMode::Off,
            hidden: Vec::new(),
            // Nothing else on the PATH: only the environment can provide `pytest`.
            path: Some(clone.path().as_os_str().to_owned()),
            build_cache: Some(cache.path().to_path_buf()),
            cargo_target_dir: None,
            run_dir: None,
            lint_memo: None,
            clone: None,
        })
    };
    // Half-prepared (no stamp): not used.
    let error = runner::run(&Request::new("pytest", clone.path()).policy(with_cache(false)));
    assert!(error.is_err_and(|e| e.is_not_found()));
    let ran = runner::run(&Request::new("pytest", clone.path()).policy(with_cache(true))).unwrap();
    assert_eq!(
        ran.stdout.trim(),
        format!(
            "the environment's pytest in {}",
            cache.path().join("python").display()
        )
    );
}
