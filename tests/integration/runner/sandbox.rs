//! What the bubblewrap sandbox denies and allows.

use std::net::TcpListener;

use super::*;

#[test]
fn the_network_is_denied_inside_and_reachable_without_the_sandbox() {
    let clone = scratch();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connect = format!("bash -c 'echo hello > /dev/tcp/127.0.0.1/{port}'");

    let inside = sh(&connect, clone.path(), &sandboxed(&[]));
    assert!(inside.sandboxed);
    assert!(
        !inside.success(),
        "connected from inside: {}",
        inside.stdout
    );

    // The same command outside the sandbox does connect: the denial is the sandbox's.
    let outside = sh(&connect, clone.path(), &policy(SandboxMode::Off, &[]));
    assert!(!outside.sandboxed);
    assert!(outside.success(), "{}", outside.stdout);
}

#[test]
fn writes_outside_the_clone_fail_and_inside_succeed() {
    let root = scratch();
    let clone = root.path().join("clone");
    let outside = root.path().join("outside");
    std::fs::create_dir_all(&clone).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let private = format!("/tmp/am-runner-private-{}.txt", std::process::id());
    let script = format!(
        "echo in > inside.txt; echo out > {}/escaped.txt; echo home > $HOME/h.txt; echo tmp > {private}",
        outside.display()
    );
    let ran = sh(&script, &clone, &sandboxed(&[]));
    // Outside the clone is read-only, or (when the scratch directory lies under /tmp, which the
    // sandbox replaces with its own) not there at all: either way the write fails.
    assert!(
        ran.stdout.contains("Read-only file system")
            || ran.stdout.contains("Directory nonexistent"),
        "{}",
        ran.stdout
    );
    assert_eq!(
        std::fs::read_to_string(clone.join("inside.txt")).unwrap(),
        "in\n"
    );
    assert!(!outside.join("escaped.txt").exists());
    // Its /tmp is its own: what it wrote there is gone.
    assert!(!Path::new(&private).exists());
}

#[test]
fn the_data_directory_and_the_runs_artifacts_are_invisible() {
    let root = scratch();
    let data = root.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("automaintainer.db"), "the store").unwrap();
    let run_dir = root.path().join("run");
    let clone = run_dir.join("repo");
    std::fs::create_dir_all(&clone).unwrap();
    std::fs::write(run_dir.join("context.json"), "{\"secret\": 1}").unwrap();
    std::fs::write(clone.join("README"), "readme").unwrap();
    let target = run_dir.join("cargo-target");

    let script = format!(
        "cat README; echo; echo entries=$(ls -A {data} | wc -l); cat {data}/automaintainer.db || echo no-store; cat ../context.json || echo no-artifacts; echo built > {target}/out && echo target-ok",
        data = data.display(),
        target = target.display()
    );
    let policy = sandboxed(&[&data, &run_dir]);
    let ran = runner::run(
        &Request::shell(&script, &clone)
            .writable(&target)
            .policy(policy),
    )
    .unwrap();
    assert_eq!(
        ran.stdout, "readme\nentries=0\nno-store\nno-artifacts\ntarget-ok\n",
        "{}",
        ran.stderr
    );
    // The shared cargo target directory under the run directory stays writable.
    assert!(ran.stdout.contains("target-ok"), "{}", ran.stdout);
    assert_eq!(
        std::fs::read_to_string(target.join("out")).unwrap(),
        "built\n"
    );
}

#[test]
fn home_is_a_throwaway_and_the_toolchain_still_works() {
    let clone = scratch();
    let ran = sh("echo $HOME; cargo --version", clone.path(), &sandboxed(&[]));
    assert!(ran.success(), "{}", ran.stdout);
    let home = ran.stdout.lines().next().unwrap();
    assert_ne!(Some(home.to_owned()), std::env::var("HOME").ok());
    assert!(home.contains("am-home-"), "{home}");
    assert!(
        !Path::new(home).exists(),
        "the throwaway home is removed afterwards"
    );
    assert!(ran.stdout.contains("cargo "), "{}", ran.stdout);
}

