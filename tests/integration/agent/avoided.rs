//! What learnings say to avoid holds while a task is carried out, not only when it is chosen: a
//! fix run for one rule leaves an avoided rule's findings as they were (clippy `-A`, ruff
//! `--unfixable`), and an avoided formatter does not run.

use super::*;

/// A learning that says to leave `rule` alone, from a closed PR.
fn avoid(id: i64, action: &str, target: &str) -> Value {
    json!({
        "id": id, "kind": "mistake", "content": format!("{target} changes were not wanted"),
        "weight": 1.0, "score": 1.0,
        "effect": {"action": action, "target": target},
        "evidence": [{"run_id": "run-0", "outcome": "closed_unmerged", "source": "forge",
                      "pr_number": 7, "rule": target, "at": "2026-12-01T00:00:00Z"}],
    })
}

fn lint_task(title: &str, files: &[&str], tool: &str, rules: &[&str]) -> Value {
    let mut task = task("lint", title, files, None);
    task["selection"]["task"]["tool"] = json!(tool);
    task["selection"]["task"]["rules"] = json!(rules);
    task
}

#[tokio::test]
async fn clippy_fixing_one_rule_leaves_an_avoided_rule_alone() {
    let run = Run::new();
    // clippy::len_zero on line 5, clippy::needless_return on line 10.
    let lib = "//! A fixture crate.\n\n/// Whether the list is empty.\npub fn nothing_in(v: &[i32]) -> bool {\n    v.len() == 0\n}\n\n/// Adds two numbers.\npub fn add(a: i32, b: i32) -> i32 {\n    return a + b;\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn works() {\n        assert!(super::nothing_in(&[]));\n        assert_eq!(super::add(2, 2), 4);\n    }\n}\n";
    commit_files(&run.repo, &[("src/lib.rs", lib)], "two clippy warnings");
    run.write_json(
        "context.json",
        &context(
            json!([]),
            json!([]),
            json!([avoid(3, "avoid_rule", "clippy::len_zero")]),
        ),
    );
    run.write_json(
        "task.json",
        &lint_task(
            "Fix 1 clippy finding in src/lib.rs",
            &["src/lib.rs"],
            "clippy",
            &["clippy::needless_return"],
        ),
    );
    let ran = run
        .run("am-implement", run.input(json!({"llm": "offline"})))
        .await;
    ran.assert_ok();
    let out = ran.outputs();
    assert_eq!(out["status"], "committed", "{}", ran.stderr);
    let branch = out["branch"].as_str().unwrap();
    let diff = run.git(&["diff", "-U0", "HEAD~1", branch, "--", "src/lib.rs"]);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(changed, ["-    return a + b;", "+    a + b"], "{diff}");
}

#[tokio::test]
async fn ruff_fixing_one_rule_leaves_an_avoided_rule_alone() {
    let found = std::process::Command::new("ruff")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "ruff is needed: `python3 -m pip install ruff` (scripts/test installs it)"
    );
    let run = Run::new();
    // F401 (`os` unused) on line 1, F541 (an f-string without placeholders) on line 5: both have
    // safe fixes.
    let calc = "import os\n\n\ndef greet(name):\n    return f\"hello \" + name\n";
    commit_files(
        &run.repo,
        &[
            ("ruff.toml", "[lint]\nselect = [\"F\"]\n"),
            ("calc.py", calc),
        ],
        "two ruff findings",
    );
    let mut context = context(
        json!([]),
        json!([]),
        json!([avoid(4, "avoid_rule", "F401")]),
    );
    context["check_commands"] = json!(["python3 -m py_compile calc.py"]);
    run.write_json("context.json", &context);
    run.write_json(
        "task.json",
        &lint_task(
            "Fix 1 ruff finding in calc.py",
            &["calc.py"],
            "ruff",
            &["F541"],
        ),
    );
    let ran = run
        .run("am-implement", run.input(json!({"llm": "offline"})))
        .await;
    ran.assert_ok();
    let out = ran.outputs();
    assert_eq!(out["status"], "committed", "{}", ran.stderr);
    let branch = out["branch"].as_str().unwrap();
    let fixed = run.git(&["show", &format!("{branch}:calc.py")]);
    assert_eq!(
        fixed, "import os\n\n\ndef greet(name):\n    return \"hello \" + name",
        "the avoided F401 stays, F541 is fixed"
    );
}

