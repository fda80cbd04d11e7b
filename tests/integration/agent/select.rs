//! am-select with a model stub: the choice checked against the context, usage, the budget.

use super::*;

#[tokio::test]
async fn select_checks_the_models_choice_and_asks_once_more() {
    let run = Run::new();
    let learnings = json!([{"id": 41, "kind": "preference", "content": "Keep PRs under 50 lines", "weight": 1.5, "score": 0.9}]);
    run.write_json("context.json", &context(json!([]), json!([]), learnings));
    let missing = json!({"choice": {"status": "selected", "task": {"kind": "bug_fix", "title": "Fix parser",
        "rationale": "r", "target_files": ["src/parser.rs"], "acceptance_criteria": ["c"]}}});
    let good = json!({"choice": {"status": "selected", "task": {"kind": "test", "title": "Test add with negatives",
        "rationale": "r", "target_files": ["src/lib.rs"], "acceptance_criteria": ["c"]}}});
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![
            llm_stub::openai_reply(&missing.to_string()),
            llm_stub::openai_reply(&good.to_string()),
        ],
    )
    .await;
    let ran = run
        .run(
            "am-select",
            run.input(json!({"llm": llm_stub::openai_spec(&server)})),
        )
        .await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "selected");
    assert_eq!(ran.outputs()["kind"], "test");
    let task_path = run.run_dir.join("task.json");
    assert_eq!(ran.outputs()["task_path"], task_path.to_str().unwrap());
    let task_file = run.read_json("task.json");
    assert_eq!(
        task_file["selection"]["task"]["title"],
        "Test add with negatives"
    );
    assert_eq!(task_file["learnings_used"], json!([41]));
    assert_eq!(task_file["usage"]["calls"], 2);
    let bodies = llm_stub::request_bodies(&server).await;
    let first = bodies[0]["messages"][1]["content"].as_str().unwrap();
    assert!(first.contains("Keep PRs under 50 lines"));
    let second = bodies[1]["messages"][1]["content"].as_str().unwrap();
    assert!(
        second.contains("target file `src/parser.rs` does not exist"),
        "{second}"
    );
}

#[tokio::test]
async fn select_fails_clearly_when_the_choice_is_rejected_twice() {
    let run = Run::new();
    run.write_json("context.json", &context(json!([]), json!([]), json!([])));
    let wrong_issue = json!({"choice": {"status": "selected", "task": {"kind": "bug_fix", "title": "Fix #99",
        "rationale": "r", "target_files": ["src/lib.rs"], "acceptance_criteria": ["c"], "issue": 99}}});
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![llm_stub::openai_reply(&wrong_issue.to_string())],
    )
    .await;
    let ran = run
        .run(
            "am-select",
            run.input(json!({"llm": llm_stub::openai_spec(&server)})),
        )
        .await;
    assert_eq!(ran.code, 1);
    assert!(
        ran.stderr.contains("rejected twice")
            && ran
                .stderr
                .contains("issue #99 is not among the eligible issues"),
        "{}",
        ran.stderr
    );
    assert!(!run.run_dir.join("task.json").exists());
}

#[tokio::test]
async fn select_through_anthropic_reports_usage_and_never_prints_the_key() {
    let run = Run::new();
    run.write_json("context.json", &context(json!([]), json!([]), json!([])));
    let nothing = json!({"choice": {"status": "nothing", "reason": "the code is in good shape"}});
    let server = MockServer::start().await;
    llm_stub::mount_anthropic(&server, vec![llm_stub::anthropic_reply(nothing)]).await;
    let (target, run_dir, input) = (
        run.target.clone(),
        run.run_dir.clone(),
        run.input(json!({})),
    );
    let uri = server.uri();
    let ran = tokio::task::spawn_blocking(move || {
        Runner::new("am-select")
            .env("CARGO_TARGET_DIR", &target)
            .env("AM_LLM", "anthropic:claude-sonnet-4-5")
            .env("ANTHROPIC_API_KEY", llm_stub::ANTHROPIC_KEY)
            .env("AM_ANTHROPIC_BASE_URL", &uri)
            .input_json(&input)
            .run()
    })
    .await
    .unwrap();
    ran.assert_ok();
    assert_eq!(ran.outputs()["status"], "nothing");
    assert_eq!(ran.outputs()["reason"], "the code is in good shape");
    let tokens = ran.metric("llm_tokens").unwrap();
    assert_eq!(tokens["value"], 250.0);
    assert_eq!(tokens["tags"]["phase"], "select");
    assert!(
        ran.metric("llm_cost_usd").unwrap()["value"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(
        !ran.stdout.contains(llm_stub::ANTHROPIC_KEY)
            && !ran.stderr.contains(llm_stub::ANTHROPIC_KEY)
    );
    let ledger: Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("llm-usage.json")).unwrap())
            .unwrap();
    assert_eq!(ledger["input_tokens"], 200);
}

