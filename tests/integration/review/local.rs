//! The local review of fixture diffs with known findings.

use super::*;

/// A change with one of each finding the local review knows, at known lines.
fn change_with_known_findings() -> Vec<(&'static str, String)> {
    let long_body: String = (0..64).map(|i| format!("    total += {i};\n")).collect();
    vec![
        (
            "src/config.rs",
            format!(
                "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {{\n    // TODO: read the port from the environment too\n    let port = text.trim().parse().ok();\n    return port;\n}}\n\npub fn tally() -> u32 {{\n    let mut total = 0;\n{long_body}    total\n}}\n\npub fn classify(v: &[Option<u32>]) -> u32 {{\n    for x in v {{\n        if let Some(n) = x {{\n            if *n > 1 {{\n                while *n > 2 {{\n                    if *n > 3 {{\n                        return 1;\n                    }}\n                }}\n            }}\n        }}\n    }}\n    0\n}}\n"
            ),
        ),
        ("src/keys.rs", format!("pub const DEPLOY_KEY: &str = \"ghp_{}\";\n", "Ab1".repeat(12))),
    ]
}

#[test]
fn the_local_review_finds_what_the_fixture_diff_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let files = change_with_known_findings();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let run = PrRun::with_change(tmp.path(), &files);
    let pr = json!({
        "action": "created", "forge": "local", "repository": run.remote, "number": 1,
        "branch": BRANCH, "base_branch": "main", "head_commit": run.head_commit,
        "title": "t", "body": "", "draft": false, "labels": []
    });
    std::fs::write(run.run_dir.join("pr.json"), pr.to_string()).unwrap();
    let ran = Runner::new("am-review")
        .input_json(&json!({"run_id": "run-1", "run_dir": run.run_dir}))
        .run();
    ran.assert_ok();
    let review = run.read("review.json");
    assert_eq!(review["source"], "local");
    let findings = review["findings"].as_array().unwrap();
    let find = |needle: &str| {
        findings
            .iter()
            .find(|f| f["title"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no finding with {needle}: {findings:#?}"))
    };
    let todo = find("New TODO");
    assert_eq!(
        (todo["path"].as_str(), todo["line_start"].as_u64()),
        (Some("src/config.rs"), Some(3))
    );
    let secret = find("Possible secret");
    assert_eq!(
        (secret["path"].as_str(), secret["line_start"].as_u64()),
        (Some("src/keys.rs"), Some(1))
    );
    assert_eq!(secret["severity"], "critical");
    let long = find("`tally` is very long");
    assert_eq!(long["line_start"], 8);
    let nested = find("`classify` is deeply nested");
    assert_eq!(nested["category"], "refactor");
    let untested = find("New code without tests in src/config.rs");
    assert_eq!(untested["category"], "testing");
    let clippy = find("clippy::needless_return");
    assert_eq!(
        (clippy["path"].as_str(), clippy["line_start"].as_u64()),
        (Some("src/config.rs"), Some(5))
    );
    assert_eq!(review["counts"]["security"], 1);
    assert!(review["risk_flags"]
        .as_array()
        .unwrap()
        .contains(&json!("critical finding")));
    assert!(!std::fs::read_to_string(run.run_dir.join("review.json"))
        .unwrap()
        .contains("ghp_Ab1"));
}

#[test]
fn a_tested_clean_change_has_no_local_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::with_change(
        tmp.path(),
        &[
            ("src/config.rs", "/// Loads the configuration.\npub fn load(text: &str) -> Option<u16> {\n    text.trim().parse().ok()\n}\n\n/// The default port.\npub fn default_port() -> u16 {\n    8080\n}\n"),
            ("tests/config.rs", "#[test]\nfn default_port_is_8080() {\n    assert_eq!(fixture::config::default_port(), 8080);\n}\n"),
        ],
    );
    let pr = json!({
        "action": "dry_run", "forge": "github", "repository": "github.com/octo/hello",
        "branch": BRANCH, "base_branch": "main", "head_commit": run.head_commit,
        "title": "t", "body": "", "draft": false, "labels": []
    });
    std::fs::write(run.run_dir.join("pr.json"), pr.to_string()).unwrap();
    let ran = Runner::new("am-review")
        .input_json(&json!({"run_id": "run-1", "run_dir": run.run_dir, "linters": false}))
        .run();
    ran.assert_ok();
    let review = run.read("review.json");
    assert_eq!(review["source"], "local");
    assert_eq!(review["findings"], json!([]), "{review}");
}

#[test]
fn no_pull_request_means_nothing_to_review() {
    let tmp = tempfile::tempdir().unwrap();
    let run = PrRun::new(tmp.path());
    let pr = json!({
        "action": "skipped_closed", "forge": "github", "repository": "github.com/octo/hello", "number": 5,
        "branch": BRANCH, "base_branch": "main", "title": "t", "body": "", "draft": false, "labels": []
    });
    std::fs::write(run.run_dir.join("pr.json"), pr.to_string()).unwrap();
    let ran = Runner::new("am-review")
        .input_json(&json!({"run_id": "run-1", "run_dir": run.run_dir}))
        .run();
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "nothing");
}
