//! The offline provider end to end with the real cargo tools.

use super::*;

#[tokio::test]
async fn offline_provider_fixes_a_clippy_warning_end_to_end() {
    let run = Run::new();
    let warned = "//! A fixture crate.\n\n/// Whether the list is empty.\npub fn nothing_in(v: &[i32]) -> bool {\n    v.len() == 0\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn empty() {\n        assert!(super::nothing_in(&[]));\n    }\n}\n";
    commit_files(&run.repo, &[("src/lib.rs", warned)], "a clippy warning");
    let findings = json!([{"kind": "lint", "path": "src/lib.rs", "line": 5, "message": "length comparison to zero",
                           "tool": "clippy", "fixable": true},
                          {"kind": "todo", "path": "src/lib.rs", "message": "TODO", "tool": "todo", "fixable": false}]);
    run.write_json("context.json", &context(findings, json!([]), json!([])));

    let selected = run
        .run("am-select", run.input(json!({"llm": "offline"})))
        .await;
    selected.assert_ok();
    assert_eq!(selected.outputs()["kind"], "lint");
    let task = run.read_json("task.json");
    assert_eq!(
        task["selection"]["task"]["target_files"],
        json!(["src/lib.rs"])
    );

    let ran = run
        .run("am-implement", run.input(json!({"llm": "offline"})))
        .await;
    ran.assert_ok();
    let out = ran.outputs();
    assert_eq!(out["status"], "committed", "{}", ran.stderr);
    let branch = out["branch"].as_str().unwrap();
    assert!(
        branch.starts_with("automaintainer/lint-fix-1-clippy-finding-in-src-lib-rs-"),
        "{branch}"
    );
    let fixed = run.git(&["show", &format!("{branch}:src/lib.rs")]);
    assert!(
        fixed.contains("v.is_empty()") && !fixed.contains("len() == 0"),
        "{fixed}"
    );
    let implementation = run.read_json("implementation.json");
    assert_eq!(implementation["checks"][0]["command"], "cargo test");
    assert_eq!(implementation["checks"][0]["passed"], true);
    assert_eq!(implementation["usage"]["calls"], 0);
}

#[tokio::test]
async fn offline_provider_says_nothing_when_no_tool_applies() {
    let run = Run::new();
    let findings = json!([{"kind": "complexity", "path": "src/lib.rs", "message": "too complex", "tool": "complexity", "fixable": false}]);
    run.write_json("context.json", &context(findings, json!([]), json!([])));
    let ran = run
        .run("am-select", run.input(json!({"llm": "offline"})))
        .await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "nothing");
    assert!(ran.outputs()["reason"]
        .as_str()
        .unwrap()
        .contains("needs a model"));

    // A task only a model can do: the offline implementer says so and touches nothing.
    run.write_json(
        "task.json",
        &task("bug_fix", "Fix something", &["src/lib.rs"], None),
    );
    let ran = run
        .run("am-implement", run.input(json!({"llm": "offline"})))
        .await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "nothing");
    assert!(ran.outputs()["reason"]
        .as_str()
        .unwrap()
        .contains("needs a model"));
}