#[tokio::test]
async fn an_avoided_formatter_does_not_run_after_the_fix() {
    let run = Run::new();
    // needless_return to fix, and a line rustfmt would rewrap; the repository formats by choice
    // (rustfmt.toml), but a learning says rustfmt's changes are not wanted.
    let lib = "//! A fixture crate.\n\n/// Adds two numbers.\npub fn add(a: i32, b: i32) -> i32 {\n    return a + b;\n}\n\n/// Three.\npub fn three() -> i32 { add(1,   2) }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {\n        assert_eq!(super::add(2, 2), 4);\n    }\n}\n";
    commit_files(
        &run.repo,
        &[
            ("src/lib.rs", lib),
            ("rustfmt.toml", "edition = \"2021\"\n"),
        ],
        "a clippy warning and unformatted code",
    );
    run.write_json(
        "context.json",
        &context(
            json!([]),
            json!([]),
            json!([avoid(5, "avoid_tool", "rustfmt")]),
        ),
    );
    run.write_json(
        "task.json",
        &lint_task(
            "Fix 1 clippy finding in src/lib.rs",
            &["src/lib.rs"],
            "clippy",
            &["clippy::needless_return"],
        ),
    );
    let ran = run
        .run("am-implement", run.input(json!({"llm": "offline"})))
        .await;
    ran.assert_ok();
    let out = ran.outputs();
    assert_eq!(out["status"], "committed", "{}", ran.stderr);
    let branch = out["branch"].as_str().unwrap();
    let fixed = run.git(&["show", &format!("{branch}:src/lib.rs")]);
    assert!(
        fixed.contains("pub fn three() -> i32 { add(1,   2) }"),
        "{fixed}"
    );
    assert!(
        fixed.contains("    a + b\n") && !fixed.contains("return"),
        "{fixed}"
    );
}

#[tokio::test]
async fn a_models_choice_of_avoided_work_is_refused_and_the_offline_selection_chooses() {
    let run = Run::new();
    let findings = json!([
        {"kind": "lint", "path": "src/lib.rs", "line": 5, "tool": "clippy", "fixable": true,
         "message": "clippy::len_zero: length comparison to zero"},
        {"kind": "lint", "path": "src/lib.rs", "line": 10, "tool": "clippy", "fixable": true,
         "message": "clippy::needless_return: unneeded `return` statement"},
    ]);
    run.write_json(
        "context.json",
        &context(
            findings,
            json!([]),
            json!([avoid(3, "avoid_rule", "clippy::len_zero")]),
        ),
    );
    // The model insists on the rule a closed PR taught to leave alone.
    let avoided = json!({"choice": {"status": "selected", "task": {"kind": "lint",
        "title": "Use is_empty", "rationale": "r", "target_files": ["src/lib.rs"],
        "acceptance_criteria": ["c"], "tool": "clippy", "rules": ["clippy::len_zero"]}}});
    let server = MockServer::start().await;
    llm_stub::mount_openai(&server, vec![llm_stub::openai_reply(&avoided.to_string())]).await;
    let ran = run
        .run(
            "am-select",
            run.input(json!({"llm": llm_stub::openai_spec(&server)})),
        )
        .await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "selected", "{}", ran.stderr);
    let task_file = run.read_json("task.json");
    let task = &task_file["selection"]["task"];
    assert_eq!(
        task["rules"],
        json!(["clippy::needless_return"]),
        "{task_file}"
    );
    assert!(
        task_file["shaped_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == 3),
        "{task_file}"
    );
    assert_eq!(task_file["usage"]["calls"], 2);
    let bodies = llm_stub::request_bodies(&server).await;
    let second = bodies[1]["messages"][1]["content"].as_str().unwrap();
    assert!(
        second.contains(
            "the task is refused because its rule `clippy::len_zero` is avoided in this repository by learning #3"
        ) && second.contains("PR #7"),
        "{second}"
    );
    assert!(
        ran.stderr.contains("falling back to the offline selection"),
        "{}",
        ran.stderr
    );
}