#[test]
fn the_clones_git_directory_is_read_only_inside_and_checks_still_pass() {
    assert_installed("python3", &["-m", "pytest", "--version"]);
    let root = scratch();
    let clone = root.path().join("clone");
    crate::common::git::init_repo(
        &clone,
        &[
            ("calc.py", "def add(a, b):\n    return a + b\n"),
            (
                "test_calc.py",
                "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n",
            ),
        ],
    );
    let config = std::fs::read_to_string(clone.join(".git/config")).unwrap();
    let head = crate::common::git::git(&clone, &["rev-parse", "HEAD"]);
    // What a hostile build script or test would try: a hook, the remote, a ref.
    let script = "echo '[remote \"origin\"]' >> .git/config; \
         printf '#!/bin/sh\\necho owned\\n' > .git/hooks/pre-push; \
         git remote add evil https://evil.example/x.git; \
         git update-ref refs/heads/main HEAD~0 2>&1; \
         echo \"# edited\" >> calc.py; \
         git rev-parse HEAD; \
         python3 -m pytest -q -p no:cacheprovider test_calc.py";
    let ran = sh(script, &clone, &sandboxed(&[]));
    assert!(ran.sandboxed);
    assert!(
        ran.stdout.contains("Read-only file system"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("1 passed"),
        "the check passes: {}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains(&head),
        "git history is readable: {}",
        ran.stdout
    );
    assert_eq!(
        std::fs::read_to_string(clone.join(".git/config")).unwrap(),
        config,
        "the config is unchanged"
    );
    assert!(
        !clone.join(".git/hooks/pre-push").exists(),
        "no hook was added"
    );
    assert!(
        std::fs::read_to_string(clone.join("calc.py"))
            .unwrap()
            .ends_with("# edited\n"),
        "the work tree stays writable"
    );

    // Outside the sandbox the same script does write: the protection is the sandbox's.
    let outside = sh(
        "echo '# touched' >> .git/config",
        &clone,
        &policy(SandboxMode::Off, &[]),
    );
    assert!(outside.success(), "{}", outside.stdout);
    assert!(std::fs::read_to_string(clone.join(".git/config"))
        .unwrap()
        .ends_with("# touched\n"));
}

#[test]
fn a_runs_clone_is_seen_at_one_path_whatever_its_run_directory() {
    assert_installed("cargo", &["--version"]);
    let root = scratch();
    let mut seen = Vec::new();
    for run in ["run-1", "run-2"] {
        let clone = root.path().join(run).join("repo");
        crate::common::git::init_repo(
            &clone,
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"seen\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("src/lib.rs", "pub fn one() -> u8 {\n    1\n}\n"),
            ],
        );
        let real = clone.canonicalize().unwrap();
        let in_run = Arc::new(Policy {
            clone: Some(real.clone()),
            ..(*sandboxed(&[])).clone()
        });
        // Where the command is, as it writes it into the clone and as it prints it.
        let ran = sh("pwd > where.txt; pwd", &clone, &in_run);
        assert!(ran.sandboxed && ran.success(), "{}", ran.stdout);
        let inside = std::fs::read_to_string(clone.join("where.txt")).unwrap();
        assert!(!inside.contains(run), "{inside}");
        assert_eq!(
            ran.stdout.trim(),
            real.to_str().unwrap(),
            "printed paths are put back"
        );
        seen.push(inside.clone());

        // A path in the clone given as an argument is given where the command sees the clone.
        let arg = runner::run(
            &Request::new("sh", &clone)
                .args(["-c", "printf %s \"$1\" > arg.txt", "sh"])
                .arg(real.join("src/lib.rs"))
                .policy(Arc::clone(&in_run)),
        )
        .unwrap();
        assert!(arg.success(), "{}", arg.stderr);
        assert_eq!(
            std::fs::read_to_string(clone.join("arg.txt")).unwrap(),
            format!("{}/src/lib.rs", inside.trim())
        );

        // A real tool's absolute paths come back naming the real clone, as the parsers expect.
        let metadata = sh(
            "cargo metadata --no-deps --offline --format-version 1",
            &clone,
            &in_run,
        );
        assert!(metadata.success(), "{}", metadata.stdout);
        let json: serde_json::Value = serde_json::from_str(metadata.stdout.trim()).unwrap();
        assert_eq!(
            json["packages"][0]["manifest_path"].as_str(),
            real.join("Cargo.toml").to_str()
        );

        // Its git directory is read-only there too.
        let hook = sh(
            "printf '#!/bin/sh\\n' > .git/hooks/pre-push; echo x >> .git/config",
            &clone,
            &in_run,
        );
        assert!(
            hook.stdout.contains("Read-only file system"),
            "{}",
            hook.stdout
        );
        assert!(!clone.join(".git/hooks/pre-push").exists());
    }
    assert_eq!(seen[0], seen[1], "both runs' clones are seen at one path");
}
