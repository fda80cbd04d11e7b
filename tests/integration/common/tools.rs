//! External programs a test measures with (linters, test runners): `.ci/run` installs them, and a
//! test that needs one fails, never skips, when it is missing.

/// Panics with how to install `program` unless `program args` runs and succeeds.
pub fn assert_installed(program: &str, args: &[&str]) {
    let found = std::process::Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{program} {}` must run for this test (.ci/run installs it: ruff, coverage and pytest with pip, eslint with npm)",
        args.join(" ")
    );
}