#[tokio::test]
async fn select_stops_before_a_call_the_run_budget_cannot_afford() {
    let run = Run::new();
    run.write_json("context.json", &context(json!([]), json!([]), json!([])));
    // Earlier phases of this run already spent the budget.
    run.write_json(
        "llm-usage.json",
        &json!({"calls": 3, "input_tokens": 9000, "output_tokens": 900, "cost_usd": 0.5, "model": "openai:stub-model"}),
    );
    let server = MockServer::start().await;
    llm_stub::mount_openai(&server, vec![llm_stub::openai_reply("{}")]).await;
    let (target, input) = (
        run.target.clone(),
        run.input(json!({"llm": llm_stub::openai_spec(&server)})),
    );
    let ran = tokio::task::spawn_blocking(move || {
        Runner::new("am-select")
            .env("CARGO_TARGET_DIR", &target)
            .env("AM_LLM_BUDGET_TOKENS", "10000")
            .input_json(&input)
            .run()
    })
    .await
    .unwrap();
    assert_eq!(ran.code, 1);
    assert!(
        ran.stderr
            .contains("failed to stay within the run's LLM budget"),
        "{}",
        ran.stderr
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn select_sends_back_a_choice_that_failed_before_and_takes_the_next() {
    let run = Run::new();
    // The model words it differently, but it is the task that failed: same kind, same file.
    let again = json!({"kind": "test", "title": "Add tests for add",
        "rationale": "r", "target_files": ["src/lib.rs"], "acceptance_criteria": ["c"]});
    let failed: automaintainer::artifacts::TaskSpec =
        serde_json::from_value(again.clone()).unwrap();
    let fingerprint =
        automaintainer::implement::backoff::fingerprint(&failed, &run.repo, "0000000");
    let mut context = context(json!([]), json!([]), json!([]));
    context["backoffs"] = json!([{"fingerprint": fingerprint, "title": "Test add with negatives",
        "failures": 2, "reason": "the checks failed", "retry_after": "2099-01-01T00:00:00Z"}]);
    run.write_json("context.json", &context);
    let next = json!({"kind": "refactor", "title": "Name the magic number",
        "rationale": "r", "target_files": ["src/lib.rs"], "acceptance_criteria": ["c"]});
    let server = MockServer::start().await;
    llm_stub::mount_openai(
        &server,
        vec![
            llm_stub::openai_reply(
                &json!({"choice": {"status": "selected", "task": again}}).to_string(),
            ),
            llm_stub::openai_reply(
                &json!({"choice": {"status": "selected", "task": next}}).to_string(),
            ),
        ],
    )
    .await;
    let ran = run
        .run(
            "am-select",
            run.input(json!({"llm": llm_stub::openai_spec(&server)})),
        )
        .await;
    ran.assert_ok();
    assert_eq!(ran.outputs()["kind"], "refactor");
    let skipped = ran.outputs()["skipped"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        skipped.starts_with("Add tests for add (failed 2 times, last because the checks failed"),
        "{skipped}"
    );
    let task_file = run.read_json("task.json");
    assert_eq!(task_file["skipped"][0]["fingerprint"], json!(fingerprint));
    assert!(task_file["fingerprint"]
        .as_str()
        .is_some_and(|f| f != fingerprint));
    let bodies = llm_stub::request_bodies(&server).await;
    let first = bodies[0]["messages"][1]["content"].as_str().unwrap();
    assert!(first.contains("Tasks that failed recently"), "{first}");
    let second = bodies[1]["messages"][1]["content"].as_str().unwrap();
    assert!(
        second.contains("failed before and is backing off"),
        "{second}"
    );
}