#[tokio::test]
async fn eslint_fixing_one_rule_leaves_an_avoided_rule_alone() {
    let found = std::process::Command::new("eslint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "eslint is needed: `npm install -g eslint` (scripts/test installs it)"
    );
    let run = Run::new();
    // no-var on line 2 and prefer-const on line 3: eslint --fix fixes both on its own.
    let cart = "export function total(prices) {\n  var sum = 0;\n  let tax = 2;\n  for (const p of prices) {\n    sum += p;\n  }\n  return sum + tax;\n}\n";
    commit_files(
        &run.repo,
        &[
            (
                "eslint.config.mjs",
                "export default [\n  {\n    files: [\"**/*.js\"],\n    rules: { \"no-var\": \"error\", \"prefer-const\": \"error\" },\n  },\n];\n",
            ),
            ("package.json", "{\"name\": \"cart\", \"private\": true, \"type\": \"module\"}\n"),
            ("src/cart.js", cart),
        ],
        "two eslint findings",
    );
    let mut context = context(
        json!([]),
        json!([]),
        json!([avoid(6, "avoid_rule", "prefer-const")]),
    );
    context["check_commands"] = json!(["node --check src/cart.js"]);
    run.write_json("context.json", &context);
    run.write_json(
        "task.json",
        &lint_task(
            "Fix 1 eslint finding in src/cart.js",
            &["src/cart.js"],
            "eslint",
            &["no-var"],
        ),
    );
    let ran = run
        .run("am-implement", run.input(json!({"llm": "offline"})))
        .await;
    ran.assert_ok();
    let out = ran.outputs();
    assert_eq!(out["status"], "committed", "{}", ran.stderr);
    let branch = out["branch"].as_str().unwrap();
    let fixed = run.git(&["show", &format!("{branch}:src/cart.js")]);
    assert!(
        fixed.contains("  let sum = 0;") && fixed.contains("  let tax = 2;"),
        "no-var is fixed, the avoided prefer-const is not: {fixed}"
    );
}

#[tokio::test]
async fn a_fixer_without_a_rule_switch_that_changes_an_avoided_rule_keeps_nothing() {
    let found = std::process::Command::new("xo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "xo is needed: `npm install -g xo` (scripts/test installs it)"
    );
    let run = Run::new();
    // no-var on line 2 and prefer-const on line 3; `xo --fix` has no way to leave one alone.
    let cart = "export function total(prices) {\n\tvar sum = 0;\n\tlet tax = 2;\n\tfor (const p of prices) {\n\t\tsum += p;\n\t}\n\n\treturn sum + tax;\n}\n";
    commit_files(
        &run.repo,
        &[
            (
                "package.json",
                "{\n\t\"name\": \"cart\",\n\t\"version\": \"0.1.0\",\n\t\"type\": \"module\",\n\t\"xo\": {\n\t\t\"rules\": {}\n\t}\n}\n",
            ),
            ("src/cart.js", cart),
        ],
        "two xo findings",
    );
    let mut context = context(
        json!([]),
        json!([]),
        json!([avoid(8, "avoid_rule", "prefer-const")]),
    );
    context["check_commands"] = json!(["node --check src/cart.js"]);
    run.write_json("context.json", &context);
    run.write_json(
        "task.json",
        &lint_task(
            "Fix 1 xo finding in src/cart.js",
            &["src/cart.js"],
            "xo",
            &["no-var"],
        ),
    );
    let ran = run
        .run("am-implement", run.input(json!({"llm": "offline"})))
        .await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "the fixes also changed findings of `prefer-const` in src/cart.js, which learning #8 says to leave alone"
        ),
        "{}",
        ran.stderr
    );
    assert_eq!(
        std::fs::read_to_string(run.repo.join("src/cart.js")).unwrap(),
        cart,
        "nothing was kept"
    );
}
